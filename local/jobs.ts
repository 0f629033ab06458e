/**
 * The scheduled jobs of the local server, built from the same ports as its routes. `POST /_local/jobs/<name>`
 * runs one at the clock the request gives, as EventBridge Scheduler would at that time.
 */
import { DynamoOpenDsrIndex } from '../lambdas/adapters/dynamo/dsr-store';
import { DynamoIncidentStore } from '../lambdas/adapters/dynamo/incident-store';
import type { ConsentPorts } from '../lambdas/api/ports';
import type { DsrQueue, MetricsPort } from '../lambdas/domain/dsr-ports';
import type { IncidentNotifier } from '../lambdas/domain/incidents';
import { dsrDeadlinesJob } from '../lambdas/jobs/dsr-deadlines';
import { incidentDeadlinesJob } from '../lambdas/jobs/incident-deadlines';
import type { Job } from '../lambdas/jobs/job';
import { optOutReconcileJob } from '../lambdas/jobs/optout-reconcile';
import { purgeInactiveFromPorts } from '../lambdas/jobs/purge-inactive';
import type { JobName } from '../lambdas/jobs/registry';
import { retentionSweepFromPorts } from '../lambdas/jobs/retention-sweep';
import type { TableId } from '../lambdas/shared/env';

/** What jobs need beyond the tables: the DSR queue, the notification outbox and somewhere to publish metrics. */
export interface LocalJobExtras {
  readonly dsrQueue: DsrQueue;
  readonly metrics: MetricsPort;
  readonly notifier: IncidentNotifier;
}

export function localJobs(
  ports: ConsentPorts<TableId>,
  tenantIds: readonly string[],
  extras: LocalJobExtras,
): Record<JobName, Job> {
  return {
    'optout-reconcile': optOutReconcileJob(ports, tenantIds),
    'dsr-deadlines': dsrDeadlinesJob({
      dsrs: new DynamoOpenDsrIndex(ports.db, ports.tables.DsrRequests),
      queue: extras.dsrQueue,
      metrics: extras.metrics,
    }),
    // Locally a run has no time limit, so the purge never needs a continuation.
    'purge-inactive': purgeInactiveFromPorts(ports),
    'retention-sweep': retentionSweepFromPorts(ports, tenantIds, extras.metrics),
    'incident-deadlines': incidentDeadlinesJob({
      incidents: new DynamoIncidentStore(ports.db, ports.tables),
      notifier: extras.notifier,
      metrics: extras.metrics,
    }),
  };
}
