/**
 * Message status in MessageLog, reached by message id through the `ByMessageId` GSI: delivery events carry
 * our message id and tenant id but not the subject, so the base item's key is found through the index first.
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { deliveryCounter } from '../../domain/daily-stats';
import {
  statusesReplacedBy,
  type DeliveryOutcome,
  type DeliveryStatusStore,
  type DeliveryUpdate,
} from '../../domain/delivery-events';
import { isExpired } from '../../domain/retention';
import { MESSAGE_STATUSES, type MessageStatus } from '../../shared/schemas';
import { failedConditions } from './consent-head';
import { countsIn } from './daily-stats';
import { tenantPk } from './keys';
import { transactWrite } from './transact-write';

export const MESSAGE_ID_INDEX = 'ByMessageId';

/** The base-table key of one MessageLog item. */
export interface MessageLocation {
  readonly pk: string;
  readonly sk: string;
}

/** What the index projects besides the keys (see the Data stack): status and expiresAt among them. */
interface IndexEntry extends MessageLocation {
  readonly status?: unknown;
  readonly expiresAt?: number;
}

const isMessageStatus = (value: unknown): value is MessageStatus =>
  (MESSAGE_STATUSES as readonly unknown[]).includes(value);

export class DynamoMessageStatusStore implements DeliveryStatusStore {
  private readonly messageLogTable: string;
  private readonly dailyStatsTable: string;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    tables: { readonly MessageLog: string; readonly DailyStats: string },
  ) {
    this.messageLogTable = tables.MessageLog;
    this.dailyStatsTable = tables.DailyStats;
  }

  /**
   * The key of the message with this id, in whichever tenant it is. The index spans tenants: callers check
   * the tenant prefix of `pk` themselves. Eventually consistent, as every GSI read is.
   */
  async locate(messageId: string): Promise<MessageLocation | undefined> {
    const entry = await this.indexEntry(messageId);
    return entry ? { pk: entry.pk, sk: entry.sk } : undefined;
  }

  /**
   * Applies a delivery event to the tenant's message, forward only, in one conditional UpdateItem on the base
   * item (after the index read):
   * - a final status (delivered, failed) is never overwritten, and `sent` never replaces one, so duplicate,
   *   late and reordered events leave the final status in place whatever order they arrive in;
   * - `status` and `updatedAt` (the event's time) are set; a failure also sets `failureCode` to the event type;
   * - the item's `pk` must start with `T#<tenantId>#`: an event naming another tenant's message is `unknown`;
   * - an expired message (past `expiresAt`, not yet deleted by TTL) is `unknown`, and a deleted one is never
   *   recreated (`attribute_exists(pk)`);
   * - the daily count of the new status (delivered, failed) moves in the same transaction, on the event's day, so
   *   only the event that makes the transition counts: a redelivered or reordered one fails the condition.
   */
  async applyDelivery(update: DeliveryUpdate, now: Date): Promise<DeliveryOutcome> {
    const entry = await this.indexEntry(update.messageId);
    if (!entry || !entry.pk.startsWith(`${tenantPk(update.tenantId)}#`)) return 'unknown';
    // Inbound messages (`received`) are not delivery-tracked.
    if (!isMessageStatus(entry.status) || isExpired(entry, now)) return 'unknown';
    const replaceable = statusesReplacedBy(update.status);
    // The index may lag behind the base table, but only ever shows an earlier status: a final one there is
    // final here too, and needs no write.
    if (!replaceable.includes(entry.status)) return 'unchanged';

    const values: Record<string, unknown> = {
      ':status': update.status,
      ':at': update.at.toISOString(),
      ':now': Math.floor(now.getTime() / 1000),
      ...Object.fromEntries(replaceable.map((status, i) => [`:from${i}`, status])),
      ...(update.status === 'failed' ? { ':code': update.providerStatus } : {}),
    };
    try {
      await transactWrite(this.db, [
        {
          Update: {
            TableName: this.messageLogTable,
            Key: { pk: entry.pk, sk: entry.sk },
            UpdateExpression: `SET #status = :status, updatedAt = :at${update.status === 'failed' ? ', failureCode = :code' : ''}`,
            ConditionExpression:
              `attribute_exists(pk) AND #status IN (${replaceable.map((_, i) => `:from${i}`).join(', ')})` +
              ' AND (attribute_not_exists(expiresAt) OR expiresAt > :now)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: values,
          },
        },
        ...countsIn(
          this.dailyStatsTable,
          { tenantId: update.tenantId, at: update.at, eventId: update.messageId },
          deliveryCounter(update.status),
        ),
      ]);
      return 'updated';
    } catch (error) {
      // The base item is further along than the index showed (or has just gone): nothing to change.
      if (failedConditions(error).includes(0)) return 'unchanged';
      throw error;
    }
  }

  private async indexEntry(messageId: string): Promise<IndexEntry | undefined> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.messageLogTable,
        IndexName: MESSAGE_ID_INDEX,
        KeyConditionExpression: 'messageId = :id',
        ExpressionAttributeValues: { ':id': messageId },
        Limit: 1,
      }),
    );
    const item = Items[0];
    return item
      ? {
          pk: String(item.pk),
          sk: String(item.sk),
          status: item.status,
          ...(typeof item.expiresAt === 'number' ? { expiresAt: item.expiresAt } : {}),
        }
      : undefined;
  }
}
