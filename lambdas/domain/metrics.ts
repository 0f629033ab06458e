/** The count of items still readable more than the grace period past their `expiresAt` (alarmed on). */
export const RETENTION_OVERDUE_METRIC = 'RetentionOverdueItems';
