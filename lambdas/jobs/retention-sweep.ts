/**
 * `retention-sweep`: weekly, counts items still stored more than 3 days past their `expiresAt` (see
 * domain/retention-sweep.ts for which stores and why) and emits the total as the `RetentionOverdueItems` metric,
 * which has an alarm. It reads with bounded queries only: one Query per index bucket or audit partition of the
 * look-back window, never a table-wide read. It changes nothing: deleting is the purge's and TTL's job.
 */
import { DynamoRetentionSweepStore } from '../adapters/dynamo/retention-sweep-store';
import type { Ports } from '../api/ports';
import type { MetricsPort } from '../domain/dsr-ports';
import { RETENTION_OVERDUE_METRIC } from '../domain/metrics';
import { sweepWindow, type RetentionSweepStore } from '../domain/retention-sweep';
import type { Job, JobSummary } from './job';

export interface RetentionSweepDeps {
  readonly store: RetentionSweepStore;
  readonly metrics: MetricsPort;
  /** The cell's tenants, whose AuditLog partitions are read. */
  readonly tenants: readonly string[];
  /**
   * Days of buckets read back from the cutoff. Longer than the weekly schedule, so a missed run leaves no gap.
   * @default 35
   */
  readonly lookbackDays?: number;
}

export function retentionSweepJob(deps: RetentionSweepDeps): Job {
  const lookbackDays = deps.lookbackDays ?? 35;
  return async ({ now }) => {
    const window = sweepWindow(now, lookbackDays);
    let overdueProfiles = 0;
    for (const day of window.profileDays) {
      overdueProfiles += await deps.store.overdueProfiles(day, window.cutoff);
    }
    let overdueAuditEntries = 0;
    for (const tenantId of deps.tenants) {
      for (const day of window.auditDays) {
        overdueAuditEntries += await deps.store.overdueAuditEntries(tenantId, day, window.cutoff);
      }
    }
    const overdue = overdueProfiles + overdueAuditEntries;
    deps.metrics.count(RETENTION_OVERDUE_METRIC, overdue);
    deps.metrics.flush();
    const summary: JobSummary = {
      overdue,
      overdueProfiles,
      overdueAuditEntries,
      bucketsRead: window.profileDays.length,
      auditPartitionsRead: window.auditDays.length * deps.tenants.length,
      cutoff: new Date(window.cutoff * 1000).toISOString(),
    };
    return summary;
  };
}

/** The job on the cell's tables: shared by its Lambda entry point and the local server. */
export function retentionSweepFromPorts(
  ports: Pick<Ports<'Subscribers' | 'AuditLog'>, 'db' | 'tables'>,
  tenants: readonly string[],
  metrics: MetricsPort,
): Job {
  return retentionSweepJob({
    store: new DynamoRetentionSweepStore(ports.db, ports.tables),
    metrics,
    tenants,
  });
}
