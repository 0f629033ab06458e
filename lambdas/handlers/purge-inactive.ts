/**
 * Lambda entry point of the daily `purge-inactive` job: invoked by EventBridge Scheduler, and again by its
 * continuation queue while a backlog lasts. Built once, at cold start.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsContinuationQueue } from '../adapters/sqs-continuation-queue';
import { continuingJobHandler, JOB_CONTINUATION_QUEUE_ENV } from '../jobs/continuation';
import { purgeInactiveFromPorts } from '../jobs/purge-inactive';
import { jobTables } from '../jobs/registry';
import { requireEnv } from '../shared/env';
import { logger, tracer } from '../shared/powertools';
import { lambdaJobHandler } from './job-entry';
import { lambdaTablePorts } from './lambda-ports';

export const handler = continuingJobHandler({
  run: lambdaJobHandler(
    'purge-inactive',
    purgeInactiveFromPorts(lambdaTablePorts(jobTables('purge-inactive'))),
  ),
  queue: new SqsContinuationQueue(
    tracer.captureAWSv3Client(new SQSClient({})),
    requireEnv(JOB_CONTINUATION_QUEUE_ENV),
  ),
  logger,
});
