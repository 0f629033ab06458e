/** DynamoDB implementation of the MessageStore port: MessageLog, plus the recipient state the checks read. */
import { BatchGetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { messageLoggedCounter } from '../../domain/daily-stats';
import type { MessageRecord, MessageStore, RecipientState } from '../../domain/messages';
import { isExpired } from '../../domain/retention';
import type { SubscriberRecord } from '../../domain/subscribers';
import { BatchUnprocessedError } from '../../shared/transient-faults';
import { failedConditions } from './consent-head';
import { countIn } from './daily-stats';
import { subjectPk, subscriberKey, suppressionKey, tenantPk } from './keys';
import { DynamoMessageStatusStore } from './message-status-store';
import { transactWrite } from './transact-write';

export { MESSAGE_ID_INDEX } from './message-status-store';

type Tables = {
  readonly Subscribers: string;
  readonly Suppressions: string;
  readonly MessageLog: string;
  readonly DailyStats: string;
};

/** Waits before asking again for keys a BatchGetItem left unprocessed; then the read counts as throttled. */
const UNPROCESSED_RETRY_DELAYS_MS = [25, 50, 100, 200] as const;

/** Waits between reads of the index for an id it does not show yet; the last read does not wait. */
const INDEX_RETRY_DELAYS_MS = [50, 100, 200, undefined] as const;

/** Delivery-status updates live in {@link DynamoMessageStatusStore}, which also finds messages by id here. */
export class DynamoMessageStore implements MessageStore {
  private readonly statuses: DynamoMessageStatusStore;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Tables,
    private readonly clock: () => Date,
  ) {
    this.statuses = new DynamoMessageStatusStore(db, tables);
  }

  /** One BatchGetItem, strongly consistent on both tables: the profile and the `all` and topic suppressions. */
  async recipientState(tenantId: string, subjectId: string, topic?: string): Promise<RecipientState> {
    const scopes = ['all', ...(topic ? [topic] : [])];
    let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: true }> | undefined = {
      [this.tables.Subscribers]: { Keys: [subscriberKey(tenantId, subjectId)], ConsistentRead: true },
      [this.tables.Suppressions]: {
        Keys: scopes.map((scope) => suppressionKey(tenantId, subjectId, scope)),
        ConsistentRead: true,
      },
    };
    const items: Record<string, Record<string, unknown>[]> = {};
    // BatchGetItem returns part of the keys unprocessed when it throttles them; ask again for the rest, backing
    // off as DynamoDB asks (Programming.Errors, "Batch operations and error handling"), and give up as throttled.
    for (let retry = 0; request && Object.keys(request).length > 0; retry += 1) {
      const delayMs = UNPROCESSED_RETRY_DELAYS_MS[retry - 1];
      if (retry > 0 && delayMs === undefined) throw new BatchUnprocessedError('BatchGetItem');
      if (delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, delayMs));
      const result = await this.db.send(new BatchGetCommand({ RequestItems: request }));
      for (const [table, found] of Object.entries(result.Responses ?? {}))
        items[table] = [...(items[table] ?? []), ...found];
      request = result.UnprocessedKeys as typeof request;
    }
    const now = this.clock();
    const profile = (items[this.tables.Subscribers] ?? []).find((item) => !isExpired(item, now));
    const suppressedScopes = (items[this.tables.Suppressions] ?? []).map((item) =>
      String(item.sk).split('#').pop()!,
    );
    return { subscriber: profile as SubscriberRecord | undefined, suppressedScopes };
  }

  /**
   * The message item and its daily count (sent, failed or inbound) in one transaction, so a message logged
   * twice (a redelivered inbound message, a retried write) is refused whole and counted once.
   */
  async log(record: MessageRecord): Promise<'logged' | 'duplicate'> {
    try {
      await transactWrite(this.db, [
        {
          Put: {
            TableName: this.tables.MessageLog,
            Item: {
              pk: subjectPk(record.tenantId, record.subjectId),
              sk: `${record.createdAt}#${record.messageId}`,
              ...record,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        countIn(this.tables.DailyStats, {
          tenantId: record.tenantId,
          counter: messageLoggedCounter(record),
          at: record.createdAt,
          eventId: record.messageId,
        }),
      ]);
      return 'logged';
    } catch (error) {
      if (failedConditions(error).includes(0)) return 'duplicate';
      throw error;
    }
  }

  async findById(tenantId: string, messageId: string, now: Date): Promise<MessageRecord | undefined> {
    const key = await this.locateSoonAfterLogging(tenantId, messageId);
    if (!key) return undefined;
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tables.MessageLog,
        KeyConditionExpression: 'pk = :pk AND sk = :sk',
        ExpressionAttributeValues: { ':pk': key.pk, ':sk': key.sk },
        ConsistentRead: true,
      }),
    );
    const item = Items[0];
    return item && !isExpired(item, now) ? (item as unknown as MessageRecord) : undefined;
  }

  /**
   * The tenant's message by id in the `ByMessageId` index. The index is eventually consistent, so a client reading
   * a message straight after its 202 may find no entry yet: a miss is read again a few times, over about a third
   * of a second, before it counts. The index spans tenants, and a foreign id counts as a miss, waits included,
   * so it looks exactly like a missing one.
   */
  private async locateSoonAfterLogging(tenantId: string, messageId: string) {
    for (const delayMs of INDEX_RETRY_DELAYS_MS) {
      const key = await this.statuses.locate(messageId);
      if (key?.pk.startsWith(`${tenantPk(tenantId)}#`)) return key;
      if (delayMs === undefined) return undefined;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
    return undefined;
  }
}
