/**
 * The tables each API function uses. The handlers read exactly these names from the environment, and the
 * Api stack binds exactly these tables: one list, so grants and code cannot drift apart. Kept free of
 * handler imports, so the CDK app can read it without loading SDK clients.
 */
/** Tenants and MessageLog: a double opt-in subscribe sends the "reply YES" SMS. AuditLog: legal holds. */
export const SUBSCRIBER_TABLES = [
  'Tenants',
  'Subscribers',
  'ConsentLedger',
  'Suppressions',
  'MessageLog',
  'AuditLog',
] as const;
export const MESSAGE_TABLES = [
  'Tenants',
  'Subscribers',
  'Suppressions',
  'MessageLog',
  'Idempotency',
] as const;
export const OPTOUT_TABLES = ['Subscribers', 'ConsentLedger', 'Suppressions'] as const;
export const INBOUND_TABLES = [
  'Tenants',
  'Subscribers',
  'ConsentLedger',
  'Suppressions',
  'MessageLog',
] as const;
/** The DSR routes: the requests themselves, and the audit entry written with each change. */
export const DSR_API_TABLES = ['DsrRequests', 'AuditLog'] as const;
/** The DSR worker reaches every table that holds the subject's data, by the subject's keys only. */
export const DSR_WORKER_TABLES = [
  'Subscribers',
  'ConsentLedger',
  'Suppressions',
  'MessageLog',
  'DsrRequests',
  'AuditLog',
] as const;
