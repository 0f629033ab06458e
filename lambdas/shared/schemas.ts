/**
 * The request and response bodies of the HTTP API (DESIGN §5). These zod schemas validate requests in the
 * handlers, become the API Gateway request models, and make up the OpenAPI document: one definition each.
 */
import * as z from 'zod';

/** A phone number in a body: E.164 or another common format; handlers normalise it to E.164. */
export const phoneInBody = z
  .string()
  .trim()
  .min(3)
  .max(32)
  .regex(/^[0-9+()\-.\s]+$/, 'must contain only digits, spaces and + ( ) - .')
  .describe('Phone number, E.164 preferred; common national and international formats are accepted');

export const isoDateTime = z.iso.datetime({ offset: true });
export const isoDate = z.iso.date();

/** An IANA time zone that this runtime knows, such as Europe/Paris. */
export const timeZone = z
  .string()
  .max(64)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return zone.includes('/') || zone === 'UTC';
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as Europe/Paris')
  .describe('IANA time zone, such as Europe/Paris');

/** BCP 47 language tag, such as en or fr-FR. */
export const locale = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|\d{3}))?$/, 'must be a language tag such as en or fr-FR')
  .describe('BCP 47 language tag, such as en or fr-FR');

/** A topic a subscriber opts into, such as `offers` or `order-updates`. */
export const topic = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be 1-40 lowercase letters, digits or dashes');
export const topics = z
  .array(topic)
  .max(20)
  .refine((list) => new Set(list).size === list.length, 'must not repeat a topic');

/** Where a consent event came from; the API accepts the first three, the others are recorded by optline itself. */
export const CONSENT_SOURCES = ['api', 'web_form', 'import', 'keyword', 'provider_reconcile'] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];
export const SUBSCRIBER_STATUSES = ['active', 'pending_confirmation', 'restricted'] as const;
export const INTERACTION_TYPES = ['inbound_reply', 'click', 'web_visit', 'purchase', 'other'] as const;

export const consentEvidence = z
  .object({
    source: z.enum(['api', 'web_form', 'import']),
    noticeVersion: z
      .string()
      .min(1)
      .max(64)
      .describe('Version of the privacy notice the subscriber was shown'),
    capturedAt: isoDateTime
      .optional()
      .describe('When consent was given; defaults to now. Imported lists may carry past dates'),
    ip: z.union([z.ipv4(), z.ipv6()]).optional(),
    userAgent: z.string().max(512).optional(),
  })
  .strict();

export const createSubscriberRequest = z
  .object({
    phone: phoneInBody,
    consent: consentEvidence,
    topics: topics.optional(),
    locale: locale.optional(),
    timeZone: timeZone.optional(),
    birthDate: isoDate.optional().describe('Used only for the minimum-age check; never stored'),
    doubleOptIn: z.boolean().optional(),
  })
  .strict();

export const patchSubscriberRequest = z
  .object({ locale: locale.optional(), timeZone: timeZone.optional(), topics: topics.optional() })
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'must change at least one of locale, timeZone, topics');

export const interactionRequest = z
  .object({
    type: z.enum(INTERACTION_TYPES),
    at: isoDateTime.optional().describe('When the subscriber interacted; defaults to now'),
  })
  .strict();

export const subscriberCreated = z.object({
  subscriberId: z.string().describe('Pseudonymous subject id'),
  status: z.enum(SUBSCRIBER_STATUSES),
});

export const subscriberProfile = z.object({
  subscriberId: z.string(),
  phone: z.string().describe('E.164'),
  status: z.enum(SUBSCRIBER_STATUSES),
  topics: z.array(z.string()),
  locale: z.string().optional(),
  timeZone: z.string().optional(),
  createdAt: isoDateTime,
  lastInteractionAt: isoDateTime,
  expiresAt: isoDateTime
    .optional()
    .describe('When the profile is deleted unless the subscriber interacts again'),
  legalHold: z.object({ reason: z.string(), since: isoDateTime }).optional(),
});

export const problemBody = z.object({
  type: z.string().describe('urn:optline:problem:<slug>'),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })),
});

export type CreateSubscriberRequest = z.infer<typeof createSubscriberRequest>;
export type PatchSubscriberRequest = z.infer<typeof patchSubscriberRequest>;
export type InteractionRequest = z.infer<typeof interactionRequest>;
export type SubscriberProfile = z.infer<typeof subscriberProfile>;
export type SubscriberStatus = (typeof SUBSCRIBER_STATUSES)[number];

/** Categories an application may send; confirmation and HELP replies are sent by optline itself only. */
export const API_SEND_CATEGORIES = ['transactional', 'marketing'] as const;
export const MESSAGE_STATUSES = ['sent', 'delivered', 'failed'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

export const sendMessageRequest = z
  .object({
    to: phoneInBody,
    body: z.string().max(1600).describe('Message text; at most 10 SMS segments'),
    category: z.enum(API_SEND_CATEGORIES),
    topic: topic.optional().describe('For marketing: the topic the subscriber must not have opted out of'),
  })
  .strict();

export const messageAccepted = z.object({
  messageId: z.string(),
  status: z.enum(MESSAGE_STATUSES),
});

export const messageView = z.object({
  messageId: z.string(),
  status: z.enum(MESSAGE_STATUSES),
  category: z.string(),
  channel: z.string(),
  segments: z.number().int(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});

export type SendMessageRequest = z.infer<typeof sendMessageRequest>;
export type MessageAccepted = z.infer<typeof messageAccepted>;
export type MessageView = z.infer<typeof messageView>;

export const optOutRequest = z
  .object({
    phone: phoneInBody,
    scope: topic
      .optional()
      .describe('`all` (the default) withdraws consent to every message; a topic withdraws only that topic'),
  })
  .strict();

export const optOutRecorded = z.object({
  suppressed: z.literal(true),
  since: isoDateTime.describe('When the opt-out began; a repeat reports the first one'),
});

export const optOutStatus = z.object({
  suppressed: z.boolean(),
  since: isoDateTime.optional().describe('When the earliest standing opt-out began'),
  scopes: z.array(z.string()).describe('Scopes opted out of: `all` and/or topics'),
});

export type OptOutRequest = z.infer<typeof optOutRequest>;
export type OptOutRecorded = z.infer<typeof optOutRecorded>;
export type OptOutStatus = z.infer<typeof optOutStatus>;
