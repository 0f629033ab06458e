/**
 * The one client the retention functions need: a traced DynamoDB document client and the table names bound to the
 * function. They derive no subject id, so they get no KMS client and no HMAC key (unlike `lambdaPorts`).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableNamesFromEnv, type TableId } from '../shared/env';
import { tracer } from '../shared/powertools';

export function retentionPorts<T extends TableId>(
  tableIds: readonly T[],
): { db: DynamoDBDocumentClient; tables: Record<T, string> } {
  const db = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { db, tables: tableNamesFromEnv(tableIds) };
}
