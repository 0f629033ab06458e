/**
 * The request and response bodies of the HTTP API (DESIGN §5). These zod schemas validate requests in the
 * handlers, become the API Gateway request models, and make up the OpenAPI document: one definition each.
 */
import * as z from './zod';

/** A phone number in a body: E.164 or another common format; handlers normalise it to E.164. */
export const phoneInBody = z
  .string()
  .check(
    z.trim(),
    z.minLength(3),
    z.maxLength(32),
    z.regex(/^[0-9+()\-.\s]+$/, 'must contain only digits, spaces and + ( ) - .'),
    z.describe('Phone number, E.164 preferred; common national and international formats are accepted'),
  );

export const isoDateTime = z.iso.datetime({ offset: true });
export const isoDate = z.iso.date();

/** A reason given in words (a legal hold, a deadline extension): trimmed, 1 to 500 characters. */
export const reasonText = (description: string) =>
  z.string().check(z.trim(), z.minLength(1), z.maxLength(500), z.describe(description));

/** An IANA time zone that this runtime knows, such as Europe/Paris. */
export const timeZone = z.string().check(
  z.maxLength(64),
  z.refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return zone.includes('/') || zone === 'UTC';
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as Europe/Paris'),
  z.describe('IANA time zone, such as Europe/Paris'),
);

/** BCP 47 language tag, such as en or fr-FR. */
export const locale = z
  .string()
  .check(
    z.regex(
      /^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|\d{3}))?$/,
      'must be a language tag such as en or fr-FR',
    ),
    z.describe('BCP 47 language tag, such as en or fr-FR'),
  );

/** A topic a subscriber opts into, such as `offers` or `order-updates`. */
export const topic = z
  .string()
  .check(z.regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be 1-40 lowercase letters, digits or dashes'));
export const topics = z.array(topic).check(
  z.maxLength(20),
  z.refine((list) => new Set(list).size === list.length, 'must not repeat a topic'),
);

/** Where a consent event came from; the API accepts the first three, the others are recorded by optline itself. */
export const CONSENT_SOURCES = ['api', 'web_form', 'import', 'keyword', 'provider_reconcile'] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];
export const SUBSCRIBER_STATUSES = ['active', 'pending_confirmation', 'restricted'] as const;
export const INTERACTION_TYPES = ['inbound_reply', 'click', 'web_visit', 'purchase', 'other'] as const;

export const consentEvidence = z.strictObject({
  source: z.enum(['api', 'web_form', 'import']),
  noticeVersion: z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(64),
      z.describe('Version of the privacy notice the subscriber was shown'),
    ),
  capturedAt: z
    .optional(isoDateTime)
    .check(z.describe('When consent was given; defaults to now. Imported lists may carry past dates')),
  ip: z.optional(z.union([z.ipv4(), z.ipv6()])),
  userAgent: z.optional(z.string().check(z.maxLength(512))),
});

export const createSubscriberRequest = z.strictObject({
  phone: phoneInBody,
  consent: consentEvidence,
  topics: z.optional(topics),
  locale: z.optional(locale),
  timeZone: z.optional(timeZone),
  birthDate: z.optional(isoDate).check(z.describe('Used only for the minimum-age check; never stored')),
  doubleOptIn: z.optional(z.boolean()),
});

/** The profile fields a subscriber may change; a DSR rectification accepts the same. */
export const patchSubscriberRequest = z
  .strictObject({ locale: z.optional(locale), timeZone: z.optional(timeZone), topics: z.optional(topics) })
  .check(
    z.refine((body) => Object.keys(body).length > 0, 'must change at least one of locale, timeZone, topics'),
  );

export const interactionRequest = z.strictObject({
  type: z.enum(INTERACTION_TYPES),
  at: z.optional(isoDateTime).check(z.describe('When the subscriber interacted; defaults to now')),
});

export const subscriberCreated = z.object({
  subscriberId: z.string().check(z.describe('Pseudonymous subject id')),
  status: z.enum(SUBSCRIBER_STATUSES),
});

export const subscriberProfile = z.object({
  subscriberId: z.string(),
  phone: z.string().check(z.describe('E.164')),
  status: z.enum(SUBSCRIBER_STATUSES),
  topics: z.array(z.string()),
  locale: z.optional(z.string()),
  timeZone: z.optional(z.string()),
  createdAt: isoDateTime,
  lastInteractionAt: isoDateTime,
  expiresAt: z
    .optional(isoDateTime)
    .check(z.describe('When the profile is deleted unless the subscriber interacts again')),
  legalHold: z.optional(z.object({ reason: z.string(), since: isoDateTime })),
});

export const problemBody = z.object({
  type: z.string().check(z.describe('urn:optline:problem:<slug>')),
  title: z.string(),
  status: z.int(),
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

export const sendMessageRequest = z.strictObject({
  to: phoneInBody,
  // No length cap here: a body over 10 segments is the content policy's 422, checked after the recipient checks.
  body: z
    .string()
    .check(z.describe('Message text; a body over 10 SMS segments is refused with 422 content-rejected')),
  category: z.enum(API_SEND_CATEGORIES),
  topic: z
    .optional(topic)
    .check(z.describe('For marketing: the topic the subscriber must not have opted out of')),
});

export const messageAccepted = z.object({
  messageId: z.string(),
  status: z.enum(MESSAGE_STATUSES),
});

export const messageView = z.object({
  messageId: z.string(),
  status: z.enum(MESSAGE_STATUSES),
  category: z.string(),
  channel: z.string(),
  segments: z.int(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});

export type SendMessageRequest = z.infer<typeof sendMessageRequest>;
export type MessageAccepted = z.infer<typeof messageAccepted>;
export type MessageView = z.infer<typeof messageView>;

export const optOutRequest = z.strictObject({
  phone: phoneInBody,
  scope: z
    .optional(topic)
    .check(
      z.describe('`all` (the default) withdraws consent to every message; a topic withdraws only that topic'),
    ),
});

export const optOutRecorded = z.object({
  suppressed: z.literal(true),
  since: isoDateTime.check(z.describe('When the opt-out began; a repeat reports the first one')),
});

export const optOutStatus = z.object({
  suppressed: z.boolean(),
  since: z.optional(isoDateTime).check(z.describe('When the earliest standing opt-out began')),
  scopes: z.array(z.string()).check(z.describe('Scopes opted out of: `all` and/or topics')),
});

export type OptOutRequest = z.infer<typeof optOutRequest>;
export type OptOutRecorded = z.infer<typeof optOutRecorded>;
export type OptOutStatus = z.infer<typeof optOutStatus>;
