/**
 * The retention schedule: the single source of truth for how long optline keeps each category of data.
 *
 * Pure module (no AWS SDK). Three things derive from it:
 * - the `expiresAt` TTL that every write computes (`expiresAt()`),
 * - S3 lifecycle and log-group retention in the CDK stacks (`retentionDays()`),
 * - the generated `docs/retention.md` (`npm run docs`).
 *
 * Every period cites its source so a reviewer can trace each number back to a published policy. A cell may
 * replace a category's period with one of its own, within its regime's bounds and with a cited source
 * (`retention-bounds.ts`, DESIGN §12): see `effectiveSchedule()` and `useCellPeriods()`.
 */

export type PeriodUnit = 'hours' | 'days' | 'months' | 'years';

export interface RetentionPeriod {
  readonly count: number;
  readonly unit: PeriodUnit;
}

export type RetentionCategoryId =
  | 'subscriberProfile'
  | 'marketingAttributes'
  | 'messageTraffic'
  | 'campaignRecords'
  | 'consentProof'
  | 'dsrRecord'
  | 'auditEvents'
  | 'dailyAggregates'
  | 'tenantAccount'
  | 'incidentRecords'
  | 'optOutSuppression'
  | 'dsrExportFiles'
  | 'idempotencyRecords'
  | 'serviceLogs'
  | 'tableBackups';

export interface RetentionCategory {
  readonly id: RetentionCategoryId;
  readonly title: string;
  /** Where the data lives. */
  readonly store: string;
  /** How long it is kept; `undefined` means it has no TTL and is kept while its reason stands. */
  readonly period?: RetentionPeriod;
  /** The event the period is counted from. */
  readonly countedFrom: string;
  readonly legalBasis: string;
  /** The published policy the period comes from, quoted so it can be traced. */
  readonly source: string;
}

export const RETENTION: Readonly<Record<RetentionCategoryId, RetentionCategory>> = {
  subscriberProfile: {
    id: 'subscriberProfile',
    title: 'Subscriber profile',
    store: 'DynamoDB Subscribers (`S#<subjectId>` item)',
    period: { count: 36, unit: 'months' },
    countedFrom: 'the last interaction by the subscriber (an interaction moves it forward only)',
    legalBasis: 'Consent to receive messages (GDPR Art. 6(1)(a); TCPA prior express consent)',
    source:
      'MASS privacy policy: "not … interacted … for 36 months … inactive subscriber … delete". ' +
      'Legal hold (MASS: "except where retention is necessary to enforce our legal rights") suspends it.',
  },
  marketingAttributes: {
    id: 'marketingAttributes',
    title: 'Marketing attributes (segments, tags)',
    store: 'DynamoDB Subscribers (`S#<subjectId>#MKT` item)',
    period: { count: 12, unit: 'months' },
    countedFrom: 'the last update; also deleted when consent is withdrawn',
    legalBasis: 'Consent to marketing (GDPR Art. 6(1)(a))',
    source: 'MessageBird/Bird privacy policy §7.3',
  },
  messageTraffic: {
    id: 'messageTraffic',
    title: 'Message traffic and content (outbound and inbound)',
    store: 'DynamoDB MessageLog',
    period: { count: 6, unit: 'months' },
    countedFrom: 'the send or receive time',
    legalBasis:
      'Performance of the messaging service and handling of delivery disputes (GDPR Art. 6(1)(b), (f))',
    source: 'MessageBird/Bird privacy policy §7.1',
  },
  campaignRecords: {
    id: 'campaignRecords',
    title:
      'Campaigns: body, audience topic, counts, and which pseudonymous subjects were sent it (no phone numbers)',
    store: 'DynamoDB Campaigns',
    period: { count: 6, unit: 'months' },
    countedFrom: 'the campaign start (sendAt)',
    legalBasis:
      'Performance of the messaging service, and proof that each recipient was sent it once (GDPR Art. 6(1)(b), (f))',
    source:
      'MessageBird/Bird privacy policy §7.1 (message content and traffic); a campaign is message content sent to ' +
      'many, so it is kept as long as the messages it produced',
  },
  consentProof: {
    id: 'consentProof',
    title: 'Consent given or withdrawn (proof)',
    store: 'DynamoDB ConsentLedger',
    period: { count: 5, unit: 'years' },
    countedFrom: 'the consent event',
    legalBasis: 'Legal obligation to demonstrate consent and its withdrawal (GDPR Art. 7(1); TCPA)',
    source: 'MessageBird/Bird privacy policy §7.4',
  },
  dsrRecord: {
    id: 'dsrRecord',
    title: 'Data-subject request and its confirmation',
    store: 'DynamoDB DsrRequests',
    period: { count: 5, unit: 'years' },
    countedFrom: 'the completion of the request',
    legalBasis: 'Legal obligation to demonstrate compliance (GDPR Art. 5(2), Art. 12; CCPA §7101)',
    source: 'MessageBird/Bird privacy policy §7.4',
  },
  auditEvents: {
    id: 'auditEvents',
    title: 'Audit events',
    store: 'DynamoDB AuditLog',
    period: { count: 5, unit: 'years' },
    countedFrom: 'the event',
    legalBasis: 'Accountability (GDPR Art. 5(2))',
    source: 'MessageBird/Bird privacy policy §7.4',
  },
  dailyAggregates: {
    id: 'dailyAggregates',
    title:
      'Anonymised daily aggregates: counts per tenant and day of messages and consent and DSR events (no subject id, phone number or body)',
    store: 'DynamoDB DailyStats',
    period: { count: 5, unit: 'years' },
    countedFrom: 'the day counted (UTC)',
    legalBasis:
      "Not personal data once anonymised (GDPR Recital 26); kept for the tenant's reporting and to size incidents",
    source:
      'MessageBird/Bird privacy policy §8.4: "fully anonymised and aggregated data" may be kept. Erasure, the purge, ' +
      'the TTL backstop and restriction never touch it; kept as long as the longest records it counts, the consent ' +
      'proof and DSR records (§7.4)',
  },
  tenantAccount: {
    id: 'tenantAccount',
    title: 'Tenant account and billing',
    store: 'DynamoDB Tenants',
    period: { count: 10, unit: 'years' },
    countedFrom: 'the end of the contract',
    legalBasis: 'Legal obligation to keep accounting and tax records',
    source: 'MessageBird/Bird privacy policy §7.4',
  },
  incidentRecords: {
    id: 'incidentRecords',
    title:
      'Personal data breaches: the incident, and each tenant’s notification with its approximate counts (no phone numbers or bodies)',
    store: 'DynamoDB Incidents',
    period: { count: 5, unit: 'years' },
    countedFrom: 'the detection of the breach',
    legalBasis:
      'Legal obligation to document every breach, its effects and the remedial action taken (GDPR Art. 33(5)), ' +
      'and to notify the controller (Art. 33(2))',
    source:
      'GDPR Art. 33(5): the documentation "shall enable the supervisory authority to verify compliance"; kept as ' +
      'long as the audit events that record each step (MessageBird/Bird privacy policy §7.4)',
  },
  optOutSuppression: {
    id: 'optOutSuppression',
    title: 'Opt-out suppression (pseudonymous)',
    store: 'DynamoDB Suppressions',
    countedFrom: '–',
    legalBasis: 'Legal obligation to keep honouring an opt-out (TCPA, 47 CFR 64.1200; GDPR Art. 21(3))',
    source:
      'CTIA Messaging Principles and FCC rules: an opt-out must keep being honoured; kept while it stands, no TTL',
  },
  dsrExportFiles: {
    id: 'dsrExportFiles',
    title: 'DSR export files',
    store: 'S3 export bucket',
    period: { count: 7, unit: 'days' },
    countedFrom: 'the creation of the file',
    legalBasis: 'Fulfilling an access or portability request (GDPR Art. 15, Art. 20; CCPA §1798.110)',
    source: 'optline design: long enough to download, short enough not to become a second copy',
  },
  idempotencyRecords: {
    id: 'idempotencyRecords',
    title: 'Idempotency records',
    store: 'DynamoDB Idempotency',
    period: { count: 24, unit: 'hours' },
    countedFrom: 'the request',
    legalBasis: 'Legitimate interest in sending each message exactly once (GDPR Art. 6(1)(f))',
    source: 'optline design: covers client retries of the same request',
  },
  serviceLogs: {
    id: 'serviceLogs',
    title: 'Lambda, API and S3 access logs (no personal data in them)',
    store: 'CloudWatch Logs and the S3 access-log bucket',
    period: { count: 90, unit: 'days' },
    countedFrom: 'the log event',
    legalBasis: 'Legitimate interest in operating and securing the service (GDPR Art. 6(1)(f))',
    source: 'optline design: long enough for incident review',
  },
  tableBackups: {
    id: 'tableBackups',
    title: 'Point-in-time recovery of the tables (earlier versions of every item, also of deleted ones)',
    store: 'Point-in-time recovery of each DynamoDB table',
    period: { count: 35, unit: 'days' },
    countedFrom: 'the change or deletion of an item',
    legalBasis:
      'Security of processing: the ability to restore data after an incident or an error (GDPR Art. 32(1)(c))',
    source:
      'optline design: the longest recovery window DynamoDB offers; a purged or erased item can be restored ' +
      'only within it, and only by restoring a whole table to a new one',
  },
};

export const RETENTION_CATEGORIES: readonly RetentionCategory[] = Object.values(RETENTION);

const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 24 * MS_PER_HOUR;

/**
 * Adds whole calendar months in UTC, keeping the time of day.
 *
 * End-of-month rule: when the target month is shorter than the start day, the result is the last day of the
 * target month (2024-02-29 + 36 months = 2027-02-28; 2026-01-31 + 1 month = 2026-02-28). Data is therefore
 * never kept longer than the stated period.
 */
export function addCalendarMonths(start: Date, months: number): Date {
  if (!Number.isInteger(months)) throw new RangeError(`months must be a whole number, got ${months}`);
  const targetMonthIndex = start.getUTCMonth() + months;
  const year = start.getUTCFullYear() + Math.floor(targetMonthIndex / 12);
  const month = ((targetMonthIndex % 12) + 12) % 12;
  const lastDayOfTarget = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(start.getUTCDate(), lastDayOfTarget);
  return new Date(
    Date.UTC(
      year,
      month,
      day,
      start.getUTCHours(),
      start.getUTCMinutes(),
      start.getUTCSeconds(),
      start.getUTCMilliseconds(),
    ),
  );
}

/** The instant a period counted from `start` ends. */
export function addPeriod(start: Date, period: RetentionPeriod): Date {
  switch (period.unit) {
    case 'hours':
      return new Date(start.getTime() + period.count * MS_PER_HOUR);
    case 'days':
      return new Date(start.getTime() + period.count * MS_PER_DAY);
    case 'months':
      return addCalendarMonths(start, period.count);
    case 'years':
      return addCalendarMonths(start, period.count * 12);
  }
}

/** A cell's own period for a category, with the published source that allows it (DESIGN §12). */
export interface RetentionOverride {
  readonly period: RetentionPeriod;
  readonly source: string;
}

/** A cell's overrides, by category; categories without one keep the schedule's period. */
export type RetentionOverrides = Readonly<Partial<Record<RetentionCategoryId, RetentionOverride>>>;

/** Periods only, by category: what code that computes TTLs needs of a cell's overrides. */
export type RetentionPeriods = Readonly<Partial<Record<RetentionCategoryId, RetentionPeriod>>>;

/** A category as one cell keeps it: the cell's override, when it has one, replaces the period. */
export interface EffectiveRetentionCategory extends RetentionCategory {
  /** The cell's override, with the period it replaces. @default - none: the schedule's period applies */
  readonly override?: RetentionOverride & { readonly replaces?: RetentionPeriod };
}

export const periodsOf = (overrides: RetentionOverrides = {}): RetentionPeriods =>
  Object.fromEntries(
    Object.entries(overrides).flatMap(([id, override]) => (override ? [[id, override.period]] : [])),
  );

/** The schedule a cell keeps: every category, with the cell's overrides in place of their periods. */
export function effectiveSchedule(overrides: RetentionOverrides = {}): EffectiveRetentionCategory[] {
  return RETENTION_CATEGORIES.map((category) => {
    const override = overrides[category.id];
    return override
      ? { ...category, period: override.period, override: { ...override, replaces: category.period } }
      : category;
  });
}

/**
 * The periods this process computes TTLs with, over the schedule's own. A process serves one cell: a Lambda
 * function sets them once at cold start from its environment (`lambdas/shared/retention-periods.ts`), the local
 * server from the cell it serves.
 */
let cellPeriods: RetentionPeriods = {};

/** Makes `expiresAt()` and `effectivePeriod()` use the cell's periods from now on. */
export function useCellPeriods(periods: RetentionPeriods): void {
  cellPeriods = { ...periods };
}

/** A category's period in this process's cell (or in `periods`, when given). */
export function effectivePeriod(
  categoryId: RetentionCategoryId,
  periods: RetentionPeriods = cellPeriods,
): RetentionPeriod | undefined {
  return periods[categoryId] ?? RETENTION[categoryId].period;
}

function periodOf(categoryId: RetentionCategoryId, periods: RetentionPeriods = cellPeriods): RetentionPeriod {
  const period = effectivePeriod(categoryId, periods);
  if (!period)
    throw new RangeError(`Retention category ${categoryId} has no period: it is kept without a TTL`);
  return period;
}

/** The DynamoDB TTL value (`expiresAt`, epoch seconds) for data of a category counted from `start`. */
export function expiresAt(categoryId: RetentionCategoryId, start: Date): number {
  if (Number.isNaN(start.getTime())) throw new RangeError('start must be a valid date');
  return Math.floor(addPeriod(start, periodOf(categoryId)).getTime() / 1000);
}

/** The `ByPurgeDay` bucket (YYYY-MM-DD in UTC) for an `expiresAt` value. */
export function purgeDayOf(expiresAtSeconds: number): string {
  return new Date(expiresAtSeconds * 1000).toISOString().slice(0, 10);
}

/** True when an item's `expiresAt` has passed: reads treat such an item as absent, since TTL deletes late. */
export function isExpired(item: { readonly expiresAt?: number }, now: Date): boolean {
  return item.expiresAt !== undefined && item.expiresAt * 1000 <= now.getTime();
}

/**
 * The period of a category in whole days, for stores that take days (S3 lifecycle, CloudWatch log retention,
 * point-in-time recovery): in this process's cell, or with a cell's `periods` (the stacks pass them).
 * Only categories with a fixed day or hour length qualify; calendar months vary and are refused.
 */
export function retentionDays(
  categoryId: RetentionCategoryId,
  periods: RetentionPeriods = cellPeriods,
): number {
  const period = periodOf(categoryId, periods);
  if (period.unit === 'days') return period.count;
  if (period.unit === 'hours' && period.count % 24 === 0) return period.count / 24;
  throw new RangeError(`Retention category ${categoryId} is not a whole number of days`);
}

/** A period in words, for documents: "36 months". */
export function describePeriod(period: RetentionPeriod | undefined): string {
  if (!period) return 'while the reason stands (no TTL)';
  return `${period.count} ${period.count === 1 ? period.unit.slice(0, -1) : period.unit}`;
}
