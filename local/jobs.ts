/**
 * The scheduled jobs of the local server, built from the same ports as its routes. `POST /_local/jobs/<name>`
 * runs one at the clock the request gives, as EventBridge Scheduler would at that time.
 */
import type { ConsentPorts } from '../lambdas/api/ports';
import type { Job } from '../lambdas/jobs/job';
import { optOutReconcileJob } from '../lambdas/jobs/optout-reconcile';
import type { JobName } from '../lambdas/jobs/registry';
import type { TableId } from '../lambdas/shared/env';

export function localJobs(ports: ConsentPorts<TableId>, tenantIds: readonly string[]): Record<JobName, Job> {
  return {
    'optout-reconcile': optOutReconcileJob(ports, tenantIds),
  };
}
