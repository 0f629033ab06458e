/**
 * Personal data breaches (DESIGN §12): the operator records an incident, optline works out which tenants of the
 * cell it touches and roughly how much, and writes each of them one notification with the contents GDPR
 * Art. 33(3) requires, due within 72 hours of detection (Art. 33(2); MASS policy: "we will notify the controller
 * within 72 hours of first becoming aware of the breach"). Pure: the store, the activity counts and the channel
 * are ports; no AWS SDK.
 */
import { createHash } from 'node:crypto';
import type { RecordIncidentRequest } from '../shared/incident-schemas';
import { ConflictError, InvalidInputError, NotFoundError, TimestampOutOfRangeError } from '../shared/problem';
import { auditRecord, type AuditRecord } from './audit';
import { keyHashOf } from './campaigns';
import { statsDays, type DailyCounter, type StoredCounts } from './daily-stats';
import { expiresAt, RETENTION, type RetentionCategoryId } from './retention';

/** GDPR Art. 33(2) and the MASS policy: the controller is notified within 72 hours of awareness. */
export const NOTIFY_WITHIN_HOURS = 72;
/** The deadline check raises its alarm when a notification is still unsent this long before notifyBy. */
export const AT_RISK_HOURS_BEFORE = 12;
/** Clocks disagree a little: a detection this far ahead of ours is still accepted as now. */
export const DETECTION_CLOCK_SKEW_MS = 5 * 60_000;
/** The longest window one incident may name: a year, like the daily statistics' longest range. */
export const MAX_WINDOW_DAYS = 366;
/**
 * An incident and its notifications are written in one TransactWriteItems, which takes at most 100 items: the
 * key, the incident and the operator's audit entry, then a notification and an audit entry per tenant.
 */
export const MAX_TENANTS_PER_INCIDENT = 48;
/** The audit partition of the operator, who has no tenant; tenant ids never contain parentheses. */
export const OPERATOR_AUDIT_PARTITION = '(operator)';

const MS_PER_HOUR = 3_600_000;

export interface IncidentRecord {
  readonly incidentId: string;
  readonly detectedAt: string;
  readonly notifyBy: string;
  readonly summary: string;
  readonly window: { readonly from: string; readonly to: string };
  readonly categories: readonly RetentionCategoryId[];
  readonly measures: string;
  readonly contact: string;
  readonly createdAt: string;
  /** The affected tenants, one notification each. */
  readonly tenants: readonly string[];
  readonly requestHash: string;
  readonly expiresAt: number;
}

export interface CategoryEstimate {
  readonly category: RetentionCategoryId;
  readonly title: string;
  readonly approximateRecords: number | null;
  readonly approximateSubjects: number | null;
  readonly derivation: string;
  readonly likelyConsequences: string;
}

/** One tenant's notification: the Art. 33(3) contents, then its delivery and acknowledgement. */
export interface NotificationRecord {
  readonly tenantId: string;
  readonly incidentId: string;
  readonly detectedAt: string;
  readonly notifyBy: string;
  readonly window: { readonly from: string; readonly to: string };
  /** (a) the nature of the breach, with the categories and approximate numbers below. */
  readonly nature: string;
  readonly categories: readonly CategoryEstimate[];
  readonly approximateRecords: number;
  readonly approximateSubjects: number;
  /** (b) the contact point. */
  readonly contact: string;
  /** (c) the likely consequences. */
  readonly likelyConsequences: string;
  /** (d) the measures taken or proposed. */
  readonly measures: string;
  readonly createdAt: string;
  readonly notifiedAt?: string;
  readonly acknowledgedAt?: string;
  readonly expiresAt: number;
}

/** How much of one tenant's data a window holds, from bounded queries only. */
export interface ActivitySource {
  /** The tenant's daily aggregates on the UTC days `from`..`to` (one key-range query). */
  dailyCounts(tenantId: string, fromDay: string, toDay: string): Promise<StoredCounts>;
  /** The tenant's audit entries on these UTC days (one query per day partition): how many, and of how many subjects. */
  auditActivity(tenantId: string, days: readonly string[]): Promise<{ records: number; subjects: number }>;
}

export interface IncidentStore {
  /** The incident an idempotency key created, if it still stands. */
  findByKey(keyHash: string, now: Date): Promise<IncidentRecord | undefined>;
  /**
   * Writes the key, the incident, its notifications and their audit entries in one transaction; 'exists' with
   * the stored incident when the key was taken meanwhile.
   */
  create(
    incident: IncidentRecord,
    keyHash: string,
    notifications: readonly NotificationRecord[],
    audits: readonly AuditRecord[],
  ): Promise<{ outcome: 'created' | 'exists'; incident: IncidentRecord }>;
  getIncident(incidentId: string, now: Date): Promise<IncidentRecord | undefined>;
  /** The notifications of these tenants for the incident (read by key). */
  notificationsOf(incident: IncidentRecord): Promise<NotificationRecord[]>;
  listForTenant(tenantId: string, now: Date): Promise<NotificationRecord[]>;
  getForTenant(tenantId: string, incidentId: string, now: Date): Promise<NotificationRecord | undefined>;
  /** Every notification not yet delivered, soonest notifyBy first (a sparse index). */
  unsent(): Promise<NotificationRecord[]>;
  /** Takes the delivery of an unsent notification for `leaseMs`; false when delivered or taken by another run. */
  claimDelivery(notification: NotificationRecord, now: Date, leaseMs: number): Promise<boolean>;
  /** Gives a claim back after a failed delivery, so the next run retries at once. */
  releaseDelivery(notification: NotificationRecord): Promise<void>;
  /** Sets notifiedAt once, with its audit entry; false when it was already set. */
  markNotified(notification: NotificationRecord, now: Date, audit: AuditRecord): Promise<boolean>;
  /** Sets acknowledgedAt once, with its audit entry; the stored notification, or undefined when absent. */
  acknowledge(
    tenantId: string,
    incidentId: string,
    now: Date,
    audit: AuditRecord,
  ): Promise<NotificationRecord | undefined>;
}

/** The tenant's notification channel: an SNS topic per tenant deployed, an outbox locally. */
export interface IncidentNotifier {
  notify(notification: NotificationRecord): Promise<void>;
}

export interface IncidentDeps {
  readonly incidents: IncidentStore;
  readonly activity: ActivitySource;
  readonly notifier: IncidentNotifier;
  /** The tenants of the cell: every one is considered, none is scanned for. */
  readonly cellTenants: readonly string[];
  readonly clock: () => Date;
  readonly newId: () => string;
}

/** What the numbers of a category are counted from, and what its exposure likely means for the subjects. */
interface CategoryCounting {
  /** Daily counters whose sum is the number of records; `audit` for the day-partitioned audit log; none: uncounted. */
  readonly source?: readonly DailyCounter[] | 'audit';
  readonly derivation: string;
  readonly likelyConsequences: string;
}

const UNCOUNTED =
  'No per-day source counts these records, so no number is given; every tenant of the cell is notified';
const AT_MOST = 'each record counted as a distinct data subject, so the number of subjects is at most this';

const COUNTING: Readonly<Record<RetentionCategoryId, CategoryCounting>> = {
  subscriberProfile: {
    derivation: UNCOUNTED,
    likelyConsequences:
      'Phone numbers, locale and time zone may be known to others: unsolicited contact, phishing.',
  },
  marketingAttributes: {
    derivation: UNCOUNTED,
    likelyConsequences: 'Interests (topics, segments) may be known to others: profiling, targeted phishing.',
  },
  messageTraffic: {
    source: ['sent', 'failed', 'inbound'],
    derivation: `Messages sent, failed and received on the UTC days of the window, from the daily aggregates; ${AT_MOST}`,
    likelyConsequences:
      'Phone numbers and message texts may be known to others: unsolicited contact, phishing, disclosure of ' +
      'what the messages said.',
  },
  campaignRecords: {
    derivation: UNCOUNTED,
    likelyConsequences:
      'Campaign texts and which pseudonymous subjects received them may be known to others.',
  },
  consentProof: {
    source: ['optIns', 'optOuts'],
    derivation: `Opt-ins and opt-outs recorded on the UTC days of the window, from the daily aggregates; ${AT_MOST}`,
    likelyConsequences:
      'Consent evidence (IP address, user agent, keyword text) may be known to others, or be altered so that ' +
      'consent cannot be proven.',
  },
  dsrRecord: {
    source: ['dsrReceived'],
    derivation: `Data-subject requests received on the UTC days of the window, from the daily aggregates; ${AT_MOST}`,
    likelyConsequences:
      'That a person exercised a right, and its verification evidence, may be known to others.',
  },
  auditEvents: {
    source: 'audit',
    derivation:
      'Audit entries of the UTC days of the window, read partition by partition (one per day); subjects are the ' +
      'distinct pseudonymous subject ids among them',
    likelyConsequences: 'Which pseudonymous subjects were acted on, and when, may be known to others.',
  },
  dailyAggregates: {
    source: [],
    derivation: 'Anonymised counts: no data subject is concerned',
    likelyConsequences: 'None for data subjects: the counts are anonymised.',
  },
  tenantAccount: {
    derivation: UNCOUNTED,
    likelyConsequences: 'The tenant’s own account and contact data may be known to others.',
  },
  incidentRecords: {
    derivation: UNCOUNTED,
    likelyConsequences: 'Details of earlier incidents may be known to others.',
  },
  optOutSuppression: {
    derivation: UNCOUNTED,
    likelyConsequences:
      'Pseudonymous opt-outs may be altered or lost: a person who opted out could be messaged again.',
  },
  dsrExportFiles: {
    derivation: UNCOUNTED,
    likelyConsequences: 'Complete copies of a subject’s data may be known to others.',
  },
  idempotencyRecords: {
    derivation: UNCOUNTED,
    likelyConsequences: 'Recent requests, phone numbers among them, may be known to others.',
  },
  serviceLogs: {
    source: [],
    derivation: 'Logs hold ids and counts, no personal data: no data subject is concerned',
    likelyConsequences: 'None for data subjects: the logs hold no personal data.',
  },
  tableBackups: {
    derivation: UNCOUNTED,
    likelyConsequences: 'Earlier versions of any item, deleted ones included, may be known to others.',
  },
};

const hash = (text: string): string => createHash('sha256').update(text).digest('base64url');

/** The request as its idempotency key must find it again: a retry must carry the same body. */
const requestHashOf = (request: RecordIncidentRequest): string =>
  hash(
    JSON.stringify([
      request.detectedAt,
      request.summary,
      request.window.from,
      request.window.to,
      [...request.categories].sort(),
      request.measures,
      request.contact,
    ]),
  );

/** detectedAt + 72 hours. */
export const notifyByOf = (detectedAt: Date): Date =>
  new Date(detectedAt.getTime() + NOTIFY_WITHIN_HOURS * MS_PER_HOUR);

/**
 * The rules across fields no schema states: the window runs forward and spans at most a year (400), and the
 * breach was detected neither in the future nor before the incident records' retention (422
 * timestamp-out-of-range).
 */
export function checkIncident(request: RecordIncidentRequest, now: Date): void {
  const from = Date.parse(request.window.from);
  const to = Date.parse(request.window.to);
  if (to < from)
    throw new InvalidInputError([{ field: 'window.to', message: 'must not be before window.from' }]);
  if (to - from > MAX_WINDOW_DAYS * 24 * MS_PER_HOUR) {
    throw new InvalidInputError([
      { field: 'window.to', message: `the window may span at most ${MAX_WINDOW_DAYS} days` },
    ]);
  }
  const detectedAt = Date.parse(request.detectedAt);
  if (detectedAt > now.getTime() + DETECTION_CLOCK_SKEW_MS) {
    throw new TimestampOutOfRangeError('detectedAt', 'must not be in the future');
  }
  // The record would be past its own retention, and expire as it is written.
  if (expiresAt('incidentRecords', new Date(detectedAt)) * 1000 <= now.getTime()) {
    throw new TimestampOutOfRangeError('detectedAt', 'must be within the 5 years incident records are kept');
  }
}

const utcDayOf = (iso: string): string => new Date(iso).toISOString().slice(0, 10);

/**
 * One tenant's categories with their approximate numbers. The tenant is affected when a counted category holds
 * records in the window, or when a category cannot be counted (the breach cannot be ruled out for it).
 */
export async function estimateTenant(
  activity: ActivitySource,
  tenantId: string,
  request: Pick<RecordIncidentRequest, 'window' | 'categories'>,
): Promise<{ affected: boolean; categories: CategoryEstimate[] }> {
  const fromDay = utcDayOf(request.window.from);
  const toDay = utcDayOf(request.window.to);
  const uniqueCategories = [...new Set(request.categories)];
  const needsCounts = uniqueCategories.some((c) => Array.isArray(COUNTING[c].source));
  const counts = needsCounts ? await activity.dailyCounts(tenantId, fromDay, toDay) : new Map();
  const audit = uniqueCategories.some((c) => COUNTING[c].source === 'audit')
    ? await activity.auditActivity(tenantId, statsDays(fromDay, toDay))
    : undefined;

  let affected = false;
  const categories = uniqueCategories.map((category): CategoryEstimate => {
    const { source, derivation, likelyConsequences } = COUNTING[category];
    let records: number | null = null;
    let subjects: number | null = null;
    if (source === 'audit') {
      records = audit!.records;
      subjects = audit!.subjects;
    } else if (source) {
      records = 0;
      for (const day of counts.values()) for (const counter of source) records += day[counter] ?? 0;
      subjects = records;
    }
    if (records === null || records > 0) affected = true;
    return {
      category,
      title: RETENTION[category].title,
      approximateRecords: records,
      approximateSubjects: subjects,
      derivation,
      likelyConsequences,
    };
  });
  return { affected, categories };
}

/** The tenant's notification of an incident, with the Art. 33(3) contents. No phone number, no message body. */
export function notificationFor(
  incident: IncidentRecord,
  tenantId: string,
  categories: readonly CategoryEstimate[],
): NotificationRecord {
  const sum = (pick: (c: CategoryEstimate) => number | null): number =>
    categories.reduce((total, c) => total + (pick(c) ?? 0), 0);
  return {
    tenantId,
    incidentId: incident.incidentId,
    detectedAt: incident.detectedAt,
    notifyBy: incident.notifyBy,
    window: incident.window,
    nature: incident.summary,
    categories,
    approximateRecords: sum((c) => c.approximateRecords),
    approximateSubjects: sum((c) => c.approximateSubjects),
    contact: incident.contact,
    likelyConsequences: [...new Set(categories.map((c) => c.likelyConsequences))].join(' '),
    measures: incident.measures,
    createdAt: incident.createdAt,
    expiresAt: incident.expiresAt,
  };
}

/** What a tenant reads and is sent: the notification without its storage fields. */
export function notificationView(
  notification: NotificationRecord,
): Omit<NotificationRecord, 'tenantId' | 'expiresAt'> {
  const { tenantId: _tenantId, expiresAt: _expiresAt, ...view } = notification;
  return view;
}

/** How long one delivery may take before another run may try the same notification again. */
export const DELIVERY_LEASE_MS = 60_000;

/**
 * Delivers one notification at most once at a time: claimed for a lease, sent, then marked notified with its
 * audit entry. A failure releases the claim for the next run. A crash between sending and marking leaves the
 * claim to lapse and the notification is sent again: a tenant may see it twice, with the same incidentId, never
 * not at all.
 */
export async function deliverNotification(
  deps: Pick<IncidentDeps, 'incidents' | 'notifier' | 'clock'>,
  notification: NotificationRecord,
): Promise<'delivered' | 'skipped' | 'failed'> {
  if (!(await deps.incidents.claimDelivery(notification, deps.clock(), DELIVERY_LEASE_MS))) return 'skipped';
  try {
    await deps.notifier.notify(notification);
  } catch {
    await deps.incidents.releaseDelivery(notification);
    return 'failed';
  }
  const now = deps.clock();
  const entry = auditRecord(
    {
      tenantId: notification.tenantId,
      actor: 'system',
      action: 'incident_notification_delivered',
      requestId: notification.incidentId,
      outcome: 'delivered',
    },
    now,
  );
  await deps.incidents.markNotified(notification, now, entry);
  return 'delivered';
}

/**
 * `POST /v1/incidents`: records the incident and one notification per affected tenant in one transaction, then
 * delivers them (the deadline job retries any that fail). A retry with the same key answers the same incident;
 * the same key with another body is 409.
 */
export async function recordIncident(
  deps: IncidentDeps,
  operator: string,
  key: string,
  request: RecordIncidentRequest,
): Promise<{ incident: IncidentRecord; created: boolean; delivered: number }> {
  const now = deps.clock();
  checkIncident(request, now);
  const keyHash = keyHashOf(OPERATOR_AUDIT_PARTITION, key);
  const requestHash = requestHashOf(request);
  const answer = (incident: IncidentRecord) => {
    if (incident.requestHash !== requestHash) {
      throw new ConflictError({ detail: 'This Idempotency-Key was used for another incident.' });
    }
    return { incident, created: false, delivered: 0 };
  };
  const known = await deps.incidents.findByKey(keyHash, now);
  if (known) return answer(known);

  const estimates = [];
  for (const tenantId of deps.cellTenants) {
    const estimate = await estimateTenant(deps.activity, tenantId, request);
    if (estimate.affected) estimates.push({ tenantId, categories: estimate.categories });
  }
  if (estimates.length > MAX_TENANTS_PER_INCIDENT) {
    throw new Error(`An incident may notify at most ${MAX_TENANTS_PER_INCIDENT} tenants in one transaction`);
  }
  const detectedAt = new Date(request.detectedAt);
  const incident: IncidentRecord = {
    incidentId: deps.newId(),
    detectedAt: detectedAt.toISOString(),
    notifyBy: notifyByOf(detectedAt).toISOString(),
    summary: request.summary,
    window: {
      from: new Date(request.window.from).toISOString(),
      to: new Date(request.window.to).toISOString(),
    },
    categories: [...new Set(request.categories)],
    measures: request.measures,
    contact: request.contact,
    createdAt: now.toISOString(),
    tenants: estimates.map((e) => e.tenantId),
    requestHash,
    expiresAt: expiresAt('incidentRecords', detectedAt),
  };
  const notifications = estimates.map((e) => notificationFor(incident, e.tenantId, e.categories));
  const audits = [
    auditRecord(
      {
        tenantId: OPERATOR_AUDIT_PARTITION,
        actor: operator,
        action: 'incident_recorded',
        requestId: incident.incidentId,
        outcome: 'recorded',
        counts: { affectedTenants: notifications.length, categories: incident.categories.length },
      },
      now,
    ),
    ...notifications.map((n) =>
      auditRecord(
        {
          tenantId: n.tenantId,
          actor: operator,
          action: 'incident_notification_created',
          requestId: n.incidentId,
          outcome: 'pending',
          counts: { approximateRecords: n.approximateRecords, approximateSubjects: n.approximateSubjects },
        },
        now,
      ),
    ),
  ];
  const stored = await deps.incidents.create(incident, keyHash, notifications, audits);
  if (stored.outcome === 'exists') return answer(stored.incident);

  let delivered = 0;
  for (const notification of notifications) {
    try {
      if ((await deliverNotification(deps, notification)) === 'delivered') delivered += 1;
    } catch {
      // Recorded all the same: the hourly incident-deadlines job delivers what is still unsent.
    }
  }
  return { incident, created: true, delivered };
}

/** `GET /v1/incidents/{id}`: 404 when unknown or expired. */
export async function viewIncident(
  deps: Pick<IncidentDeps, 'incidents' | 'clock'>,
  incidentId: string,
): Promise<{ incident: IncidentRecord; notifications: NotificationRecord[] }> {
  const incident = await deps.incidents.getIncident(incidentId, deps.clock());
  if (!incident) throw new NotFoundError({ detail: 'No incident with this id.' });
  return { incident, notifications: await deps.incidents.notificationsOf(incident) };
}

/** A tenant's acknowledgement: the first sets acknowledgedAt (audited), a repeat answers the same; foreign is 404. */
export async function acknowledgeNotification(
  deps: Pick<IncidentDeps, 'incidents' | 'clock'>,
  tenantId: string,
  actor: string,
  incidentId: string,
): Promise<NotificationRecord> {
  const now = deps.clock();
  const entry = auditRecord(
    {
      tenantId,
      actor,
      action: 'incident_notification_acknowledged',
      requestId: incidentId,
      outcome: 'acknowledged',
    },
    now,
  );
  const stored = await deps.incidents.acknowledge(tenantId, incidentId, now, entry);
  if (!stored) throw new NotFoundError({ detail: 'No incident notification with this id.' });
  return stored;
}

export type DeadlineState = 'notified' | 'pending' | 'at_risk' | 'overdue';

/**
 * Where an unsent notification stands against its deadline: `at_risk` from 12 hours before notifyBy, `overdue`
 * from notifyBy; a delivered one is `notified` whatever the time.
 */
export function deadlineState(
  notification: Pick<NotificationRecord, 'notifyBy' | 'notifiedAt'>,
  now: Date,
): DeadlineState {
  if (notification.notifiedAt) return 'notified';
  const notifyBy = Date.parse(notification.notifyBy);
  if (now.getTime() >= notifyBy) return 'overdue';
  if (now.getTime() >= notifyBy - AT_RISK_HOURS_BEFORE * MS_PER_HOUR) return 'at_risk';
  return 'pending';
}
