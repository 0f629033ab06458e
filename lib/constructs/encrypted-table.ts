import { RemovalPolicy } from 'aws-cdk-lib';
import {
  Billing,
  TableEncryptionV2,
  TableV2,
  type Attribute,
  type GlobalSecondaryIndexPropsV2,
  type StreamViewType,
} from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { retentionDays } from '../../lambdas/domain/retention';
import { cellRetentionPeriods } from './cell-retention';

/** Every optline table expires items through this attribute (epoch seconds), computed from the retention module. */
export const TTL_ATTRIBUTE = 'expiresAt';

export interface EncryptedTableProps {
  readonly partitionKey: Attribute;
  /**
   * Sort key of the base table.
   * @default - the table has a simple primary key
   */
  readonly sortKey?: Attribute;
  /** Customer-managed key that encrypts the table, its indexes, backups and stream. */
  readonly encryptionKey: IKey;
  /**
   * Global secondary indexes.
   * @default - no index
   */
  readonly globalSecondaryIndexes?: GlobalSecondaryIndexPropsV2[];
  /**
   * Stream of item changes, for consumers such as the TTL-delete backstop.
   * @default - no stream
   */
  readonly dynamoStream?: StreamViewType;
}

/**
 * A DynamoDB table with optline's secure defaults baked in:
 * on-demand billing, customer-managed KMS encryption, point-in-time recovery for the `tableBackups` retention
 * period, deletion protection, `RemovalPolicy.RETAIN`, and TTL on `expiresAt`.
 *
 * It is a single-region table: it takes no replicas, so its data stays in the stack's region.
 */
export class EncryptedTable extends TableV2 {
  constructor(scope: Construct, id: string, props: EncryptedTableProps) {
    super(scope, id, {
      partitionKey: props.partitionKey,
      sortKey: props.sortKey,
      globalSecondaryIndexes: props.globalSecondaryIndexes,
      dynamoStream: props.dynamoStream,
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.customerManagedKey(props.encryptionKey),
      // The recovery window keeps earlier versions of deleted items too: it is a retention period of its own.
      pointInTimeRecoverySpecification: {
        pointInTimeRecoveryEnabled: true,
        recoveryPeriodInDays: retentionDays('tableBackups', cellRetentionPeriods(scope)),
      },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      timeToLiveAttribute: TTL_ATTRIBUTE,
    });
  }
}
