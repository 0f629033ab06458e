/**
 * Environment contract between the stacks and the handlers. The stacks set these variables through the
 * function construct's `bind*` helpers; handlers read them once at cold start and fail fast when one is missing.
 */

/** Construct ids of the cell's tables (the Data stack uses the same ids). */
export type TableId =
  | 'Tenants'
  | 'Subscribers'
  | 'ConsentLedger'
  | 'Suppressions'
  | 'MessageLog'
  | 'DsrRequests'
  | 'Campaigns'
  | 'AuditLog'
  | 'DailyStats'
  | 'Incidents'
  | 'Idempotency';

export type TableNames = Readonly<Record<TableId, string>>;

/**
 * An item write IAM authorises on a table. A transaction is authorised item by item as these; a BatchWriteItem
 * as a whole, and it may put or delete.
 */
export type TableWrite = 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem';

/** How a function may use a table: read it only, or read it and make exactly these writes. */
export type TableAccess = 'read' | readonly TableWrite[];

/** The writes an access grants: none for `read`. */
export const writesOf = (access: TableAccess): readonly TableWrite[] => (access === 'read' ? [] : access);

/**
 * The only writes any function may be granted on a table, where a table limits them. The consent ledger is
 * append-only (DESIGN §3): no function may change or delete a consent event, so its proof cannot be rewritten;
 * only TTL removes one.
 */
export const WRITES_A_TABLE_ALLOWS: Readonly<Partial<Record<TableId, readonly TableWrite[]>>> = {
  ConsentLedger: ['PutItem'],
};

/** `Subscribers` → `TABLE_SUBSCRIBERS`, `ConsentLedger` → `TABLE_CONSENT_LEDGER`. */
export const tableEnvVar = (id: TableId): string =>
  `TABLE_${id.replace(/(?<=[a-z])(?=[A-Z])/g, '_').toUpperCase()}`;

export const SUBJECT_ID_KEY_ENV = 'SUBJECT_ID_KEY_ID';
/** JSON object of the MPS of each send schedule of the cell, by identity name (`SendRates`). */
export const SEND_RATES_ENV = 'SEND_RATES';
/**
 * JSON array of the cell's inbound numbers: `{number, tenant, type?}` (`InboundNumber`), the E.164 number, the
 * tenant it belongs to, and the type of a provisioned origination identity.
 */
export const INBOUND_NUMBERS_ENV = 'INBOUND_NUMBERS';
/**
 * JSON object mapping tenant ids to their settings from the cell configuration (`ConfiguredTenant`): brand, contact,
 * and the channel of their origination identities. Optional: without it, settings come from the Tenants table.
 */
export const TENANT_PROFILES_ENV = 'TENANT_PROFILES';
/** The cell's End User Messaging opt-out list, which mirrors optline's opt-outs. */
export const OPT_OUT_LIST_ENV = 'OPT_OUT_LIST_NAME';
/** JSON array of the cell's tenant ids, for jobs that work through every tenant. */
export const CELL_TENANTS_ENV = 'CELL_TENANTS';
/** JSON object mapping Cognito app client ids to tenant ids. */
export const TENANT_CLIENTS_ENV = 'TENANT_CLIENTS';
/**
 * The privacy console's public Cognito app client: its access tokens name the tenant and role through the user's
 * group (`<tenant>.<role>`), not through the client id.
 */
export const CONSOLE_CLIENT_ID_ENV = 'CONSOLE_CLIENT_ID';
/** The console function's `config.json`: JSON of a `CognitoConsoleConfig` (lambdas/shared/console-config.ts). */
export const CONSOLE_CONFIG_ENV = 'CONSOLE_CONFIG';
/** The Cognito app client id of the platform operator, who has no tenant (DESIGN §12). */
export const OPERATOR_CLIENT_ENV = 'OPERATOR_CLIENT_ID';
/** JSON object mapping tenant ids to the ARN of their incident-notification SNS topic. */
export const INCIDENT_TOPICS_ENV = 'INCIDENT_TOPICS';

export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`Missing environment variable ${name}`);
  return value;
}

/** A JSON environment variable, parsed; `fallback` when it is not set. */
export function jsonEnv<T>(name: string, fallback: T, env: NodeJS.ProcessEnv = process.env): T {
  const value = env[name];
  return value === undefined || value === '' ? fallback : (JSON.parse(value) as T);
}

/** Names of the given tables, read from the environment. */
export function tableNamesFromEnv<T extends TableId>(
  ids: readonly T[],
  env: NodeJS.ProcessEnv = process.env,
): Record<T, string> {
  return Object.fromEntries(ids.map((id) => [id, requireEnv(tableEnvVar(id), env)])) as Record<T, string>;
}

/** The cell's privacy regime (`GDPR` or `CCPA`): it sets DSR deadlines. */
export const REGIME_ENV = 'CELL_REGIME';
/** URL of the queue the DSR routes put request ids on, for the DSR worker. */
export const DSR_QUEUE_URL_ENV = 'DSR_QUEUE_URL';
/** The campaign queue (fan-out pages and recipient dispatch), its ARN as a Scheduler target, and the role and
 * schedule group Scheduler starts a campaign at its `sendAt` with. */
export const CAMPAIGN_QUEUE_URL_ENV = 'CAMPAIGN_QUEUE_URL';
export const CAMPAIGN_QUEUE_ARN_ENV = 'CAMPAIGN_QUEUE_ARN';
export const CAMPAIGN_SCHEDULER_ROLE_ENV = 'CAMPAIGN_SCHEDULER_ROLE_ARN';
export const CAMPAIGN_SCHEDULE_GROUP_ENV = 'CAMPAIGN_SCHEDULE_GROUP';
/**
 * JSON object of the retention periods the cell overrides, by category (`lambdas/shared/retention-periods.ts`).
 * Optional: without it, the retention schedule's own periods apply.
 */
export const RETENTION_PERIODS_ENV = 'RETENTION_PERIODS';
/** Name of the cell's DSR export bucket. */
export const EXPORT_BUCKET_ENV = 'EXPORT_BUCKET';
