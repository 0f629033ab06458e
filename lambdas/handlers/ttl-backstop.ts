/**
 * Lambda entry point of the TTL backstop (Subscribers stream, filtered to TTL deletes). Everything is built once,
 * at cold start; the work is in lambdas/api/ttl-backstop.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { DynamoAuditLog } from '../adapters/dynamo/audit-log';
import { DynamoPurgeStore } from '../adapters/dynamo/purge-store';
import { TTL_BACKSTOP_TABLES } from '../api/retention-tables';
import { ttlBackstopHandler } from '../api/ttl-backstop';
import { tableNamesFromEnv } from '../shared/env';
import { logger, tracer } from '../shared/powertools';
import { beginInvocation } from './invocation';

const tables = tableNamesFromEnv(TTL_BACKSTOP_TABLES);
const db = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), {
  marshallOptions: { removeUndefinedValues: true },
});
const processBatch = ttlBackstopHandler({
  store: new DynamoPurgeStore(db, tables),
  audit: new DynamoAuditLog(db, tables.AuditLog),
  clock: () => new Date(),
  logger,
});

export async function handler(event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> {
  beginInvocation(context);
  return processBatch(event, context);
}
