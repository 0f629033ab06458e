/** Lambda entry point for the campaign worker (SQS): fan-out pages and recipient dispatch. Built at cold start. */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DynamoAudienceReader } from '../adapters/dynamo/audience-store';
import { SqsCampaignQueue } from '../adapters/sqs-campaign-queue';
import { campaignWorkerDeps, campaignWorkerHandler } from '../api/campaign-worker';
import { sendDeps } from '../api/domain-deps';
import { CAMPAIGN_WORKER_TABLES } from '../api/function-tables';
import { SLOT_POLICIES } from '../domain/send-slot';
import { CAMPAIGN_QUEUE_URL_ENV, requireEnv } from '../shared/env';
import { logger, tracer } from '../shared/powertools';
import { beginInvocation } from './invocation';
import { lambdaPorts, lambdaSmsSender } from './lambda-ports';

const tablePorts = lambdaPorts(CAMPAIGN_WORKER_TABLES);
const ports = { ...tablePorts, sender: lambdaSmsSender(tablePorts, SLOT_POLICIES.campaign) };
const processBatch = campaignWorkerHandler(
  campaignWorkerDeps({
    ...ports,
    queue: new SqsCampaignQueue(
      tracer.captureAWSv3Client(new SQSClient({})),
      requireEnv(CAMPAIGN_QUEUE_URL_ENV),
    ),
    audience: new DynamoAudienceReader(ports.db, ports.tables.Subscribers),
    send: sendDeps(ports),
  }),
  logger,
);

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  beginInvocation(context);
  return processBatch(event, context);
}
