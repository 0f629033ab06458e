/**
 * DynamoDB implementation of the incident store, in the Incidents table:
 * - the incident: `I#<incidentId>` / `I`, with its affected tenants;
 * - its idempotency key: `K#<hash of the operator's key>` / `K` → incidentId, kept 24 hours like idempotency records;
 * - one notification per affected tenant: `T#<tenant>` / `N#<incidentId>`, so a tenant reads only its own. While
 *   unsent it carries `unsent` (the partition key of the sparse `ByUnsent` index, sorted by notifyBy), which
 *   delivery removes: the deadline job reads exactly the unsent ones, never the table.
 * The audit entries of each step are written in the same transaction as the step.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditRecord } from '../../domain/audit';
import type { IncidentRecord, IncidentStore, NotificationRecord } from '../../domain/incidents';
import { expiresAt, isExpired } from '../../domain/retention';
import { auditKey, tenantPk } from './keys';
import { QueryOnlyDb } from './query-only';
import { cancelledByCondition, type TransactItem } from './transact-write';

type Tables = { readonly Incidents: string; readonly AuditLog: string };
type Item = Record<string, unknown>;

/** The sparse index of unsent notifications and the one value its partition key takes. */
export const UNSENT_INDEX = 'ByUnsent';
const UNSENT = 'unsent';

const incidentKey = (incidentId: string) => ({ pk: `I#${incidentId}`, sk: 'I' });
const idempotencyKey = (keyHash: string) => ({ pk: `K#${keyHash}`, sk: 'K' });
const notificationKey = (tenantId: string, incidentId: string) => ({
  pk: tenantPk(tenantId),
  sk: `N#${incidentId}`,
});

const strip = <T>(item: Item): T => {
  const { pk: _pk, sk: _sk, unsent: _unsent, claimedUntil: _claimed, ...record } = item;
  return record as T;
};

export class DynamoIncidentStore implements IncidentStore {
  private readonly db: QueryOnlyDb<'Incidents'>;

  constructor(
    db: DynamoDBDocumentClient,
    private readonly names: Tables,
  ) {
    this.db = new QueryOnlyDb(db, { Incidents: names.Incidents });
  }

  private get table() {
    return this.db.tables.Incidents;
  }

  private auditPut(record: AuditRecord): TransactItem {
    return {
      Put: {
        TableName: this.names.AuditLog,
        Item: { ...auditKey(record.tenantId, record.at, record.id), ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  async findByKey(keyHash: string, now: Date): Promise<IncidentRecord | undefined> {
    const key = await this.table.get(idempotencyKey(keyHash));
    if (!key || isExpired(key, now)) return undefined;
    return this.getIncident(String(key.incidentId), now);
  }

  async create(
    incident: IncidentRecord,
    keyHash: string,
    notifications: readonly NotificationRecord[],
    audits: readonly AuditRecord[],
  ): Promise<{ outcome: 'created' | 'exists'; incident: IncidentRecord }> {
    const created = new Date(incident.createdAt);
    try {
      await this.db.transactWrite([
        {
          Put: {
            TableName: this.names.Incidents,
            Item: {
              ...idempotencyKey(keyHash),
              incidentId: incident.incidentId,
              expiresAt: expiresAt('idempotencyRecords', created),
            },
            // An expired key may linger until TTL removes it: it no longer counts.
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
            ExpressionAttributeValues: { ':now': Math.floor(created.getTime() / 1000) },
          },
        },
        {
          Put: {
            TableName: this.names.Incidents,
            Item: { ...incidentKey(incident.incidentId), ...incident },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...notifications.map((n): TransactItem => ({
          Put: {
            TableName: this.names.Incidents,
            Item: { ...notificationKey(n.tenantId, n.incidentId), ...n, unsent: UNSENT },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        })),
        ...audits.map((a) => this.auditPut(a)),
      ]);
      return { outcome: 'created', incident };
    } catch (error) {
      if (!cancelledByCondition(error)) throw error;
    }
    const stored = await this.findByKey(keyHash, created);
    if (!stored) throw new Error('incident idempotency key without its incident');
    return { outcome: 'exists', incident: stored };
  }

  async getIncident(incidentId: string, now: Date): Promise<IncidentRecord | undefined> {
    const item = await this.table.get(incidentKey(incidentId));
    return item && !isExpired(item, now) ? strip<IncidentRecord>(item) : undefined;
  }

  async notificationsOf(incident: IncidentRecord): Promise<NotificationRecord[]> {
    const items = await Promise.all(
      incident.tenants.map((tenantId) => this.table.get(notificationKey(tenantId, incident.incidentId))),
    );
    return items.flatMap((item) => (item ? [strip<NotificationRecord>(item)] : []));
  }

  async listForTenant(tenantId: string, now: Date): Promise<NotificationRecord[]> {
    const items = await this.table.query({
      keyCondition: 'pk = :pk AND begins_with(sk, :n)',
      values: { ':pk': tenantPk(tenantId), ':n': 'N#' },
      consistent: true,
    });
    return items
      .filter((item) => !isExpired(item, now))
      .map((item) => strip<NotificationRecord>(item))
      .sort((a, b) => b.detectedAt.localeCompare(a.detectedAt) || b.incidentId.localeCompare(a.incidentId));
  }

  async getForTenant(
    tenantId: string,
    incidentId: string,
    now: Date,
  ): Promise<NotificationRecord | undefined> {
    const item = await this.table.get(notificationKey(tenantId, incidentId));
    return item && !isExpired(item, now) ? strip<NotificationRecord>(item) : undefined;
  }

  async unsent(): Promise<NotificationRecord[]> {
    const items = await this.table.query({
      index: UNSENT_INDEX,
      keyCondition: 'unsent = :unsent',
      values: { ':unsent': UNSENT },
    });
    return items.map((item) => strip<NotificationRecord>(item));
  }

  async claimDelivery(notification: NotificationRecord, now: Date, leaseMs: number): Promise<boolean> {
    try {
      await this.table.update(notificationKey(notification.tenantId, notification.incidentId), {
        UpdateExpression: 'SET claimedUntil = :until',
        ConditionExpression:
          'attribute_exists(pk) AND attribute_not_exists(notifiedAt) AND ' +
          '(attribute_not_exists(claimedUntil) OR claimedUntil <= :now)',
        ExpressionAttributeValues: { ':until': now.getTime() + leaseMs, ':now': now.getTime() },
      });
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async releaseDelivery(notification: NotificationRecord): Promise<void> {
    await this.table.update(notificationKey(notification.tenantId, notification.incidentId), {
      UpdateExpression: 'REMOVE claimedUntil',
      ConditionExpression: 'attribute_exists(pk)',
    });
  }

  async markNotified(notification: NotificationRecord, now: Date, audit: AuditRecord): Promise<boolean> {
    try {
      await this.db.transactWrite([
        {
          Update: {
            TableName: this.names.Incidents,
            Key: notificationKey(notification.tenantId, notification.incidentId),
            UpdateExpression: 'SET notifiedAt = :now REMOVE unsent, claimedUntil',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(notifiedAt)',
            ExpressionAttributeValues: { ':now': now.toISOString() },
          },
        },
        this.auditPut(audit),
      ]);
      return true;
    } catch (error) {
      if (cancelledByCondition(error)) return false;
      throw error;
    }
  }

  async acknowledge(
    tenantId: string,
    incidentId: string,
    now: Date,
    audit: AuditRecord,
  ): Promise<NotificationRecord | undefined> {
    try {
      await this.db.transactWrite([
        {
          Update: {
            TableName: this.names.Incidents,
            Key: notificationKey(tenantId, incidentId),
            UpdateExpression: 'SET acknowledgedAt = :now',
            ConditionExpression:
              'attribute_exists(pk) AND attribute_not_exists(acknowledgedAt) AND expiresAt > :nowSeconds',
            ExpressionAttributeValues: {
              ':now': now.toISOString(),
              ':nowSeconds': Math.floor(now.getTime() / 1000),
            },
          },
        },
        this.auditPut(audit),
      ]);
    } catch (error) {
      // Absent, expired or already acknowledged: the stored notification tells them apart.
      if (!cancelledByCondition(error)) throw error;
    }
    return this.getForTenant(tenantId, incidentId, now);
  }
}
