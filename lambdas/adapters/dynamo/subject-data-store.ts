/**
 * DynamoDB implementation of the SubjectDataStore port: everything of one subject, reached by its keys only
 * (DESIGN §3). The cost of each call depends on the subject's own items, never on the size of a table.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { membershipOf } from '../../domain/audience';
import type { RectificationChanges } from '../../domain/dsr';
import type { SubjectData, SubjectDataStore } from '../../domain/dsr-ports';
import type {
  ExportConsentEventInput,
  ExportMessageInput,
  ExportProfileInput,
  ExportSuppressionInput,
} from '../../domain/export-document';
import { isExpired } from '../../domain/retention';
import type { SubscriberRecord } from '../../domain/subscribers';
import { writeWithIndex } from './audience-index';
import { failedConditions, type TransactItem } from './consent-head';
import { LIVE, nowSeconds, setFields } from './expressions';
import { marketingKey, subjectPk, subscriberKey, tenantPk } from './keys';
import { QueryOnlyDb, type KeyedTable } from './query-only';

type Tables = {
  readonly Subscribers: string;
  readonly ConsentLedger: string;
  readonly Suppressions: string;
  readonly MessageLog: string;
};

type Item = Record<string, unknown>;

/** Times a correction of topics reads the profile again after its status changed in between. */
const MAX_STATUS_TURNS = 3;

const withoutKeys = ({ pk: _pk, sk: _sk, ...rest }: Item): Item => rest;

export class DynamoSubjectDataStore implements SubjectDataStore {
  private readonly tables: Readonly<Record<keyof Tables, KeyedTable>>;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly names: Tables,
  ) {
    this.tables = new QueryOnlyDb(db, names).tables;
  }

  /** A transaction on the subject's profile that moves its audience index with it (DESIGN §10). */
  private withIndex(
    tenantId: string,
    subjectId: string,
    build: Parameters<typeof writeWithIndex>[1],
  ): Promise<void> {
    return writeWithIndex({ db: this.db, table: this.names.Subscribers, tenantId, subjectId }, build);
  }

  /** The subject's partition of a per-subject table, read strongly consistent, expired items left out. */
  private async partition(
    table: KeyedTable,
    tenantId: string,
    subjectId: string,
    now: Date,
  ): Promise<Item[]> {
    const items = await table.query({
      keyCondition: 'pk = :pk',
      values: { ':pk': subjectPk(tenantId, subjectId) },
      consistent: true,
    });
    return items.filter((item) => !isExpired(item, now));
  }

  async read(tenantId: string, subjectId: string, now: Date): Promise<SubjectData> {
    const suppressionPrefix = `S#${subjectId}#`;
    const [profile, marketing, consentEvents, suppressions, messages] = await Promise.all([
      this.profile(tenantId, subjectId, now),
      this.tables.Subscribers.get(marketingKey(tenantId, subjectId)),
      this.partition(this.tables.ConsentLedger, tenantId, subjectId, now),
      // Suppression items only (`S#<subjectId>#<scope>`): the consent-state item `C#<subjectId>` is not one.
      this.tables.Suppressions.query({
        keyCondition: 'pk = :pk AND begins_with(sk, :prefix)',
        values: { ':pk': tenantPk(tenantId), ':prefix': suppressionPrefix },
        consistent: true,
      }),
      this.partition(this.tables.MessageLog, tenantId, subjectId, now),
    ]);
    return {
      profile: profile as ExportProfileInput | undefined,
      marketing: marketing && !isExpired(marketing, now) ? withoutKeys(marketing) : undefined,
      consentEvents: consentEvents as unknown as ExportConsentEventInput[],
      suppressions: suppressions.map((item) => ({
        scope: String(item.sk).slice(suppressionPrefix.length),
        since: String(item.since),
        source: String(item.source),
      })) satisfies ExportSuppressionInput[],
      messages: messages as unknown as ExportMessageInput[],
    };
  }

  async profile(tenantId: string, subjectId: string, now: Date): Promise<SubscriberRecord | undefined> {
    const item = await this.tables.Subscribers.get(subscriberKey(tenantId, subjectId));
    return item && !isExpired(item, now) ? (withoutKeys(item) as unknown as SubscriberRecord) : undefined;
  }

  async deleteProfile(tenantId: string, subjectId: string): Promise<'deleted' | 'absent' | 'held'> {
    const Key = subscriberKey(tenantId, subjectId);
    const TableName = this.names.Subscribers;
    try {
      await this.withIndex(tenantId, subjectId, () => ({
        items: [
          {
            Delete: {
              TableName,
              Key,
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(legalHold)',
            },
          },
        ],
        after: undefined,
      }));
      return 'deleted';
    } catch (error) {
      if (!failedConditions(error).includes(0)) throw error;
    }
    if (await this.tables.Subscribers.get(Key)) return 'held';
    // No profile: index entries an ended life left (TTL removed its profile) are erased all the same.
    try {
      await this.withIndex(tenantId, subjectId, () => ({
        items: [{ ConditionCheck: { TableName, Key, ConditionExpression: 'attribute_not_exists(pk)' } }],
        after: undefined,
      }));
    } catch (error) {
      // Subscribed again meanwhile: that subscription owns its entries.
      if (!failedConditions(error).includes(0)) throw error;
    }
    return 'absent';
  }

  deleteMarketing(tenantId: string, subjectId: string): Promise<boolean> {
    return this.tables.Subscribers.delete(marketingKey(tenantId, subjectId));
  }

  async deleteMessages(tenantId: string, subjectId: string): Promise<number> {
    const keys = await this.tables.MessageLog.query({
      keyCondition: 'pk = :pk',
      values: { ':pk': subjectPk(tenantId, subjectId) },
      consistent: true,
      projection: 'pk, sk',
    });
    await this.tables.MessageLog.deleteAll(keys.map((key) => ({ pk: String(key.pk), sk: String(key.sk) })));
    return keys.length;
  }

  /** A restricted subscriber leaves every audience, in the same transaction. */
  async restrict(tenantId: string, subjectId: string, now: Date): Promise<boolean> {
    const update = this.liveUpdate(tenantId, subjectId, [['status', 'restricted']], now);
    try {
      await this.withIndex(tenantId, subjectId, () => ({ items: [update], after: undefined }));
      return true;
    } catch (error) {
      if (failedConditions(error).includes(0)) return false;
      throw error;
    }
  }

  /**
   * Corrections to the profile. A correction of topics moves the audience index in the same transaction, holding
   * to the status it read (who is in an audience depends on it); a status change in between makes it read again.
   */
  async rectify(
    tenantId: string,
    subjectId: string,
    changes: RectificationChanges,
    now: Date,
  ): Promise<boolean> {
    const { topics } = changes;
    if (topics === undefined) return this.setOnLive(tenantId, subjectId, changes, now);
    const fields = Object.entries(changes).filter(([, value]) => value !== undefined);
    for (let turn = 0; turn < MAX_STATUS_TURNS; turn += 1) {
      const current = await this.profile(tenantId, subjectId, now);
      if (!current) return false;
      const update = this.liveUpdate(tenantId, subjectId, fields, now, current.status);
      try {
        await this.withIndex(tenantId, subjectId, () => ({
          items: [update],
          after: membershipOf({ status: current.status, topics }),
        }));
        return true;
      } catch (error) {
        if (!failedConditions(error).includes(0)) throw error;
      }
    }
    throw new Error('The status of the subscriber kept changing while its topics were rectified');
  }

  /** A transaction Update of a live profile, optionally holding to its status. */
  private liveUpdate(
    tenantId: string,
    subjectId: string,
    fields: ReadonlyArray<readonly [string, unknown]>,
    now: Date,
    status?: string,
  ): TransactItem {
    const set = setFields(fields);
    return {
      Update: {
        TableName: this.names.Subscribers,
        Key: subscriberKey(tenantId, subjectId),
        ...set,
        ConditionExpression: status === undefined ? LIVE : `${LIVE} AND #status = :status`,
        ExpressionAttributeNames: {
          ...set.ExpressionAttributeNames,
          ...(status === undefined ? {} : { '#status': 'status' }),
        },
        ExpressionAttributeValues: {
          ...set.ExpressionAttributeValues,
          ':now': nowSeconds(now),
          ...(status === undefined ? {} : { ':status': status }),
        },
      },
    };
  }

  private async setOnLive(tenantId: string, subjectId: string, changes: Item, now: Date): Promise<boolean> {
    const fields = Object.entries(changes).filter(([, value]) => value !== undefined);
    if (fields.length === 0) return (await this.profile(tenantId, subjectId, now)) !== undefined;
    const set = setFields(fields);
    try {
      await this.tables.Subscribers.update(subscriberKey(tenantId, subjectId), {
        ...set,
        ConditionExpression: LIVE,
        ExpressionAttributeValues: { ':now': nowSeconds(now), ...set.ExpressionAttributeValues },
      });
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
