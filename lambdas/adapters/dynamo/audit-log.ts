/** DynamoDB implementation of the AuditLog port: one partition per tenant and day (DESIGN §3). */
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditLog, AuditRecord } from '../../domain/audit';
import { auditKey } from './keys';

export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async append(record: AuditRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...auditKey(record.tenantId, record.at, record.id), ...record },
        // Ids are unique; the condition makes a replayed append visible instead of silently overwriting.
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }
}
