/**
 * DynamoDB implementation of the DsrStore port: DsrRequests (`T#<tenant>` / `R#<requestId>`), with each state
 * change and its AuditLog entry written in one transaction, so no change goes unaudited.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditRecord } from '../../domain/audit';
import type { DsrRecord, DsrStatus } from '../../domain/dsr';
import type { DsrStore, OpenDsrSummary } from '../../domain/dsr-ports';
import { isExpired } from '../../domain/retention';
import { countIn } from './daily-stats';
import { auditKey, subjectPk, tenantPk } from './keys';
import { KeyedTable, QueryOnlyDb } from './query-only';
import { cancelledByCondition } from './transact-write';

/** Index of open (and closed) requests by status and original deadline, for the daily deadline job. */
export const STATUS_DUE_INDEX = 'ByStatusDue';
/** Index of a subject's requests (`subjectKey` = `T#<tenant>#S#<subjectId>`, by `receivedAt`). */
export const SUBJECT_INDEX = 'BySubject';
/** The attribute that keys {@link SUBJECT_INDEX}. */
export const SUBJECT_KEY_ATTRIBUTE = 'subjectKey';
/** Index of the tenant's requests of one status by original deadline (`tenantStatus`, `dueAt`), for GET /v1/dsr. */
export const TENANT_STATUS_INDEX = 'ByTenantStatusDue';
/** The attribute that keys {@link TENANT_STATUS_INDEX}; it moves with every status change. */
export const TENANT_STATUS_ATTRIBUTE = 'tenantStatus';
export const tenantStatusKey = (tenantId: string, status: DsrStatus): string =>
  `${tenantPk(tenantId)}#${status}`;

export const dsrKey = (tenantId: string, requestId: string) => ({
  pk: tenantPk(tenantId),
  sk: `R#${requestId}`,
});

type Tables = { readonly DsrRequests: string; readonly AuditLog: string; readonly DailyStats: string };

type Item = Record<string, unknown>;

function toRecord(item: Item): DsrRecord {
  const {
    pk: _pk,
    sk: _sk,
    [SUBJECT_KEY_ATTRIBUTE]: _subjectKey,
    [TENANT_STATUS_ATTRIBUTE]: _tenantStatus,
    ...record
  } = item;
  return record as unknown as DsrRecord;
}

/** `T#demo` / `R#<id>` → ids, for index items that project keys only. */
function idsOf(item: Item): { tenantId: string; requestId: string } {
  return { tenantId: String(item.pk).slice(2), requestId: String(item.sk).slice(2) };
}

const OPEN: readonly DsrStatus[] = ['received', 'in_progress'];

export class DynamoDsrStore implements DsrStore {
  private readonly db: QueryOnlyDb<keyof Tables>;
  private readonly index: DynamoOpenDsrIndex;

  constructor(
    db: DynamoDBDocumentClient,
    private readonly names: Tables,
    /** Reads treat a request past its `expiresAt` as absent, as TTL deletes late. @default the system clock */
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.db = new QueryOnlyDb(db, {
      DsrRequests: names.DsrRequests,
      AuditLog: names.AuditLog,
      DailyStats: names.DailyStats,
    });
    this.index = new DynamoOpenDsrIndex(db, names.DsrRequests);
  }

  private auditPut(audit: AuditRecord) {
    return {
      Put: {
        TableName: this.names.AuditLog,
        Item: { ...auditKey(audit.tenantId, audit.at, audit.id), ...audit },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  async create(record: DsrRecord, audit: AuditRecord): Promise<void> {
    await this.db.transactWrite([
      {
        Put: {
          TableName: this.names.DsrRequests,
          Item: {
            ...dsrKey(record.tenantId, record.requestId),
            [SUBJECT_KEY_ATTRIBUTE]: subjectPk(record.tenantId, record.subjectId),
            [TENANT_STATUS_ATTRIBUTE]: tenantStatusKey(record.tenantId, record.status),
            ...record,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      this.auditPut(audit),
      countIn(this.names.DailyStats, {
        tenantId: record.tenantId,
        counter: 'dsrReceived',
        at: record.receivedAt,
        eventId: record.requestId,
      }),
    ]);
  }

  async get(tenantId: string, requestId: string): Promise<DsrRecord | undefined> {
    const item = await this.db.tables.DsrRequests.get(dsrKey(tenantId, requestId));
    return item && !isExpired(item, this.clock()) ? toRecord(item) : undefined;
  }

  async transition(next: DsrRecord, from: DsrStatus, audit: AuditRecord): Promise<boolean> {
    // Only the fields a transition changes: a concurrent extension of the same item is never overwritten.
    const fields = Object.entries({
      status: next.status,
      // The tenant's queue of the new status: the item leaves the old one in the same write.
      [TENANT_STATUS_ATTRIBUTE]: tenantStatusKey(next.tenantId, next.status),
      completedAt: next.completedAt,
      result: next.result,
      rejectionReason: next.rejectionReason,
      expiresAt: next.expiresAt,
    }).filter(([, value]) => value !== undefined);
    try {
      await this.db.transactWrite([
        {
          Update: {
            TableName: this.names.DsrRequests,
            Key: dsrKey(next.tenantId, next.requestId),
            UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
            ConditionExpression: '#status = :from',
            ExpressionAttributeNames: {
              '#status': 'status',
              ...Object.fromEntries(fields.map(([name], i) => [`#f${i}`, name])),
            },
            ExpressionAttributeValues: {
              ':from': from,
              ...Object.fromEntries(fields.map(([, value], i) => [`:v${i}`, value])),
            },
          },
        },
        this.auditPut(audit),
        // Only the transition that completes the request counts it: a second worker's fails its condition.
        ...(next.status === 'completed' && next.completedAt !== undefined
          ? [
              countIn(this.names.DailyStats, {
                tenantId: next.tenantId,
                counter: 'dsrCompleted',
                at: next.completedAt,
                eventId: next.requestId,
              }),
            ]
          : []),
      ]);
      return true;
    } catch (error) {
      if (cancelledByCondition(error)) return false;
      throw error;
    }
  }

  async extend(next: DsrRecord, audit: AuditRecord): Promise<boolean> {
    try {
      await this.db.transactWrite([
        {
          Update: {
            TableName: this.names.DsrRequests,
            Key: dsrKey(next.tenantId, next.requestId),
            UpdateExpression: 'SET extendedUntil = :until, extensionReason = :reason',
            ConditionExpression:
              'attribute_exists(pk) AND attribute_not_exists(extendedUntil) AND #status IN (:open0, :open1)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':until': next.extendedUntil,
              ':reason': next.extensionReason,
              ':open0': OPEN[0],
              ':open1': OPEN[1],
            },
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

  async bySubject(tenantId: string, subjectId: string): Promise<DsrRecord[]> {
    const items = await this.db.tables.DsrRequests.query({
      index: SUBJECT_INDEX,
      keyCondition: '#subject = :subject',
      names: { '#subject': SUBJECT_KEY_ATTRIBUTE },
      values: { ':subject': subjectPk(tenantId, subjectId) },
    });
    const now = this.clock();
    return items.filter((item) => !isExpired(item, now)).map(toRecord);
  }

  async forgetContents(
    earlier: DsrRecord,
    parts: { readonly exportKey: boolean; readonly changes: boolean },
  ): Promise<void> {
    const exportKey = parts.exportKey && earlier.result?.exportKey !== undefined;
    const paths = [
      ...(parts.changes && earlier.changes ? ['changes'] : []),
      ...(exportKey ? ['#result.exportKey', '#result.exportExpiresAt'] : []),
    ];
    if (paths.length === 0) return;
    await this.db.tables.DsrRequests.update(dsrKey(earlier.tenantId, earlier.requestId), {
      UpdateExpression: `REMOVE ${paths.join(', ')}`,
      // Never create an item: a request that expired and was deleted meanwhile has nothing left to forget.
      ConditionExpression: 'attribute_exists(pk)',
      ...(exportKey ? { ExpressionAttributeNames: { '#result': 'result' } } : {}),
    }).catch((error: unknown) => {
      if ((error as Error)?.name !== 'ConditionalCheckFailedException') throw error;
    });
  }

  openRequests(status: DsrStatus, dueBy?: Date): Promise<OpenDsrSummary[]> {
    return this.index.openRequests(status, dueBy);
  }
}

/** The `ByStatusDue` index alone, read-only: all the daily deadline job needs. */
export class DynamoOpenDsrIndex implements Pick<DsrStore, 'openRequests'> {
  private readonly table: KeyedTable;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    this.table = new KeyedTable(db, tableName);
  }

  async openRequests(status: DsrStatus, dueBy?: Date): Promise<OpenDsrSummary[]> {
    const items = await this.table.query({
      index: STATUS_DUE_INDEX,
      keyCondition: dueBy ? '#status = :status AND dueAt <= :dueBy' : '#status = :status',
      names: { '#status': 'status' },
      values: { ':status': status, ...(dueBy ? { ':dueBy': dueBy.toISOString() } : {}) },
    });
    return items.map((item) => ({
      ...idsOf(item),
      status: item.status as DsrStatus,
      dueAt: String(item.dueAt),
      receivedAt: String(item.receivedAt),
      ...(item.extendedUntil !== undefined ? { extendedUntil: String(item.extendedUntil) } : {}),
    }));
  }
}
