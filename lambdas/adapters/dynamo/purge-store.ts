/**
 * DynamoDB implementation of the PurgeStore port: the `ByPurgeDay` index of Subscribers, conditional deletes of
 * profiles, and the cascade to the marketing item and the MessageLog. It reads by key and index only, so its
 * cost follows the number of due subscribers, never the size of a table.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { BucketCursor, CascadeCounts, DueSubscriber, PurgeStore } from '../../domain/purge';
import { isExpired } from '../../domain/retention';
import { readIndex, writeWithIndex } from './audience-index';
import { failedConditions } from './consent-head';
import { nowSeconds } from './expressions';
import { marketingKey, subjectPk, subscriberKey } from './keys';

type Tables = { readonly Subscribers: string; readonly MessageLog: string };

export const PURGE_DAY_INDEX = 'ByPurgeDay';

/** Index entries per page: keys only, so a page stays far below the 1 MB a Query returns at most. */
const PAGE_SIZE = 200;
/** BatchWriteItem takes at most 25 requests. */
const BATCH_WRITE_LIMIT = 25;
const UNPROCESSED_RETRIES = 8;

/** Still expired and not held: the condition of both the claim and the delete. */
const DUE = 'expiresAt <= :now AND attribute_not_exists(legalHold)';

/** `T#<tenant>` / `S#<subjectId>` → the subscriber; undefined for any other item (such as `S#<id>#MKT`). */
export function profileOfKey(pk: unknown, sk: unknown): DueSubscriber | undefined {
  if (typeof pk !== 'string' || typeof sk !== 'string') return undefined;
  if (!pk.startsWith('T#') || pk.indexOf('#', 2) !== -1) return undefined;
  if (!sk.startsWith('S#') || sk.indexOf('#', 2) !== -1) return undefined;
  return { tenantId: pk.slice(2), subjectId: sk.slice(2) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class DynamoPurgeStore implements PurgeStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Tables,
  ) {}

  async due(
    day: string,
    now: Date,
    cursor?: BucketCursor,
  ): Promise<{ subscribers: DueSubscriber[]; cursor?: BucketCursor }> {
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tables.Subscribers,
        IndexName: PURGE_DAY_INDEX,
        KeyConditionExpression: 'purgeDay = :day AND expiresAt <= :now',
        ExpressionAttributeValues: { ':day': day, ':now': nowSeconds(now) },
        Limit: PAGE_SIZE,
        ExclusiveStartKey: cursor as Record<string, unknown> | undefined,
      }),
    );
    const subscribers = (page.Items ?? []).flatMap((item) => {
      const subscriber = profileOfKey(item.pk, item.sk);
      return subscriber ? [subscriber] : [];
    });
    return page.LastEvaluatedKey ? { subscribers, cursor: page.LastEvaluatedKey } : { subscribers };
  }

  async claim({ tenantId, subjectId }: DueSubscriber, now: Date): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.Subscribers,
          Key: subscriberKey(tenantId, subjectId),
          UpdateExpression: 'SET purgeClaimedAt = :at',
          ConditionExpression: DUE,
          ExpressionAttributeValues: { ':at': now.toISOString(), ':now': nowSeconds(now) },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async cascade({ tenantId, subjectId }: DueSubscriber, endedAt: Date): Promise<CascadeCounts> {
    const before = endedAt.toISOString();
    let marketingDeleted = 0;
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tables.Subscribers,
          Key: marketingKey(tenantId, subjectId),
          // A marketing item written by a new subscription is newer than the end of the old life.
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(updatedAt) OR updatedAt < :before)',
          ExpressionAttributeValues: { ':before': before },
        }),
      );
      marketingDeleted = 1;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    let messagesDeleted = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      // Keys only, one partition: the subject's own messages, up to the end of the life (the sort key starts with
      // the time the message was logged).
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tables.MessageLog,
          KeyConditionExpression: 'pk = :pk AND sk < :before',
          ExpressionAttributeValues: { ':pk': subjectPk(tenantId, subjectId), ':before': before },
          ProjectionExpression: 'pk, sk',
          ExclusiveStartKey: startKey,
        }),
      );
      const keys = (page.Items ?? []).map((item) => ({ pk: item.pk, sk: item.sk }));
      for (let i = 0; i < keys.length; i += BATCH_WRITE_LIMIT) {
        await this.deleteAll(this.tables.MessageLog, keys.slice(i, i + BATCH_WRITE_LIMIT));
      }
      messagesDeleted += keys.length;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return { marketingDeleted, messagesDeleted };
  }

  async remove({ tenantId, subjectId }: DueSubscriber, now: Date): Promise<boolean> {
    // The profile leaves its audiences in the same transaction (DESIGN §10).
    const write = { db: this.db, table: this.tables.Subscribers, tenantId, subjectId };
    try {
      await writeWithIndex(write, () => ({
        items: [
          {
            Delete: {
              TableName: this.tables.Subscribers,
              Key: subscriberKey(tenantId, subjectId),
              // The profile this run claimed, not one a subscribe put in its place.
              ConditionExpression: `${DUE} AND purgeClaimedAt = :claimedAt`,
              ExpressionAttributeValues: { ':now': nowSeconds(now), ':claimedAt': now.toISOString() },
            },
          },
        ],
        after: undefined,
      }));
      return true;
    } catch (error) {
      if (failedConditions(error).includes(0)) return false;
      throw error;
    }
  }

  async leaveAudiences({ tenantId, subjectId }: DueSubscriber): Promise<boolean> {
    if (!(await readIndex(this.db, this.tables.Subscribers, tenantId, subjectId))) return false;
    const write = { db: this.db, table: this.tables.Subscribers, tenantId, subjectId };
    const key = subscriberKey(tenantId, subjectId);
    try {
      await writeWithIndex(write, () => ({
        // Only while no profile is there: a new subscription owns the entries it wrote.
        items: [
          {
            ConditionCheck: {
              TableName: this.tables.Subscribers,
              Key: key,
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
        after: undefined,
      }));
      return true;
    } catch (error) {
      if (failedConditions(error).includes(0)) return false;
      throw error;
    }
  }

  async hasLiveProfile({ tenantId, subjectId }: DueSubscriber, now: Date): Promise<boolean> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tables.Subscribers,
        Key: subscriberKey(tenantId, subjectId),
        ConsistentRead: true,
        ProjectionExpression: 'pk, expiresAt',
      }),
    );
    return Item !== undefined && !isExpired(Item, now);
  }

  /** One BatchWriteItem of deletes, sending unprocessed keys again with a growing pause. */
  private async deleteAll(table: string, keys: Array<Record<string, unknown>>): Promise<void> {
    let requests = keys.map((Key) => ({ DeleteRequest: { Key } }));
    for (let attempt = 0; requests.length > 0; attempt += 1) {
      if (attempt > UNPROCESSED_RETRIES) throw new Error(`BatchWriteItem left ${requests.length} deletes`);
      if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt));
      const { UnprocessedItems } = await this.db.send(
        new BatchWriteCommand({ RequestItems: { [table]: requests } }),
      );
      requests = (UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  }
}
