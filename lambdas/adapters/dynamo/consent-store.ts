/** DynamoDB implementation of the ConsentStore port: Suppressions, ConsentLedger and the subscriber status. */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import {
  SCOPE_ALL,
  type ConsentStore,
  type OptInChanges,
  type OptOutWrite,
  type Suppression,
  type SuppressionState,
} from '../../domain/consent';
import { isExpired } from '../../domain/retention';
import type { ConsentEvent } from '../../domain/subscribers';
import { ledgerKey, marketingKey, subscriberKey, suppressionKey, tenantPk } from './keys';

type Tables = { readonly Subscribers: string; readonly ConsentLedger: string; readonly Suppressions: string };

type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

const nowSeconds = (now: Date): number => Math.floor(now.getTime() / 1000);

/** Whether a transaction failed because one of its conditions did not hold (rather than a conflict or an outage). */
const conditionFailed = (error: unknown): boolean =>
  error instanceof TransactionCanceledException &&
  (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed');

export class DynamoConsentStore implements ConsentStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Tables,
  ) {}

  /** One Query on the tenant's partition, bounded to the subject's own sort-key prefix. */
  async suppressionState(tenantId: string, subjectId: string): Promise<SuppressionState> {
    const prefix = `S#${subjectId}#`;
    const items: Record<string, unknown>[] = [];
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
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const scopes = items.map((item) => String(item.sk).slice(prefix.length)).sort();
    const since = items
      .map((item) => String(item.since))
      .sort()
      .at(0);
    return since === undefined ? { scopes } : { scopes, since };
  }

  async optOut(suppression: Suppression, event: ConsentEvent): Promise<OptOutWrite> {
    const { tenantId, subjectId, scope } = suppression;
    const items: TransactItems = [
      {
        Put: {
          TableName: this.tables.Suppressions,
          Item: { ...suppressionKey(tenantId, subjectId, scope), ...suppression },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: this.tables.ConsentLedger,
          Item: { ...ledgerKey(tenantId, subjectId, event.at, event.eventId), ...event },
        },
      },
    ];
    // Withdrawing all consent deletes the marketing attributes with it (DESIGN §2).
    if (scope === SCOPE_ALL) {
      items.push({
        Delete: {
          TableName: this.tables.Subscribers,
          Key: marketingKey(tenantId, subjectId),
        },
      });
    }
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      return { outcome: 'recorded', since: suppression.since };
    } catch (error) {
      if (!conditionFailed(error)) throw error;
      const { Item } = await this.db.send(
        new GetCommand({
          TableName: this.tables.Suppressions,
          Key: suppressionKey(tenantId, subjectId, scope),
          ConsistentRead: true,
        }),
      );
      // Opted back in between the two requests: the caller may retry; report the attempted time meanwhile.
      return { outcome: 'already', since: Item ? String(Item.since) : suppression.since };
    }
  }

  async optIn(event: ConsentEvent, changes: OptInChanges): Promise<'recorded' | 'unchanged'> {
    const { tenantId, subjectId } = event;
    const items: TransactItems = [
      {
        Put: {
          TableName: this.tables.ConsentLedger,
          Item: { ...ledgerKey(tenantId, subjectId, event.at, event.eventId), ...event },
        },
      },
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
    if (changes.confirmSubscriber) {
      items.push({
        Update: {
          TableName: this.tables.Subscribers,
          Key: subscriberKey(tenantId, subjectId),
          UpdateExpression: 'SET #status = :active',
          ConditionExpression:
            'attribute_exists(pk) AND #status = :pending AND (attribute_not_exists(expiresAt) OR expiresAt > :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':active': 'active',
            ':pending': 'pending_confirmation',
            ':now': nowSeconds(new Date(event.at)),
          },
        },
      });
    }
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      return 'recorded';
    } catch (error) {
      if (conditionFailed(error)) return 'unchanged';
      throw error;
    }
  }

  async isPendingConfirmation(tenantId: string, subjectId: string, now: Date): Promise<boolean> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tables.Subscribers,
        Key: subscriberKey(tenantId, subjectId),
        ConsistentRead: true,
        ProjectionExpression: '#status, expiresAt',
        ExpressionAttributeNames: { '#status': 'status' },
      }),
    );
    return Item !== undefined && !isExpired(Item, now) && Item.status === 'pending_confirmation';
  }
}
