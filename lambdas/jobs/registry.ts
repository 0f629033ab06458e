/**
 * The cell's scheduled jobs: when each runs and which tables it uses. The Api stack creates one schedule and
 * one function per entry and binds exactly these tables; the local server offers each at `/_local/jobs/<name>`.
 * Kept free of handler imports, so the CDK app can read it without loading SDK clients.
 */
import type { TableAccess, TableId } from '../shared/env';

export interface JobSpec {
  readonly description: string;
  /** EventBridge Scheduler cron fields, in UTC. */
  readonly cron: { readonly minute: string; readonly hour: string; readonly weekDay?: string };
  readonly tables: Partial<Record<TableId, TableAccess>>;
  /** Whether the job derives subject ids from phone numbers (KMS GenerateMac). */
  readonly subjectIdKey: boolean;
  /** @default 300 */
  readonly timeoutSeconds?: number;
}

export const JOBS = {
  'optout-reconcile': {
    description:
      'Imports opt-outs recorded by carriers and providers (SNS and End User Messaging opt-out lists), and ' +
      'retries provider removals after a re-opt-in',
    cron: { minute: '30', hour: '2' },
    // Imported opt-outs (as the opt-out routes record them); retried provider removals are marked done.
    tables: {
      Subscribers: ['DeleteItem'],
      ConsentLedger: ['PutItem'],
      Suppressions: ['PutItem', 'UpdateItem'],
      // The opt-outs it imports count as the routes' do.
      DailyStats: ['UpdateItem'],
    },
    subjectIdKey: true,
    timeoutSeconds: 900,
  },
  'purge-inactive': {
    description:
      'Deletes subscribers inactive for 36 months (MASS policy) with their marketing item and messages, walking ' +
      'the ByPurgeDay index from its watermark; keeps the consent ledger and suppressions',
    cron: { minute: '0', hour: '3' },
    // Claims and deletes expired profiles, batch-deletes their messages, audits, and moves its watermark.
    tables: {
      Subscribers: ['UpdateItem', 'DeleteItem'],
      MessageLog: ['BatchWriteItem'],
      AuditLog: ['PutItem', 'UpdateItem'],
    },
    subjectIdKey: false,
    timeoutSeconds: 900,
  },
  'retention-sweep': {
    description:
      'Counts items still stored more than 3 days past their expiresAt, with bounded queries, and emits the ' +
      'RetentionOverdueItems metric, which has an alarm',
    cron: { minute: '0', hour: '4', weekDay: 'MON' },
    tables: { Subscribers: 'read', AuditLog: 'read' },
    subjectIdKey: false,
  },
  'dsr-deadlines': {
    description:
      'Publishes DsrDueSoon and DsrOverdue for open data-subject requests (alarm on overdue) and re-queues ' +
      'requests whose enqueue was lost',
    cron: { minute: '0', hour: '6' },
    // Reads the ByStatusDue index only; re-queued ids go to the DSR queue (bound in the Api stack).
    tables: { DsrRequests: 'read' },
    subjectIdKey: false,
  },
  'incident-deadlines': {
    description:
      'Retries the delivery of unsent breach notifications, then publishes IncidentNotificationsAtRisk, the ' +
      'unsent ones within 12 hours of their 72-hour deadline or past it (alarm when above 0)',
    // Hourly, so that a notification at risk raises the alarm with 11 hours or more left (DESIGN §12).
    cron: { minute: '15', hour: '*' },
    // Reads the ByUnsent index; claims and marks notifications (updates), each delivery with its audit entry.
    tables: { Incidents: ['UpdateItem'], AuditLog: ['PutItem'] },
    subjectIdKey: false,
  },
} as const satisfies Record<string, JobSpec>;

export type JobName = keyof typeof JOBS;

export const JOB_NAMES = Object.keys(JOBS) as JobName[];

/** `optout-reconcile` → `OptoutReconcile`: construct ids and metric names. */
export const jobConstructId = (name: JobName): string =>
  name.replace(/(^|-)(\w)/g, (_, __, letter: string) => letter.toUpperCase());

/** The tables of a job, typed, so its entry point reads exactly the tables the stack binds. */
export const jobTables = <N extends JobName>(name: N): Array<keyof (typeof JOBS)[N]['tables'] & TableId> =>
  Object.keys(JOBS[name].tables) as Array<keyof (typeof JOBS)[N]['tables'] & TableId>;
