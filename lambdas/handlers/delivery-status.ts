/**
 * Lambda entry point for End User Messaging delivery events (SNS → SQS, raw message delivery). Everything is
 * built once, at cold start; the work is in lambdas/api/delivery-status.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { BudgetedRetryStrategy } from '../adapters/dynamo/budgeted-retries';
import { DynamoMessageStatusStore } from '../adapters/dynamo/message-status-store';
import { queryOnly } from '../adapters/dynamo/query-only';
import { deliveryStatusHandler } from '../api/delivery-status';
import { DELIVERY_STATUS_TABLES } from '../api/function-tables';
import { tableNamesFromEnv } from '../shared/env';
import { logger, tracer } from '../shared/powertools';
import { beginInvocation, remainingMs } from './invocation';

const tables = tableNamesFromEnv(DELIVERY_STATUS_TABLES);
// Reads by key and key-condition queries only (lambdas/adapters/dynamo/query-only.ts).
// No retry pause that would outlast the invocation (lambdas/adapters/dynamo/budgeted-retries.ts).
const retryStrategy = new BudgetedRetryStrategy({ remainingMs });
const dynamo = queryOnly(tracer.captureAWSv3Client(new DynamoDBClient({ retryStrategy })));
const db = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
const processBatch = deliveryStatusHandler({
  store: new DynamoMessageStatusStore(db, tables),
  clock: () => new Date(),
  logger,
});

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  beginInvocation(context);
  return processBatch(event, context);
}
