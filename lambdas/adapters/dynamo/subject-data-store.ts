/**
 * DynamoDB implementation of the SubjectDataStore port: everything of one subject, reached by its keys only
 * (DESIGN §3). The cost of each call depends on the subject's own items, never on the size of a table.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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

const withoutKeys = ({ pk: _pk, sk: _sk, ...rest }: Item): Item => rest;

export class DynamoSubjectDataStore implements SubjectDataStore {
  private readonly tables: Readonly<Record<keyof Tables, KeyedTable>>;

  constructor(db: DynamoDBDocumentClient, names: Tables) {
    this.tables = new QueryOnlyDb(db, names).tables;
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
    try {
      const deleted = await this.tables.Subscribers.delete(subscriberKey(tenantId, subjectId), {
        ConditionExpression: 'attribute_not_exists(legalHold)',
      });
      return deleted ? 'deleted' : 'absent';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'held';
      throw error;
    }
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

  restrict(tenantId: string, subjectId: string, now: Date): Promise<boolean> {
    return this.setOnLive(tenantId, subjectId, { status: 'restricted' }, now);
  }

  rectify(tenantId: string, subjectId: string, changes: RectificationChanges, now: Date): Promise<boolean> {
    return this.setOnLive(tenantId, subjectId, changes, now);
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
