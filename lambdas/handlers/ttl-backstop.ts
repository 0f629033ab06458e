/**
 * Lambda entry point of the TTL backstop (Subscribers stream, filtered to TTL deletes). Everything is built once,
 * at cold start; the work is in lambdas/api/ttl-backstop.ts.
 */
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { DynamoAuditLog } from '../adapters/dynamo/audit-log';
import { DynamoPurgeStore } from '../adapters/dynamo/purge-store';
import { TTL_BACKSTOP_TABLES } from '../api/function-tables';
import { ttlBackstopHandler } from '../api/ttl-backstop';
import { logger } from '../shared/powertools';
import { beginInvocation } from './invocation';
import { lambdaTablePorts } from './lambda-ports';

const { db, tables } = lambdaTablePorts(TTL_BACKSTOP_TABLES);
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
