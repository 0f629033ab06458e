/** Lambda entry point for the campaign routes. Everything is built once, at cold start. */
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsCampaignQueue } from '../adapters/sqs-campaign-queue';
import { campaignActions } from '../api/campaigns-api';
import { CAMPAIGN_API_TABLES } from '../api/function-tables';
import {
  CAMPAIGN_QUEUE_ARN_ENV,
  CAMPAIGN_QUEUE_URL_ENV,
  CAMPAIGN_SCHEDULE_GROUP_ENV,
  CAMPAIGN_SCHEDULER_ROLE_ENV,
  requireEnv,
} from '../shared/env';
import { tracer } from '../shared/powertools';
import { lambdaApiHandler } from './api-entry';
import { lambdaTablePorts } from './lambda-ports';

const starter = new SqsCampaignQueue(
  tracer.captureAWSv3Client(new SQSClient({})),
  requireEnv(CAMPAIGN_QUEUE_URL_ENV),
  {
    schedulerClient: tracer.captureAWSv3Client(new SchedulerClient({})),
    queueArn: requireEnv(CAMPAIGN_QUEUE_ARN_ENV),
    roleArn: requireEnv(CAMPAIGN_SCHEDULER_ROLE_ENV),
    groupName: requireEnv(CAMPAIGN_SCHEDULE_GROUP_ENV),
  },
);

export const handler = lambdaApiHandler(
  'campaigns',
  campaignActions({ ...lambdaTablePorts(CAMPAIGN_API_TABLES), starter }),
);
