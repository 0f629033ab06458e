/**
 * The tables of the retention functions that are not scheduled jobs (those list theirs in the job registry).
 * Kept free of handler imports, like function-tables.ts, so the CDK app reads it without loading SDK clients.
 */
export const TTL_BACKSTOP_TABLES = ['Subscribers', 'MessageLog', 'AuditLog'] as const;
