/** Ports for the deployed Lambda functions: traced AWS SDK clients, configured from the environment. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KmsSubjectIdDeriver } from '../adapters/kms-subject-id';
import { cognitoClaimsCaller, type CallerResolver } from '../api/callers';
import type { Ports } from '../api/ports';
import {
  requireEnv,
  SUBJECT_ID_KEY_ENV,
  tableNamesFromEnv,
  TENANT_CLIENTS_ENV,
  type TableId,
} from '../shared/env';
import { tracer } from '../shared/powertools';

export function lambdaPorts<T extends TableId>(tableIds: readonly T[]): Ports<T> {
  const db = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const kms = tracer.captureAWSv3Client(new KMSClient({}));
  return {
    db,
    tables: tableNamesFromEnv(tableIds),
    subjectIds: new KmsSubjectIdDeriver(kms, requireEnv(SUBJECT_ID_KEY_ENV)),
    clock: () => new Date(),
  };
}

export function lambdaCallers(): CallerResolver {
  return cognitoClaimsCaller(JSON.parse(requireEnv(TENANT_CLIENTS_ENV)) as Record<string, string>);
}
