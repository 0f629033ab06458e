/**
 * The retention sweep (DESIGN §2): a weekly check that deletion really happens. It counts items that are still
 * stored more than a grace period (3 days: DynamoDB TTL deletes typically within two) after their `expiresAt`,
 * in the stores that can be read by expiry with bounded queries:
 * - Subscribers profiles, through the `ByPurgeDay` index, one bucket per day of the look-back window;
 * - AuditLog entries, through their tenant-and-day partitions: an entry written on day D expires 5 years later
 *   (MessageBird 7.4), so the partitions to read are those of the window 5 years back.
 * The stores keyed by subject (MessageLog, ConsentLedger) have no index by time and are not swept: reading them
 * would mean reading every subject's partition, which is a scan by another name.
 */
import { addDays, dayOf } from './purge';
import { addCalendarMonths, RETENTION } from './retention';

export interface RetentionSweepStore {
  overdueProfiles(day: string, cutoff: number): Promise<number>;
  overdueAuditEntries(tenantId: string, day: string, cutoff: number): Promise<number>;
}

/** Days after `expiresAt` an item may still be stored before it counts as overdue. */
export const GRACE_DAYS = 3;

export interface SweepWindow {
  /** Epoch seconds: items with `expiresAt` at or before it are overdue. */
  readonly cutoff: number;
  /** `ByPurgeDay` buckets to read, oldest first. */
  readonly profileDays: readonly string[];
  /** AuditLog day partitions to read, oldest first. */
  readonly auditDays: readonly string[];
}

/** The days a sweep at `now` reads: `lookbackDays` of buckets (and partitions) ending at the cutoff. */
export function sweepWindow(now: Date, lookbackDays: number): SweepWindow {
  const cutoffInstant = new Date(now.getTime() - GRACE_DAYS * 86_400_000);
  const lastBucket = dayOf(cutoffInstant);
  const auditMonths = RETENTION.auditEvents.period!.count * 12;
  // The end-of-month rule can put an entry's expiry a few days before the same date 5 years on: one day more.
  const lastAuditDay = addDays(dayOf(addCalendarMonths(cutoffInstant, -auditMonths)), 1);
  const days = (last: string): string[] =>
    Array.from({ length: lookbackDays + 1 }, (_, i) => addDays(last, i - lookbackDays));
  return {
    cutoff: Math.floor(cutoffInstant.getTime() / 1000),
    profileDays: days(lastBucket),
    auditDays: days(lastAuditDay),
  };
}
