/**
 * The scheduled jobs of the local server, built from the same ports as its routes. `POST /_local/jobs/<name>`
 * runs one at the clock the request gives, as EventBridge Scheduler would at that time.
 */
import type { ConsentPorts } from '../lambdas/api/ports';
import { RecordingMetricSink } from '../lambdas/domain/metrics';
import type { Job } from '../lambdas/jobs/job';
import { optOutReconcileJob } from '../lambdas/jobs/optout-reconcile';
import { purgeInactiveFromPorts } from '../lambdas/jobs/purge-inactive';
import type { JobName } from '../lambdas/jobs/registry';
import { retentionSweepFromPorts } from '../lambdas/jobs/retention-sweep';
import type { TableId } from '../lambdas/shared/env';

export function localJobs(ports: ConsentPorts<TableId>, tenantIds: readonly string[]): Record<JobName, Job> {
  return {
    'optout-reconcile': optOutReconcileJob(ports, tenantIds),
    // Locally a run has no time limit, so the purge never needs a continuation.
    'purge-inactive': purgeInactiveFromPorts(ports),
    // The metric is the summary's `overdue` count; nothing publishes metrics locally.
    'retention-sweep': retentionSweepFromPorts(ports, tenantIds, new RecordingMetricSink()),
  };
}
