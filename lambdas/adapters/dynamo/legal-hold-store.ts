/** DynamoDB implementation of the LegalHoldStore port, on the subscriber item of the Subscribers table. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HoldOutcome, LegalHoldStore } from '../../domain/legal-hold';
import { isExpired } from '../../domain/retention';
import type { LegalHold, SubscriberRecord } from '../../domain/subscribers';
import { nowSeconds } from './expressions';
import { subscriberKey } from './keys';

type Tables = { readonly Subscribers: string };

/** Attempts at a release when concurrent interactions keep moving `lastInteractionAt` under it. */
const RELEASE_ATTEMPTS = 3;

function toRecord(item: Record<string, unknown>): SubscriberRecord {
  const { pk: _pk, sk: _sk, ...record } = item;
  return record as unknown as SubscriberRecord;
}

export class DynamoLegalHoldStore implements LegalHoldStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Tables,
  ) {}

  /** One UpdateItem: the hold in, the TTL and the purge bucket out; a repeat replaces reason, holder and since. */
  async hold(
    tenantId: string,
    subjectId: string,
    hold: LegalHold,
    now: Date,
  ): Promise<{ outcome: HoldOutcome; record: SubscriberRecord } | undefined> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tables.Subscribers,
          Key: subscriberKey(tenantId, subjectId),
          UpdateExpression: 'SET legalHold = :hold REMOVE expiresAt, purgeDay',
          // Only a live subscriber can be held: an expired one is already gone as far as every read is concerned.
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(expiresAt) OR expiresAt > :now)',
          ExpressionAttributeValues: { ':hold': hold, ':now': nowSeconds(now) },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const old = toRecord(Attributes ?? {});
      const { expiresAt: _expiresAt, purgeDay: _purgeDay, ...kept } = old;
      return {
        outcome: old.legalHold === undefined ? 'set' : 'replaced',
        record: { ...kept, legalHold: hold },
      };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /**
   * Reads the item (strongly consistent), then removes the hold and sets the expiry of its `lastInteractionAt`
   * on condition that both are still what was read; a concurrent interaction makes it read again.
   */
  async release(
    tenantId: string,
    subjectId: string,
    expiryOf: (lastInteractionAt: string) => { expiresAt: number; purgeDay: string },
    now: Date,
  ): Promise<
    | { outcome: 'released'; expiresAt: number; purgeDay: string }
    | { outcome: 'not_held' }
    | { outcome: 'absent' }
  > {
    const key = subscriberKey(tenantId, subjectId);
    for (let attempt = 1; ; attempt += 1) {
      const { Item } = await this.db.send(
        new GetCommand({
          TableName: this.tables.Subscribers,
          Key: key,
          ConsistentRead: true,
          ProjectionExpression: 'legalHold, lastInteractionAt, expiresAt',
        }),
      );
      if (!Item || isExpired(Item, now)) return { outcome: 'absent' };
      if (Item.legalHold === undefined) return { outcome: 'not_held' };
      const seen = String(Item.lastInteractionAt);
      const expiry = expiryOf(seen);
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tables.Subscribers,
            Key: key,
            UpdateExpression: 'REMOVE legalHold SET expiresAt = :exp, purgeDay = :day',
            ConditionExpression: 'attribute_exists(legalHold) AND lastInteractionAt = :seen',
            ExpressionAttributeValues: { ':exp': expiry.expiresAt, ':day': expiry.purgeDay, ':seen': seen },
          }),
        );
        return { outcome: 'released', ...expiry };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException) || attempt >= RELEASE_ATTEMPTS) throw error;
      }
    }
  }
}
