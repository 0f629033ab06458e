/** Lambda entry point of the daily `optout-reconcile` job (EventBridge Scheduler). Built once, at cold start. */
import { optOutReconcileJob } from '../jobs/optout-reconcile';
import { jobTables } from '../jobs/registry';
import { CELL_TENANTS_ENV, requireEnv } from '../shared/env';
import { lambdaJobHandler } from './job-entry';
import { lambdaPorts, lambdaProviderOptOuts } from './lambda-ports';

export const handler = lambdaJobHandler(
  'optout-reconcile',
  optOutReconcileJob(
    { ...lambdaPorts(jobTables('optout-reconcile')), providerOptOuts: lambdaProviderOptOuts() },
    JSON.parse(requireEnv(CELL_TENANTS_ENV)) as string[],
  ),
);
