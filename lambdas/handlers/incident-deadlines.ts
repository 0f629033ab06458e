/** Lambda entry point of the hourly `incident-deadlines` job (EventBridge Scheduler). Built once, at cold start. */
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoIncidentStore } from '../adapters/dynamo/incident-store';
import { PowertoolsMetrics } from '../adapters/powertools-metrics';
import { SnsIncidentNotifier } from '../adapters/sns-incident-notifier';
import { incidentDeadlinesJob } from '../jobs/incident-deadlines';
import { jobTables } from '../jobs/registry';
import { INCIDENT_TOPICS_ENV, requireEnv } from '../shared/env';
import { metrics, tracer } from '../shared/powertools';
import { lambdaJobHandler } from './job-entry';
import { lambdaTablePorts } from './lambda-ports';

const { db, tables } = lambdaTablePorts(jobTables('incident-deadlines'));

export const handler = lambdaJobHandler(
  'incident-deadlines',
  incidentDeadlinesJob({
    incidents: new DynamoIncidentStore(db, tables),
    notifier: new SnsIncidentNotifier(
      tracer.captureAWSv3Client(new SNSClient({})),
      JSON.parse(requireEnv(INCIDENT_TOPICS_ENV)) as Record<string, string>,
    ),
    metrics: new PowertoolsMetrics(metrics),
  }),
);
