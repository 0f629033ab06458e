/**
 * The tables each function uses, and exactly which writes it may make on each. The handlers read these tables'
 * names from the environment, the Api stack grants exactly these writes (beside reads), and an integration test
 * runs every write path and checks that each function makes exactly the writes listed for it: one declaration,
 * so grants and code cannot drift apart. Kept free of handler imports, so the CDK app can read it without
 * loading SDK clients.
 *
 * Deletes are granted only where DESIGN §2 deletes: the purge, the TTL backstop and erasure remove profiles and
 * messages; an opt-out removes the marketing item (IAM cannot tell that item from the profile it sits beside, so
 * an opt-out function could delete either; its code deletes only the marketing item); an opt-in or a new
 * subscription clears a suppression.
 *
 * Every function that records a counted event (a message logged or delivered, a consent event, a DSR received or
 * completed) may UpdateItem DailyStats, in the same transaction; nothing may delete there, and erasure, the purge
 * and the TTL backstop have no access to it at all (DESIGN §11: the aggregates survive them).
 */
import { JOBS, type JobName } from '../jobs/registry';
import type { TableAccess, TableId } from '../shared/env';

/** One function's tables and what it may do with each. */
export type FunctionTables = Readonly<Partial<Record<TableId, TableAccess>>>;

/** The tables of a declaration, typed, for the entry point that reads their names. */
const tablesOf = <T extends FunctionTables>(access: T): Array<keyof T & TableId> =>
  Object.keys(access) as Array<keyof T & TableId>;

export const SUBSCRIBER_ACCESS = {
  Tenants: 'read',
  // Create; change, record interactions, place and release legal holds. The audience index moves with a
  // subscription or a change of topics: entries are put and deleted.
  Subscribers: ['PutItem', 'UpdateItem', 'DeleteItem'],
  ConsentLedger: ['PutItem'],
  // The consent head; a new subscription clears the suppression of its scope.
  Suppressions: ['UpdateItem', 'DeleteItem'],
  // The double opt-in "reply YES" SMS.
  MessageLog: ['PutItem'],
  // Legal-hold audit entries; releasing an old hold moves the purge watermark back.
  AuditLog: ['PutItem', 'UpdateItem'],
  // A slot on the origination identity's shared send schedule (lambdas/adapters/dynamo/send-rate-store.ts).
  Idempotency: ['UpdateItem'],
  // Opt-ins of new subscriptions; sends of "reply YES".
  DailyStats: ['UpdateItem'],
} as const satisfies FunctionTables;
export const SUBSCRIBER_TABLES = tablesOf(SUBSCRIBER_ACCESS);

export const MESSAGE_ACCESS = {
  Tenants: 'read',
  // Consent, suppression and restriction are only read: sending is not an interaction.
  Subscribers: 'read',
  Suppressions: 'read',
  MessageLog: ['PutItem'],
  // Powertools idempotency: claim, complete, and delete the claim when the send fails; and the send slot (UpdateItem).
  Idempotency: ['PutItem', 'UpdateItem', 'DeleteItem'],
  DailyStats: ['UpdateItem'],
} as const satisfies FunctionTables;
export const MESSAGE_TABLES = tablesOf(MESSAGE_ACCESS);

/** An opt-out: the suppression and its consent head, the ledger event, and (for `all`) the marketing item. */
export const OPTOUT_ACCESS = {
  Subscribers: ['DeleteItem'],
  ConsentLedger: ['PutItem'],
  Suppressions: ['PutItem', 'UpdateItem'],
  DailyStats: ['UpdateItem'],
} as const satisfies FunctionTables;
export const OPTOUT_TABLES = tablesOf(OPTOUT_ACCESS);

export const INBOUND_ACCESS = {
  Tenants: 'read',
  // A reply is an interaction; YES confirms a double opt-in (and puts its audience index entries); STOP removes
  // the marketing item.
  Subscribers: ['PutItem', 'UpdateItem', 'DeleteItem'],
  ConsentLedger: ['PutItem'],
  // STOP suppresses, START clears, the confirmation is marked sent.
  Suppressions: ['PutItem', 'UpdateItem', 'DeleteItem'],
  // The inbound message itself, confirmation and HELP replies.
  MessageLog: ['PutItem'],
  // A slot on the origination identity's shared send schedule (lambdas/adapters/dynamo/send-rate-store.ts).
  Idempotency: ['UpdateItem'],
  // Inbound messages, opt-outs, opt-ins and replies sent.
  DailyStats: ['UpdateItem'],
} as const satisfies FunctionTables;
export const INBOUND_TABLES = tablesOf(INBOUND_ACCESS);

/** The DSR routes: the requests themselves, and the audit entry written with each change. */
export const DSR_API_ACCESS = {
  DsrRequests: ['PutItem', 'UpdateItem'],
  AuditLog: ['PutItem'],
  // Requests received.
  DailyStats: ['UpdateItem'],
} as const satisfies FunctionTables;
export const DSR_API_TABLES = tablesOf(DSR_API_ACCESS);

/** The DSR worker reaches every table that holds the subject's data, by the subject's keys only. */
export const DSR_WORKER_ACCESS = {
  // Erasure deletes the profile and marketing item; restriction and rectification change the profile, and move
  // its audience index entries with it (a rectification of topics puts some).
  Subscribers: ['PutItem', 'UpdateItem', 'DeleteItem'],
  // An objection is an opt-out.
  ConsentLedger: ['PutItem'],
  Suppressions: ['PutItem', 'UpdateItem'],
  // Erasure deletes the subject's messages in batches.
  MessageLog: ['BatchWriteItem'],
  DsrRequests: ['UpdateItem'],
  AuditLog: ['PutItem'],
  // Requests completed, and an objection's opt-out.
  DailyStats: ['UpdateItem'],
} as const satisfies FunctionTables;
export const DSR_WORKER_TABLES = tablesOf(DSR_WORKER_ACCESS);

/** The campaign routes: a campaign and its idempotency key in one transaction; a cancel. */
export const CAMPAIGN_API_ACCESS = {
  Tenants: 'read',
  Campaigns: ['PutItem', 'UpdateItem'],
} as const satisfies FunctionTables;
export const CAMPAIGN_API_TABLES = tablesOf(CAMPAIGN_API_ACCESS);

/**
 * The campaign worker: the fan-out reads the audience and advances the campaign; dispatch claims and settles
 * each recipient (updates only) and sends through the 1:1 send path, which reads the recipient and logs the
 * message.
 */
export const CAMPAIGN_WORKER_ACCESS = {
  Tenants: 'read',
  Subscribers: 'read',
  Suppressions: 'read',
  MessageLog: ['PutItem'],
  Campaigns: ['UpdateItem'],
  // A slot on the origination identity's shared send schedule (lambdas/adapters/dynamo/send-rate-store.ts).
  Idempotency: ['UpdateItem'],
  DailyStats: ['UpdateItem'],
} as const satisfies FunctionTables;
export const CAMPAIGN_WORKER_TABLES = tablesOf(CAMPAIGN_WORKER_ACCESS);

/** Delivery receipts move a message's status forward, and count a delivery or failure with it. */
export const DELIVERY_STATUS_ACCESS = {
  MessageLog: ['UpdateItem'],
  DailyStats: ['UpdateItem'],
} as const satisfies FunctionTables;
export const DELIVERY_STATUS_TABLES = tablesOf(DELIVERY_STATUS_ACCESS);

/** The daily statistics route reads the aggregates, nothing else. */
export const STATS_ACCESS = { DailyStats: 'read' } as const satisfies FunctionTables;
export const STATS_TABLES = tablesOf(STATS_ACCESS);

/**
 * The incident routes (DESIGN §12): the operator's incident, its key and one notification per affected tenant in
 * one transaction with their audit entries; deliveries and acknowledgements update a notification. The affected
 * tenants are counted from the daily aggregates and the audit log's day partitions, which are only read.
 */
export const INCIDENT_ACCESS = {
  Incidents: ['PutItem', 'UpdateItem'],
  AuditLog: ['PutItem'],
  DailyStats: 'read',
} as const satisfies FunctionTables;
export const INCIDENT_TABLES = tablesOf(INCIDENT_ACCESS);

/**
 * After a TTL deletion: the marketing item, the messages and the audience index entries go too, with a
 * count-only audit summary.
 */
export const TTL_BACKSTOP_ACCESS = {
  Subscribers: ['DeleteItem'],
  MessageLog: ['BatchWriteItem'],
  AuditLog: ['PutItem'],
} as const satisfies FunctionTables;
export const TTL_BACKSTOP_TABLES = tablesOf(TTL_BACKSTOP_ACCESS);

/**
 * Every function of a cell that uses tables, with its access (the scheduled jobs declare theirs in the job
 * registry): what the stacks grant and the tests hold.
 */
export const FUNCTION_TABLE_ACCESS = {
  subscribers: SUBSCRIBER_ACCESS,
  messages: MESSAGE_ACCESS,
  optouts: OPTOUT_ACCESS,
  dsr: DSR_API_ACCESS,
  campaigns: CAMPAIGN_API_ACCESS,
  stats: STATS_ACCESS,
  incidents: INCIDENT_ACCESS,
  'campaign-worker': CAMPAIGN_WORKER_ACCESS,
  'inbound-sms': INBOUND_ACCESS,
  'dsr-worker': DSR_WORKER_ACCESS,
  'delivery-status': DELIVERY_STATUS_ACCESS,
  'ttl-backstop': TTL_BACKSTOP_ACCESS,
  'optout-reconcile': JOBS['optout-reconcile'].tables,
  'purge-inactive': JOBS['purge-inactive'].tables,
  'retention-sweep': JOBS['retention-sweep'].tables,
  'dsr-deadlines': JOBS['dsr-deadlines'].tables,
  'incident-deadlines': JOBS['incident-deadlines'].tables,
} as const satisfies Record<FunctionName, FunctionTables>;

export type FunctionName =
  | 'subscribers'
  | 'messages'
  | 'optouts'
  | 'dsr'
  | 'campaigns'
  | 'stats'
  | 'incidents'
  | 'campaign-worker'
  | 'inbound-sms'
  | 'dsr-worker'
  | 'delivery-status'
  | 'ttl-backstop'
  | JobName;
