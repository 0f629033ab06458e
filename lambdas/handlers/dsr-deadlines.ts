/** Lambda entry point of the daily `dsr-deadlines` job (EventBridge Scheduler). Built once, at cold start. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoOpenDsrIndex } from '../adapters/dynamo/dsr-store';
import { PowertoolsMetrics } from '../adapters/powertools-metrics';
import { SqsDsrQueue } from '../adapters/sqs-dsr-queue';
import { dsrDeadlinesJob } from '../jobs/dsr-deadlines';
import { jobTables } from '../jobs/registry';
import { DSR_QUEUE_URL_ENV, requireEnv } from '../shared/env';
import { metrics, tracer } from '../shared/powertools';
import { lambdaJobHandler } from './job-entry';
import { lambdaTablePorts } from './lambda-ports';

const { db, tables } = lambdaTablePorts(jobTables('dsr-deadlines'));

export const handler = lambdaJobHandler(
  'dsr-deadlines',
  dsrDeadlinesJob({
    dsrs: new DynamoOpenDsrIndex(db, tables.DsrRequests),
    queue: new SqsDsrQueue(tracer.captureAWSv3Client(new SQSClient({})), requireEnv(DSR_QUEUE_URL_ENV)),
    metrics: new PowertoolsMetrics(metrics),
  }),
);
