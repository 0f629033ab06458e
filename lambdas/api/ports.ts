/**
 * What a route group needs from the outside world. The Lambda entry points build these from AWS clients and
 * environment variables; the local server builds them from DynamoDB Local, node:crypto, the outbox and an
 * in-memory provider opt-out list.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ProviderOptOutList } from '../domain/consent';
import type { SmsSender } from '../domain/sms';
import type { SubjectIdDeriver } from '../domain/subject-id';
import type { ConfiguredTenant } from '../domain/tenants';
import type { TableId } from '../shared/env';

export interface Ports<T extends TableId> {
  /** The low-level client, for libraries that want one (Powertools idempotency). */
  readonly dynamo: DynamoDBClient;
  readonly db: DynamoDBDocumentClient;
  readonly tables: Readonly<Record<T, string>>;
  readonly subjectIds: SubjectIdDeriver;
  readonly clock: () => Date;
  /** Tenant settings from the cell configuration, over the Tenants table's. @default - none */
  readonly tenantProfiles?: Readonly<Record<string, ConfiguredTenant>>;
}

/** Ports of route groups that send SMS. */
export interface SendingPorts<T extends TableId> extends Ports<T> {
  readonly sender: SmsSender;
}

/** Ports of route groups that record opt-outs and opt-ins, which the provider opt-out lists mirror. */
export interface ConsentPorts<T extends TableId> extends Ports<T> {
  readonly providerOptOuts: ProviderOptOutList;
}
