/** DynamoDB implementation of the ConsentStore port: Suppressions, ConsentLedger and the subscriber status. */
import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  SCOPE_ALL,
  type Committed,
  type ConsentState,
  type ConsentStore,
  type OptInChanges,
  type Suppression,
  type SuppressionState,
} from '../../domain/consent';
import { isExpired } from '../../domain/retention';
import type { ConsentEvent } from '../../domain/subscribers';
import { writeWithIndex } from './audience-index';
import { failedConditions, ledgerCount, ledgerPut, moveHead, type TransactItems } from './consent-head';
import { nowSeconds } from './expressions';
import { consentStateKey, marketingKey, subscriberKey, suppressionKey, tenantPk } from './keys';
import { transactWrite } from './transact-write';

type Tables = {
  readonly Subscribers: string;
  readonly ConsentLedger: string;
  readonly Suppressions: string;
  readonly DailyStats: string;
};

/** Times a confirmation reads the subscriber's topics again after they changed in between. */
const MAX_TOPIC_TURNS = 3;

export class DynamoConsentStore implements ConsentStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Tables,
  ) {}

  /** One Query on the tenant's partition, bounded to the subject's own sort-key prefix. */
  private async suppressions(tenantId: string, subjectId: string): Promise<Suppression[]> {
    const prefix = `S#${subjectId}#`;
    const items: Suppression[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tables.Suppressions,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':prefix': prefix },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const { pk: _pk, sk, ...suppression } = item;
        items.push({ ...(suppression as Suppression), scope: String(sk).slice(prefix.length) });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  async suppressionState(tenantId: string, subjectId: string): Promise<SuppressionState> {
    const items = await this.suppressions(tenantId, subjectId);
    const scopes = items.map((item) => item.scope).sort();
    const since = items
      .map((item) => item.since)
      .sort()
      .at(0);
    return since === undefined ? { scopes } : { scopes, since };
  }

  async state(tenantId: string, subjectId: string, now: Date): Promise<ConsentState> {
    // The head first, the rest after it. Every opt-out, opt-in and subscribe moves (or checks) the head in the
    // same transaction as its suppression and subscriber changes, so what is read after the head is at least as
    // new as the head, and a change committed after it makes this writer stale. Read the other way round, a
    // suppression read just before a concurrent opt-out and a head read just after it would pass the head check
    // with a stale view, and an opt-in would leave that opt-out standing behind it. The other changes (a
    // confirmation mark, restriction, erasure, the purge) do not decide consent, and the confirming update
    // carries its own condition on the subscriber's status.
    const head = await this.db.send(
      new GetCommand({
        TableName: this.tables.Suppressions,
        Key: consentStateKey(tenantId, subjectId),
        ConsistentRead: true,
      }),
    );
    const [suppressions, subscriber] = await Promise.all([
      this.suppressions(tenantId, subjectId),
      this.db.send(
        new GetCommand({
          TableName: this.tables.Subscribers,
          Key: subscriberKey(tenantId, subjectId),
          ConsistentRead: true,
          ProjectionExpression: '#status, expiresAt',
          ExpressionAttributeNames: { '#status': 'status' },
        }),
      ),
    ]);
    const live = subscriber.Item !== undefined && !isExpired(subscriber.Item, now);
    return {
      suppressions: Object.fromEntries(suppressions.map((s) => [s.scope, s])),
      // The head is bookkeeping of the ledger, which outlives the subscriber: it is read even when expired.
      ...(head.Item?.head === undefined ? {} : { head: String(head.Item.head) }),
      pendingConfirmation: live && subscriber.Item?.status === 'pending_confirmation',
    };
  }

  async optOut(
    suppression: Suppression,
    event: ConsentEvent,
    head: string | undefined,
  ): Promise<Committed<'recorded' | 'already'>> {
    const { tenantId, subjectId, scope } = suppression;
    const items: TransactItems = [
      {
        Put: {
          TableName: this.tables.Suppressions,
          Item: { ...suppressionKey(tenantId, subjectId, scope), ...suppression },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      // Withdrawing all consent also cancels a provider removal still pending from an earlier opt-in.
      moveHead(this.tables.Suppressions, event, { seen: head, cancelProviderRemoval: scope === SCOPE_ALL }),
      ledgerPut(this.tables.ConsentLedger, event),
    ];
    // Withdrawing all consent deletes the marketing attributes with it (DESIGN §2).
    if (scope === SCOPE_ALL) {
      items.push({ Delete: { TableName: this.tables.Subscribers, Key: marketingKey(tenantId, subjectId) } });
    }
    items.push(...ledgerCount(this.tables.DailyStats, event));
    try {
      await transactWrite(this.db, items);
      return 'recorded';
    } catch (error) {
      const failed = failedConditions(error);
      if (failed.includes(0)) return 'already';
      if (failed.includes(1)) return 'stale';
      throw error;
    }
  }

  async optIn(
    event: ConsentEvent,
    changes: OptInChanges,
    head: string | undefined,
  ): Promise<Committed<'recorded' | 'unchanged'>> {
    const { tenantId, subjectId } = event;
    const items: TransactItems = [
      moveHead(this.tables.Suppressions, event, {
        seen: head,
        requestProviderRemoval: changes.requestProviderRemoval,
      }),
      ledgerPut(this.tables.ConsentLedger, event),
    ];
    if (changes.clearSuppression) {
      items.push({
        Delete: {
          TableName: this.tables.Suppressions,
          Key: suppressionKey(tenantId, subjectId, event.scope),
          ConditionExpression: 'attribute_exists(pk)',
        },
      });
    }
    items.push(...ledgerCount(this.tables.DailyStats, event));
    try {
      if (changes.confirmSubscriber) await this.confirm(event, items);
      else await transactWrite(this.db, items);
      return 'recorded';
    } catch (error) {
      const failed = failedConditions(error);
      if (failed.includes(0)) return 'stale';
      if (failed.length > 0) return 'unchanged';
      throw error;
    }
  }

  /**
   * The YES of a double opt-in: the subscriber becomes `active` and joins the audiences of its topics in the
   * same transaction. The update holds to the topics it read; a change of topics in between makes it read again.
   */
  private async confirm(event: ConsentEvent, items: TransactItems): Promise<void> {
    const { tenantId, subjectId } = event;
    const at = nowSeconds(new Date(event.at));
    for (let turn = 0; turn < MAX_TOPIC_TURNS; turn += 1) {
      const { Item } = await this.db.send(
        new GetCommand({
          TableName: this.tables.Subscribers,
          Key: subscriberKey(tenantId, subjectId),
          ConsistentRead: true,
          ProjectionExpression: 'topics',
        }),
      );
      const stored = Item?.topics as string[] | undefined;
      const topics = stored ?? [];
      const update = {
        Update: {
          TableName: this.tables.Subscribers,
          Key: subscriberKey(tenantId, subjectId),
          UpdateExpression: 'SET #status = :active',
          ConditionExpression:
            'attribute_exists(pk) AND #status = :pending AND (attribute_not_exists(expiresAt) OR expiresAt > :now) ' +
            `AND ${stored === undefined ? 'attribute_not_exists(topics)' : 'topics = :topics'}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':active': 'active',
            ':pending': 'pending_confirmation',
            ':now': at,
            ...(stored === undefined ? {} : { ':topics': topics }),
          },
        },
      };
      const write = { db: this.db, table: this.tables.Subscribers, tenantId, subjectId };
      try {
        await writeWithIndex(write, () => ({ items: [...items, update], after: { topics } }));
        return;
      } catch (error) {
        // Only a change of topics is worth another turn; anything else is the caller's to read.
        const confirmFailed = failedConditions(error).includes(items.length);
        const now = await this.db.send(
          new GetCommand({
            TableName: this.tables.Subscribers,
            Key: subscriberKey(tenantId, subjectId),
            ConsistentRead: true,
            ProjectionExpression: 'topics',
          }),
        );
        const moved = JSON.stringify(now.Item?.topics ?? []) !== JSON.stringify(topics);
        if (!confirmFailed || !moved) throw error;
      }
    }
    throw new Error('The topics of the subscriber kept changing while its double opt-in was confirmed');
  }

  async markConfirmed(tenantId: string, subjectId: string, scope: string, at: Date): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.Suppressions,
          Key: suppressionKey(tenantId, subjectId, scope),
          UpdateExpression: 'SET confirmedAt = :at',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at.toISOString() },
        }),
      );
    } catch (error) {
      // Opted back in meanwhile: there is no suppression left to mark.
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  async providerRemovalDone(tenantId: string, subjectId: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tables.Suppressions,
        Key: consentStateKey(tenantId, subjectId),
        UpdateExpression: 'REMOVE providerRemoval',
      }),
    );
  }

  async providerRemovalRefused(
    tenantId: string,
    subjectId: string,
    refusal: string,
    at: Date,
  ): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.Suppressions,
          Key: consentStateKey(tenantId, subjectId),
          UpdateExpression:
            'SET providerRemoval.attempts = providerRemoval.attempts + :one, providerRemoval.lastAttemptAt = :at, ' +
            'providerRemoval.lastRefusal = :refusal',
          ConditionExpression: 'attribute_exists(providerRemoval)',
          ExpressionAttributeValues: { ':one': 1, ':at': at.toISOString(), ':refusal': refusal },
        }),
      );
    } catch (error) {
      // Done by a concurrent attempt: nothing is pending any more.
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  async providerRemovalPending(tenantId: string, subjectId: string): Promise<boolean> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tables.Suppressions,
        Key: consentStateKey(tenantId, subjectId),
        ConsistentRead: true,
        ProjectionExpression: 'providerRemoval',
      }),
    );
    return Item?.providerRemoval !== undefined;
  }
}
