/**
 * What a route group needs from the outside world. The Lambda entry points build these from AWS clients and
 * environment variables; the local server builds them from DynamoDB Local and node:crypto.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SubjectIdDeriver } from '../domain/subject-id';
import type { TableId } from '../shared/env';

export interface Ports<T extends TableId> {
  readonly db: DynamoDBDocumentClient;
  readonly tables: Readonly<Record<T, string>>;
  readonly subjectIds: SubjectIdDeriver;
  readonly clock: () => Date;
}
