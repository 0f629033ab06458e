/**
 * The purge watermark, kept as one item of the AuditLog table (`JOB#purge-inactive` / `WATERMARK`).
 *
 * Why there: the watermark is cell-wide job state that belongs with the job's audit trail; the purge job must
 * write the AuditLog anyway (its summaries), so it needs no access to another table, and no tenant's data is
 * touched. Its key cannot collide with an audit entry (those are `T#<tenant>#D#<day>`). Like every item, it
 * carries `expiresAt`: 5 years (retention `auditEvents`) after its last write, which each run renews.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { addDays, type PurgeWatermark } from '../../domain/purge';
import { expiresAt, isExpired } from '../../domain/retention';

type Tables = { readonly AuditLog: string };

export const PURGE_WATERMARK_KEY = { pk: 'JOB#purge-inactive', sk: 'WATERMARK' } as const;

export class DynamoPurgeWatermark implements PurgeWatermark {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Tables,
  ) {}

  async read(now: Date): Promise<string | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tables.AuditLog, Key: PURGE_WATERMARK_KEY, ConsistentRead: true }),
    );
    return Item && !isExpired(Item, now) && typeof Item.throughDay === 'string' ? Item.throughDay : undefined;
  }

  async advance(expected: string | undefined, day: string, now: Date): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.AuditLog,
          Key: PURGE_WATERMARK_KEY,
          UpdateExpression: 'SET throughDay = :day, updatedAt = :at, expiresAt = :exp',
          ConditionExpression:
            expected === undefined
              ? 'attribute_not_exists(throughDay) OR expiresAt <= :nowSeconds'
              : 'throughDay = :expected',
          ExpressionAttributeValues: {
            ':day': day,
            ':at': now.toISOString(),
            ':exp': expiresAt('auditEvents', now),
            ...(expected === undefined
              ? { ':nowSeconds': Math.floor(now.getTime() / 1000) }
              : { ':expected': expected }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Sets the watermark to the day before `day` unless it is already before `day`. */
  async rewindTo(day: string, now: Date): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.AuditLog,
          Key: PURGE_WATERMARK_KEY,
          UpdateExpression: 'SET throughDay = :before, updatedAt = :at, expiresAt = :exp',
          ConditionExpression: 'attribute_not_exists(throughDay) OR throughDay >= :day',
          ExpressionAttributeValues: {
            ':before': addDays(day, -1),
            ':day': day,
            ':at': now.toISOString(),
            ':exp': expiresAt('auditEvents', now),
          },
        }),
      );
    } catch (error) {
      // The watermark has not reached that day yet: the next run walks it anyway.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
