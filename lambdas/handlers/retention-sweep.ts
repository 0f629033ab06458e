/** Lambda entry point of the weekly `retention-sweep` job (EventBridge Scheduler). Built once, at cold start. */
import { PowertoolsMetrics } from '../adapters/powertools-metrics';
import { jobTables } from '../jobs/registry';
import { retentionSweepFromPorts } from '../jobs/retention-sweep';
import { CELL_TENANTS_ENV, requireEnv } from '../shared/env';
import { metrics } from '../shared/powertools';
import { lambdaJobHandler } from './job-entry';
import { lambdaTablePorts } from './lambda-ports';

export const handler = lambdaJobHandler(
  'retention-sweep',
  retentionSweepFromPorts(
    lambdaTablePorts(jobTables('retention-sweep')),
    JSON.parse(requireEnv(CELL_TENANTS_ENV)) as string[],
    new PowertoolsMetrics(metrics),
  ),
);
