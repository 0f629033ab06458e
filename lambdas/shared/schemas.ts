/**
 * The request and response bodies of the HTTP API (DESIGN §5). These zod schemas validate requests in the
 * handlers, become the API Gateway request models, and make up the OpenAPI document: one definition each.
 */
import { TIME_ZONES } from './time-zones';
import * as z from './zod';

/**
 * A phone number in a body: E.164 or the international format with spaces, brackets, dashes or dots; handlers
 * normalise it to E.164. The OpenAPI format `phone` names what JSON Schema cannot express: the number must be
 * valid for its country's numbering plan (libphonenumber's metadata, `lambdas/domain/phone.ts`).
 */
export const phoneInBody = z.string().check(
  z.minLength(8),
  z.maxLength(32),
  z.meta({
    format: 'phone',
    description:
      'Phone number in international form: E.164 (+447400123456) or with spaces, brackets, dashes or dots ' +
      '(+44 7400 123456). It must be a valid number for its country (libphonenumber metadata); otherwise 400.',
    examples: ['+447400123456'],
  }),
);

/**
 * A `{phone}` path parameter, as the document describes it: canonical E.164, which a client URL-encodes
 * (`%2B447400123456`). `parsePathPhone` is its validator.
 */
export const phoneInPath = z.string().check(
  z.minLength(8),
  z.maxLength(16),
  z.meta({
    format: 'e164',
    description:
      'E.164 phone number (a plus sign, the country code and the number, digits only), URL-encoded in the ' +
      'path as %2B447400123456. It must be a valid number for its country; otherwise 400.',
    examples: ['+447400123456'],
  }),
);

export const isoDateTime = z.iso.datetime({ offset: true });
export const isoDate = z.iso.date();

/**
 * Free text that must say something (a legal hold's reason, a deadline extension's, a verification reference):
 * 1 to `max` characters, at least one of them not white space. Stored as sent: the length the document states
 * is the length checked, with no trimming first.
 */
export const nonBlankText = (max: number, description: string) =>
  z
    .string()
    .check(z.minLength(1), z.maxLength(max), z.regex(/\S/, 'must not be blank'), z.describe(description));

/** A reason given in words (a legal hold, a deadline extension). */
export const reasonText = (description: string) => nonBlankText(500, description);

/** An IANA time zone, such as Europe/Paris: the enum is the list the server accepts. */
export { TIME_ZONES };
export const timeZone = z.enum(TIME_ZONES, 'must be an IANA time zone such as Europe/Paris').check(
  z.meta({
    id: 'TimeZone',
    description: 'IANA time zone, such as Europe/Paris',
    examples: ['Europe/Paris'],
  }),
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
  z.meta({ uniqueItems: true, examples: [['offers']] }),
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
    .check(
      z.describe(
        'When consent was given; defaults to now. Imported lists may carry past dates, but not older than the ' +
          '36-month inactivity period, and not in the future beyond 5 minutes of clock skew: otherwise 422 ' +
          'timestamp-out-of-range',
      ),
    ),
  ip: z.optional(z.union([z.ipv4(), z.ipv6()])),
  userAgent: z.optional(z.string().check(z.maxLength(512))),
});

export const createSubscriberRequest = z
  .strictObject({
    phone: phoneInBody,
    consent: consentEvidence,
    topics: z.optional(topics),
    locale: z.optional(locale),
    timeZone: z.optional(timeZone),
    birthDate: z.optional(isoDate).check(z.describe('Used only for the minimum-age check; never stored')),
    doubleOptIn: z.optional(z.boolean()),
  })
  .check(
    z.meta({
      examples: [
        {
          phone: '+447400123456',
          consent: { source: 'web_form', noticeVersion: '2026-01', capturedAt: '2026-11-30T09:15:00Z' },
          topics: ['offers'],
          locale: 'en-GB',
          timeZone: 'Europe/London',
        },
      ],
    }),
  );

/** The profile fields a subscriber may change; a DSR rectification accepts the same. */
export const patchSubscriberRequest = z
  .strictObject({ locale: z.optional(locale), timeZone: z.optional(timeZone), topics: z.optional(topics) })
  .check(
    z.refine((body) => Object.keys(body).length > 0, 'must change at least one of locale, timeZone, topics'),
    z.meta({ minProperties: 1, examples: [{ timeZone: 'Europe/London', topics: ['offers', 'news'] }] }),
  );

export const interactionRequest = z
  .strictObject({
    type: z.enum(INTERACTION_TYPES),
    at: z
      .optional(isoDateTime)
      .check(
        z.describe(
          'When the subscriber interacted; defaults to now. Later than 5 minutes from now is refused with 422 ' +
            'timestamp-out-of-range',
        ),
      ),
  })
  .check(z.meta({ examples: [{ type: 'click', at: '2026-11-30T10:00:00Z' }] }));

const SUBSCRIBER_ID_EXAMPLE = 'G3OjzYav7YrsjWWJ0CvrE64oG55hIs9WEUnGUzaPA5w';

export const subscriberCreated = z
  .strictObject({
    subscriberId: z.string().check(z.describe('Pseudonymous subject id')),
    status: z.enum(SUBSCRIBER_STATUSES),
    phone: z.string().check(z.describe('The number as stored: E.164, for the `{phone}` path of later calls')),
  })
  .check(
    z.meta({
      examples: [{ subscriberId: SUBSCRIBER_ID_EXAMPLE, status: 'active', phone: '+447400123456' }],
    }),
  );

export const subscriberProfile = z
  .object({
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
  })
  .check(
    z.meta({
      examples: [
        {
          subscriberId: SUBSCRIBER_ID_EXAMPLE,
          phone: '+447400123456',
          status: 'active',
          topics: ['offers'],
          locale: 'en-GB',
          timeZone: 'Europe/London',
          createdAt: '2026-11-30T09:15:02Z',
          lastInteractionAt: '2026-11-30T09:15:00Z',
          expiresAt: '2029-11-30T09:15:00Z',
        },
      ],
    }),
  );

export const problemBody = z
  .object({
    type: z.string().check(z.describe('urn:optline:problem:<slug>')),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })),
  })
  .check(z.meta({ id: 'Problem', description: 'RFC 9457 problem details' }));

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

/** The `Idempotency-Key` header: 1-255 visible ASCII characters, such as a UUID. */
export const idempotencyKey = z.string().check(
  z.regex(/^[\x21-\x7e]{1,255}$/, 'header is required: 1-255 visible ASCII characters, such as a UUID'),
  z.meta({
    description:
      'Chosen by the client, one per message: a retry with the same key and body is answered from the first ' +
      'attempt and sent once; the same key with another body is 409. Kept 24 hours.',
    examples: ['0f8e6a4c-2b1d-4c3e-9a7f-5d6b8c9e0a1b'],
  }),
);

export const sendMessageRequest = z
  .strictObject({
    to: phoneInBody,
    // No length cap here: a body over 10 segments is the content policy's 422, checked after the recipient checks.
    body: z
      .string()
      .check(z.describe('Message text; a body over 10 SMS segments is refused with 422 content-rejected')),
    category: z.enum(API_SEND_CATEGORIES),
    topic: z
      .optional(topic)
      .check(z.describe('For marketing: the topic the subscriber must not have opted out of')),
  })
  .check(
    z.meta({
      examples: [{ to: '+447400123456', body: 'Your order 1042 has shipped.', category: 'transactional' }],
    }),
  );

const MESSAGE_ID_EXAMPLE = 'b48408d7-d54b-4338-8063-db296b7869be';

export const messageAccepted = z
  .object({ messageId: z.string(), status: z.enum(MESSAGE_STATUSES) })
  .check(z.meta({ examples: [{ messageId: MESSAGE_ID_EXAMPLE, status: 'sent' }] }));

export const messageView = z
  .object({
    messageId: z.string(),
    status: z.enum(MESSAGE_STATUSES),
    category: z.string(),
    channel: z.string(),
    segments: z.int(),
    createdAt: isoDateTime,
    updatedAt: isoDateTime,
  })
  .check(
    z.meta({
      examples: [
        {
          messageId: MESSAGE_ID_EXAMPLE,
          status: 'delivered',
          category: 'transactional',
          channel: 'end-user-messaging',
          segments: 1,
          createdAt: '2026-11-30T10:02:11Z',
          updatedAt: '2026-11-30T10:02:14Z',
        },
      ],
    }),
  );

export type SendMessageRequest = z.infer<typeof sendMessageRequest>;
export type MessageAccepted = z.infer<typeof messageAccepted>;
export type MessageView = z.infer<typeof messageView>;

export const optOutRequest = z
  .strictObject({
    phone: phoneInBody,
    scope: z
      .optional(topic)
      .check(
        z.describe(
          '`all` (the default) withdraws consent to every message; a topic withdraws only that topic',
        ),
      ),
  })
  .check(z.meta({ examples: [{ phone: '+447400123456', scope: 'offers' }] }));

export const optOutRecorded = z
  .object({
    suppressed: z.literal(true),
    since: isoDateTime.check(z.describe('When the opt-out began; a repeat reports the first one')),
  })
  .check(z.meta({ examples: [{ suppressed: true, since: '2026-11-30T10:05:00Z' }] }));

export const optOutStatus = z
  .object({
    suppressed: z.boolean(),
    since: z.optional(isoDateTime).check(z.describe('When the earliest standing opt-out began')),
    scopes: z.array(z.string()).check(z.describe('Scopes opted out of: `all` and/or topics')),
  })
  .check(z.meta({ examples: [{ suppressed: true, since: '2026-11-30T10:05:00Z', scopes: ['offers'] }] }));

export type OptOutRequest = z.infer<typeof optOutRequest>;
export type OptOutRecorded = z.infer<typeof optOutRecorded>;
export type OptOutStatus = z.infer<typeof optOutStatus>;
