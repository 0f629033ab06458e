/** DynamoDB implementation of the SubscriberStore port. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { membershipOf } from '../../domain/audience';
import { isExpired } from '../../domain/retention';
import {
  profileExpiry,
  type ConsentEvent,
  type InteractionOutcome,
  type SubscribeOrdering,
  type SubscriberRecord,
  type SubscriberStore,
} from '../../domain/subscribers';
import type { PatchSubscriberRequest } from '../../shared/schemas';
import { writeWithIndex } from './audience-index';
import {
  failedConditions,
  headUnchanged,
  ledgerCount,
  ledgerPut,
  moveHead,
  type TransactItems,
} from './consent-head';
import { LIVE, nowSeconds, setFields } from './expressions';
import { subscriberKey, suppressionKey } from './keys';

type Tables = {
  readonly Subscribers: string;
  readonly ConsentLedger: string;
  readonly Suppressions: string;
  readonly DailyStats: string;
};

/** Times an interaction may switch between the held and the unheld write before it gives up. */
const MAX_HOLD_TURNS = 3;
/** Times a change of topics reads the profile again after its status changed in between. */
const MAX_STATUS_TURNS = 3;

function toRecord(item: Record<string, unknown>): SubscriberRecord {
  // Keys and storage-only attributes stay behind; everything else is the record.
  const { pk: _pk, sk: _sk, ...record } = item;
  return record as unknown as SubscriberRecord;
}

export class DynamoSubscriberStore implements SubscriberStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Tables,
  ) {}

  async get(tenantId: string, subjectId: string, now: Date): Promise<SubscriberRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tables.Subscribers,
        Key: subscriberKey(tenantId, subjectId),
        ConsistentRead: true,
      }),
    );
    return Item && !isExpired(Item, now) ? toRecord(Item) : undefined;
  }

  async create(
    record: SubscriberRecord,
    consent: ConsentEvent,
    now: Date,
    ordering: SubscribeOrdering,
  ): Promise<'created' | 'exists' | 'stale'> {
    const { tenantId, subjectId } = record;
    const items: TransactItems = [
      {
        // An expired item that TTL has not removed yet counts as absent and is replaced.
        Put: {
          TableName: this.tables.Subscribers,
          Item: { ...subscriberKey(tenantId, subjectId), ...record },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': nowSeconds(now) },
        },
      },
      ordering.advance
        ? moveHead(this.tables.Suppressions, consent, {
            seen: ordering.head,
            requestProviderRemoval: ordering.requestProviderRemoval,
          })
        : headUnchanged(this.tables.Suppressions, tenantId, subjectId, ordering.head),
      ledgerPut(this.tables.ConsentLedger, consent),
    ];
    if (ordering.clearSuppression) {
      items.push({
        Delete: {
          TableName: this.tables.Suppressions,
          Key: suppressionKey(tenantId, subjectId, consent.scope),
        },
      });
    }
    items.push(...ledgerCount(this.tables.DailyStats, consent));
    try {
      // The audience index moves with the profile: an `active` subscriber joins its audiences now. A new subject
      // has no index entries, so they are read only when the first try finds some (an ended life's).
      const write = {
        db: this.db,
        table: this.tables.Subscribers,
        tenantId,
        subjectId,
        assumeUnindexed: true,
      };
      await writeWithIndex(write, () => ({ items, after: membershipOf(record) }));
      return 'created';
    } catch (error) {
      const failed = failedConditions(error);
      if (failed.includes(0)) return 'exists';
      if (failed.includes(1)) return 'stale';
      throw error;
    }
  }

  async update(
    tenantId: string,
    subjectId: string,
    changes: PatchSubscriberRequest,
    now: Date,
  ): Promise<SubscriberRecord | undefined> {
    const { topics } = changes;
    if (topics !== undefined) return this.updateTopics(tenantId, subjectId, { ...changes, topics }, now);
    const fields = Object.entries(changes).filter(([, value]) => value !== undefined);
    const set = setFields(fields);
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tables.Subscribers,
          Key: subscriberKey(tenantId, subjectId),
          ...set,
          ConditionExpression: LIVE,
          ExpressionAttributeValues: { ':now': nowSeconds(now), ...set.ExpressionAttributeValues },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? toRecord(Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /**
   * A change that includes topics moves the audience index in the same transaction. Who is in an audience
   * depends on the status too, so the update holds to the status it read; a status change in between (a YES, a
   * restriction) makes it read again.
   */
  private async updateTopics(
    tenantId: string,
    subjectId: string,
    changes: PatchSubscriberRequest & { topics: readonly string[] },
    now: Date,
  ): Promise<SubscriberRecord | undefined> {
    const fields = Object.entries(changes).filter(([, value]) => value !== undefined);
    const set = setFields(fields);
    for (let turn = 0; turn < MAX_STATUS_TURNS; turn += 1) {
      const current = await this.get(tenantId, subjectId, now);
      if (!current) return undefined;
      const update = {
        Update: {
          TableName: this.tables.Subscribers,
          Key: subscriberKey(tenantId, subjectId),
          ...set,
          ConditionExpression: `${LIVE} AND #status = :status`,
          ExpressionAttributeNames: { ...set.ExpressionAttributeNames, '#status': 'status' },
          ExpressionAttributeValues: {
            ...set.ExpressionAttributeValues,
            ':now': nowSeconds(now),
            ':status': current.status,
          },
        },
      };
      try {
        await writeWithIndex({ db: this.db, table: this.tables.Subscribers, tenantId, subjectId }, () => ({
          items: [update],
          after: membershipOf({ status: current.status, topics: changes.topics }),
        }));
        return { ...current, ...Object.fromEntries(fields) } as SubscriberRecord;
      } catch (error) {
        if (!failedConditions(error).includes(0)) throw error;
      }
    }
    throw new Error('The status of the subscriber kept changing while its topics were changed');
  }

  async recordInteraction(
    tenantId: string,
    subjectId: string,
    at: Date,
    now: Date,
  ): Promise<InteractionOutcome> {
    const key = subscriberKey(tenantId, subjectId);
    const atIso = at.toISOString();
    // A hold placed or released between the two writes sends the interaction back to the other one: each turn
    // needs a hold change in between, so a few turns settle it.
    for (let turn = 0; turn < MAX_HOLD_TURNS; turn += 1) {
      const unheld = await this.conditionalUpdate(key, {
        // Forward only: the condition refuses an older timestamp, so expiresAt and purgeDay never move back.
        UpdateExpression: 'SET lastInteractionAt = :at, expiresAt = :exp, purgeDay = :day',
        ConditionExpression: 'attribute_exists(pk) AND expiresAt > :now AND lastInteractionAt < :at',
        ExpressionAttributeValues: {
          ':at': atIso,
          ':exp': profileExpiry(at).expiresAt,
          ':day': profileExpiry(at).purgeDay,
          ':now': nowSeconds(now),
        },
      });
      if (unheld === 'updated') return 'recorded';
      if (!unheld || isExpired(unheld, now)) return 'absent';
      if (unheld.legalHold === undefined) return 'unchanged';
      // A held subscriber has no TTL to move; only the interaction time advances.
      const held = await this.conditionalUpdate(key, {
        UpdateExpression: 'SET lastInteractionAt = :at',
        ConditionExpression: 'attribute_exists(legalHold) AND lastInteractionAt < :at',
        ExpressionAttributeValues: { ':at': atIso },
      });
      if (held === 'updated') return 'recorded';
      if (!held) return 'absent';
      if (held.legalHold !== undefined) return 'unchanged';
    }
    throw new Error('The legal hold of the subscriber kept changing while an interaction was recorded');
  }

  /** One conditional UpdateItem: 'updated', or the item as it stood when the condition failed (undefined if none). */
  private async conditionalUpdate(
    key: { pk: string; sk: string },
    update: Pick<
      UpdateCommandInput,
      'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeValues'
    >,
  ): Promise<'updated' | Record<string, unknown> | undefined> {
    try {
      await this.db.send(
        new UpdateCommand({
          ...update,
          TableName: this.tables.Subscribers,
          Key: key,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'updated';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return error.Item ? unmarshall(error.Item) : undefined;
    }
  }
}
