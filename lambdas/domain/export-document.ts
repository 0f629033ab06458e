/**
 * The export document of an access or portability request (GDPR Art. 15 and 20; CCPA §1798.100, §1798.110,
 * §1798.130(a)(2)): one versioned JSON document holding every category of the subject's data, in a stable
 * order, with how long each category is kept. `docs/dsr-export.md` documents format 1.0 field by field.
 *
 * Pure module (no AWS SDK). The builder copies an allow-list of fields from each input, so storage keys
 * (`pk`, `sk`), TTL internals (`purgeDay`, `expiresAt` seconds) and HMAC material never reach the document
 * even when a caller hands over raw items.
 */
import { DSR_STATUSES, DSR_TYPES, VERIFICATION_METHODS } from '../shared/dsr-schemas';
import { CONSENT_SOURCES, MESSAGE_STATUSES, SUBSCRIBER_STATUSES } from '../shared/schemas';
import * as z from '../shared/zod';
import type { DsrRecord } from './dsr';
import type { MessageRecord } from './messages';
import { describePeriod, effectivePeriod, RETENTION, type RetentionCategoryId } from './retention';
import { CHANNELS, MESSAGE_CATEGORIES } from './sms';
import type { ConsentEvent, SubscriberRecord } from './subscribers';

/** The format version. A new optional field is a minor bump (1.1); a removed or changed field is a major one. */
export const EXPORT_SCHEMA_VERSION = '1.0';

/** Attributes of a stored item that are storage mechanics, not data about the subject. */
const INTERNAL_ATTRIBUTES = new Set([
  'pk',
  'sk',
  'PK',
  'SK',
  'tenantId',
  'subjectId',
  'expiresAt',
  'purgeDay',
]);

/** The sections of the document, each with the retention category that says how long it is kept. */
export const EXPORT_SECTIONS = {
  profile: 'subscriberProfile',
  marketingAttributes: 'marketingAttributes',
  consentLedger: 'consentProof',
  suppressions: 'optOutSuppression',
  messages: 'messageTraffic',
  dsrRequests: 'dsrRecord',
  exportFile: 'dsrExportFiles',
} as const satisfies Record<string, RetentionCategoryId>;
export type ExportSection = keyof typeof EXPORT_SECTIONS;

const RETENTION_CATEGORY_IDS = Object.keys(RETENTION) as [RetentionCategoryId, ...RetentionCategoryId[]];

const isoInstant = z.iso.datetime().check(z.describe('UTC instant, ISO 8601 with milliseconds and Z'));

const retainedSchema = z.strictObject({ category: z.enum(RETENTION_CATEGORY_IDS), reason: z.string() });

const retentionEntrySchema = z.strictObject({
  category: z.enum(RETENTION_CATEGORY_IDS).check(z.describe('Retention category id (docs/retention.md)')),
  keptFor: z.string().check(z.describe('The period in words, such as "36 months"')),
  period: z
    .nullable(
      z.strictObject({
        count: z.int().check(z.positive()),
        unit: z.enum(['hours', 'days', 'months', 'years']),
      }),
    )
    .check(z.describe('The period; null when kept without a TTL while its reason stands')),
  countedFrom: z.string(),
  legalBasis: z.string(),
  source: z.string(),
});

export const exportDocumentSchema = z.strictObject({
  schemaVersion: z.literal(EXPORT_SCHEMA_VERSION),
  generatedAt: isoInstant,
  requestId: z
    .string()
    .check(z.minLength(1), z.describe('The access or portability request this document answers')),
  controller: z.strictObject({
    tenantId: z.string().check(z.minLength(1), z.describe('The tenant: the data controller')),
  }),
  subject: z.strictObject({
    subjectId: z.string().check(z.minLength(1), z.describe('Pseudonymous subject id (the API subscriberId)')),
  }),
  profile: z.nullable(
    z.strictObject({
      phone: z.string().check(z.describe('E.164')),
      status: z.enum(SUBSCRIBER_STATUSES),
      topics: z.array(z.string()),
      locale: z.optional(z.string()),
      timeZone: z.optional(z.string()),
      createdAt: isoInstant,
      lastInteractionAt: isoInstant,
      scheduledDeletionAt: z
        .optional(isoInstant)
        .check(
          z.describe(
            'When the profile is deleted unless the subscriber interacts again; absent under legal hold',
          ),
        ),
      legalHold: z.optional(z.strictObject({ reason: z.string(), since: isoInstant })),
    }),
  ),
  marketingAttributes: z.nullable(z.record(z.string(), z.unknown())),
  consentLedger: z.array(
    z.strictObject({
      eventId: z.string(),
      type: z.enum(['opt_in', 'opt_in_confirmed', 'opt_out', 're_opt_in']),
      at: isoInstant,
      channel: z.literal('sms'),
      source: z.enum(CONSENT_SOURCES),
      scope: z.string().check(z.describe('`all` or a topic')),
      evidence: z.strictObject({
        noticeVersion: z.optional(z.string()),
        ip: z.optional(z.string()),
        userAgent: z.optional(z.string()),
        keyword: z.optional(z.string()),
      }),
    }),
  ),
  suppressions: z.array(z.strictObject({ scope: z.string(), since: isoInstant, source: z.string() })),
  messages: z.array(
    z.strictObject({
      messageId: z.string(),
      direction: z.enum(['outbound', 'inbound']),
      category: z.enum(MESSAGE_CATEGORIES),
      topic: z.optional(z.string()),
      campaignId: z.optional(
        z.string().check(z.describe('The campaign the message was sent for (DESIGN §10)')),
      ),
      phone: z.string().check(z.describe('The subject’s number the message went to or came from (E.164)')),
      body: z.string(),
      channel: z.enum(CHANNELS),
      status: z.enum([...MESSAGE_STATUSES, 'received']),
      failureCode: z.optional(z.string()),
      providerMessageId: z.optional(z.string()),
      segments: z.int().check(z.nonnegative()),
      createdAt: isoInstant,
      updatedAt: isoInstant,
    }),
  ),
  dsrRequests: z.array(
    z.strictObject({
      requestId: z.string(),
      type: z.enum(DSR_TYPES),
      status: z.enum(DSR_STATUSES),
      regime: z.enum(['GDPR', 'CCPA']),
      receivedAt: isoInstant,
      dueAt: isoInstant,
      extendedUntil: z.optional(isoInstant),
      extensionReason: z.optional(z.string()),
      verificationMethod: z.enum(VERIFICATION_METHODS),
      changes: z.optional(
        z.strictObject({
          locale: z.optional(z.string()),
          timeZone: z.optional(z.string()),
          topics: z.optional(z.array(z.string())),
        }),
      ),
      completedAt: z.optional(isoInstant),
      rejectionReason: z.optional(z.string()),
      retained: z.optional(z.array(retainedSchema)),
    }),
  ),
  retention: z.strictObject({
    profile: retentionEntrySchema,
    marketingAttributes: retentionEntrySchema,
    consentLedger: retentionEntrySchema,
    suppressions: retentionEntrySchema,
    messages: retentionEntrySchema,
    dsrRequests: retentionEntrySchema,
    exportFile: retentionEntrySchema,
  }),
});

export type ExportDocument = z.infer<typeof exportDocumentSchema>;

/** The fields of a subscriber that the export reads; a full `SubscriberRecord` fits. */
export type ExportProfileInput = Pick<
  SubscriberRecord,
  | 'tenantId'
  | 'subjectId'
  | 'phone'
  | 'status'
  | 'topics'
  | 'locale'
  | 'timeZone'
  | 'createdAt'
  | 'lastInteractionAt'
  | 'expiresAt'
  | 'legalHold'
>;
export type ExportConsentEventInput = Pick<
  ConsentEvent,
  'tenantId' | 'subjectId' | 'eventId' | 'type' | 'at' | 'channel' | 'source' | 'scope' | 'evidence'
>;
export interface ExportSuppressionInput {
  readonly scope: string;
  readonly since: string;
  readonly source: string;
}
export type ExportMessageInput = Pick<
  MessageRecord,
  | 'tenantId'
  | 'subjectId'
  | 'messageId'
  | 'direction'
  | 'category'
  | 'topic'
  | 'campaignId'
  | 'phone'
  | 'body'
  | 'channel'
  | 'providerMessageId'
  | 'status'
  | 'failureCode'
  | 'segments'
  | 'createdAt'
  | 'updatedAt'
>;

export interface ExportInput {
  readonly tenantId: string;
  readonly subjectId: string;
  readonly generatedAt: Date;
  /** The access or portability request being answered; its own record is left out of `dsrRequests`. */
  readonly requestId: string;
  /** @default - no profile (deleted or never created): the section is `null` */
  readonly profile?: ExportProfileInput;
  /** The `#MKT` item; storage attributes are dropped. @default - none: the section is `null` */
  readonly marketing?: Readonly<Record<string, unknown>>;
  readonly consentEvents: readonly ExportConsentEventInput[];
  readonly suppressions: readonly ExportSuppressionInput[];
  readonly messages: readonly ExportMessageInput[];
  readonly dsrRequests: readonly DsrRecord[];
}

/** An ISO 8601 string in the one form the document uses (UTC, milliseconds, Z). */
function iso(value: string | number | Date, field: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`buildExportDocument: ${field} is not a valid time`);
  return date.toISOString();
}

/** `T` with every key that may hold `undefined` made optional instead. */
type Defined<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

/** Copies only the defined values, so optional fields are absent rather than `undefined`. */
function defined<T extends Record<string, unknown>>(value: T): Defined<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Defined<T>;
}

/** Code-unit order: the same on every runtime and locale, and chronological for ISO 8601 UTC strings. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Ascending by time, then by id, so two exports of the same data are byte for byte the same. */
function byTimeThenId<T>(time: (item: T) => string, id: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => compare(time(a), time(b)) || compare(id(a), id(b));
}

/**
 * Guards against a store bug leaking someone else's data into a subject's export: every item must belong to
 * the tenant and the subject the document is for. The error names the section only, never an id or a value.
 */
function assertOwned(
  items: readonly { readonly tenantId: string; readonly subjectId: string }[],
  input: ExportInput,
  section: string,
): void {
  if (items.some((item) => item.tenantId !== input.tenantId || item.subjectId !== input.subjectId)) {
    throw new Error(`buildExportDocument: ${section} holds an item of another tenant or subject`);
  }
}

function retentionEntry(category: RetentionCategoryId): ExportDocument['retention']['profile'] {
  const { countedFrom, legalBasis, source } = RETENTION[category];
  // The cell's period: an override changes how long the subject's data is kept, so the export says so.
  const period = effectivePeriod(category);
  return {
    category,
    keptFor: describePeriod(period),
    period: period ? { count: period.count, unit: period.unit } : null,
    countedFrom,
    legalBasis,
    source,
  };
}

function marketingSection(marketing: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(marketing)
      .filter(([key, value]) => !INTERNAL_ATTRIBUTES.has(key) && value !== undefined)
      .sort(([a], [b]) => compare(a, b)),
  );
}

/** Builds the export document of one subject from what the worker read by the subject's keys. */
export function buildExportDocument(input: ExportInput): ExportDocument {
  assertOwned(input.profile ? [input.profile] : [], input, 'profile');
  assertOwned(input.consentEvents, input, 'consentEvents');
  assertOwned(input.messages, input, 'messages');
  assertOwned(input.dsrRequests, input, 'dsrRequests');

  const { profile } = input;
  return {
    schemaVersion: EXPORT_SCHEMA_VERSION,
    generatedAt: iso(input.generatedAt, 'generatedAt'),
    requestId: input.requestId,
    controller: { tenantId: input.tenantId },
    subject: { subjectId: input.subjectId },
    profile: profile
      ? defined({
          phone: profile.phone,
          status: profile.status,
          topics: [...profile.topics],
          locale: profile.locale,
          timeZone: profile.timeZone,
          createdAt: iso(profile.createdAt, 'profile.createdAt'),
          lastInteractionAt: iso(profile.lastInteractionAt, 'profile.lastInteractionAt'),
          scheduledDeletionAt:
            profile.expiresAt === undefined ? undefined : iso(profile.expiresAt * 1000, 'profile.expiresAt'),
          // Who placed the hold is the controller's business; the subject learns that it exists and why.
          legalHold: profile.legalHold
            ? { reason: profile.legalHold.reason, since: iso(profile.legalHold.since, 'legalHold.since') }
            : undefined,
        })
      : null,
    marketingAttributes: input.marketing ? marketingSection(input.marketing) : null,
    consentLedger: input.consentEvents
      .map((event) => ({
        eventId: event.eventId,
        type: event.type,
        at: iso(event.at, 'consentEvents.at'),
        channel: event.channel,
        source: event.source,
        scope: event.scope,
        evidence: defined({
          noticeVersion: event.evidence.noticeVersion,
          ip: event.evidence.ip,
          userAgent: event.evidence.userAgent,
          keyword: event.evidence.keyword,
        }),
      }))
      .sort(
        byTimeThenId(
          (e) => e.at,
          (e) => e.eventId,
        ),
      ),
    suppressions: input.suppressions
      .map((entry) => ({
        scope: entry.scope,
        since: iso(entry.since, 'suppressions.since'),
        source: entry.source,
      }))
      .sort(
        byTimeThenId(
          (s) => s.since,
          (s) => s.scope,
        ),
      ),
    messages: input.messages
      .map((message) =>
        defined({
          messageId: message.messageId,
          direction: message.direction,
          category: message.category,
          topic: message.topic,
          campaignId: message.campaignId,
          phone: message.phone,
          body: message.body,
          channel: message.channel,
          status: message.status,
          failureCode: message.failureCode,
          providerMessageId: message.providerMessageId,
          segments: message.segments,
          createdAt: iso(message.createdAt, 'messages.createdAt'),
          updatedAt: iso(message.updatedAt, 'messages.updatedAt'),
        }),
      )
      .sort(
        byTimeThenId(
          (m) => m.createdAt,
          (m) => m.messageId,
        ),
      ),
    // The request being answered is named by `requestId`; its own record would show a stale `in_progress`.
    dsrRequests: input.dsrRequests
      .filter((request) => request.requestId !== input.requestId)
      .map((request) =>
        defined({
          requestId: request.requestId,
          type: request.type,
          status: request.status,
          regime: request.regime,
          receivedAt: iso(request.receivedAt, 'dsrRequests.receivedAt'),
          dueAt: iso(request.dueAt, 'dsrRequests.dueAt'),
          extendedUntil:
            request.extendedUntil === undefined
              ? undefined
              : iso(request.extendedUntil, 'dsrRequests.extendedUntil'),
          extensionReason: request.extensionReason,
          // The method only: the reference points into the tenant's own verification records.
          verificationMethod: request.verification.method,
          changes: request.changes ? defined({ ...request.changes }) : undefined,
          completedAt:
            request.completedAt === undefined
              ? undefined
              : iso(request.completedAt, 'dsrRequests.completedAt'),
          rejectionReason: request.rejectionReason,
          // The export key is a storage key and is left out; what was retained, and why, is the subject's to know.
          retained: request.result?.retained.map(({ category, reason }) => ({ category, reason })),
        }),
      )
      .sort(
        byTimeThenId(
          (r) => r.receivedAt,
          (r) => r.requestId,
        ),
      ),
    retention: {
      profile: retentionEntry(EXPORT_SECTIONS.profile),
      marketingAttributes: retentionEntry(EXPORT_SECTIONS.marketingAttributes),
      consentLedger: retentionEntry(EXPORT_SECTIONS.consentLedger),
      suppressions: retentionEntry(EXPORT_SECTIONS.suppressions),
      messages: retentionEntry(EXPORT_SECTIONS.messages),
      dsrRequests: retentionEntry(EXPORT_SECTIONS.dsrRequests),
      exportFile: retentionEntry(EXPORT_SECTIONS.exportFile),
    },
  };
}

/** True when the document carries the text of at least one message: after an erasure, a new export must not. */
export function containsMessageBodies(doc: Pick<ExportDocument, 'messages'>): boolean {
  return doc.messages.some((message) => typeof message.body === 'string');
}
