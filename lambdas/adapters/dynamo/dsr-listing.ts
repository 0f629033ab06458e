/**
 * The tenant's data-subject requests by original deadline, soonest first, read from the `ByTenantStatusDue`
 * index: one partition per tenant and status. A list of one status is one Query; a list of every status merges
 * the status partitions, each read from where the previous page left it. Each page therefore costs the items it
 * shows (plus one per partition), never the tenant's whole history.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DsrStatus, DsrType } from '../../domain/dsr';
import { isExpired } from '../../domain/retention';
import { dsrKey, TENANT_STATUS_ATTRIBUTE, TENANT_STATUS_INDEX, tenantStatusKey } from './dsr-store';
import { KeyedTable } from './query-only';

/** What the list shows of a request: the projected attributes of the index. */
export interface DsrListRecord {
  readonly requestId: string;
  readonly type: DsrType;
  readonly status: DsrStatus;
  readonly receivedAt: string;
  readonly dueAt: string;
  readonly extendedUntil?: string;
  readonly completedAt?: string;
}

/** Where a status partition's reading stands: after a request, or read to its end. */
export type PartitionPosition = { readonly dueAt: string; readonly requestId: string } | 'done';

/** Positions by status; a status not listed is read from its start. */
export type ListPositions = Readonly<Partial<Record<DsrStatus, PartitionPosition>>>;

export interface DsrListPage {
  readonly requests: DsrListRecord[];
  /** Where to go on from; absent once every partition has been read to its end. */
  readonly next?: ListPositions;
}

type Item = Record<string, unknown>;

interface Fetched {
  readonly status: DsrStatus;
  readonly items: Item[];
  readonly exhausted: boolean;
}

export class DynamoDsrListing {
  private readonly table: KeyedTable;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    this.table = new KeyedTable(db, tableName);
  }

  /** Up to `limit` requests of the given statuses after `from`, soonest deadline first. */
  async page(
    tenantId: string,
    statuses: readonly DsrStatus[],
    from: ListPositions,
    limit: number,
    now: Date,
  ): Promise<DsrListPage> {
    const open = statuses.filter((status) => from[status] !== 'done');
    const fetched = await Promise.all(
      open.map((status) => this.partition(tenantId, status, from[status], limit)),
    );
    // Every partition is in deadline order, and the sort is stable: what is taken is a prefix of each one.
    const merged = fetched
      .flatMap(({ status, items }) => items.map((item) => ({ status, item })))
      .sort((a, b) => String(a.item.dueAt).localeCompare(String(b.item.dueAt)));
    const taken = merged.slice(0, limit);

    const next: Partial<Record<DsrStatus, PartitionPosition>> = { ...from };
    for (const { status, items, exhausted } of fetched) {
      const own = taken.filter((entry) => entry.status === status);
      const last = own.at(-1)?.item;
      if (own.length === items.length && exhausted) next[status] = 'done';
      else if (last) next[status] = { dueAt: String(last.dueAt), requestId: String(last.sk).slice(2) };
    }
    const more = statuses.some((status) => next[status] !== 'done');
    return {
      // An expired request counts as read, but is not shown: TTL deletes late.
      requests: taken.filter(({ item }) => !isExpired(item, now)).map(({ item }) => toListRecord(item)),
      ...(more ? { next } : {}),
    };
  }

  /** The next `limit` requests of one status partition, and whether that reaches its end. */
  private async partition(
    tenantId: string,
    status: DsrStatus,
    position: PartitionPosition | undefined,
    limit: number,
  ): Promise<Fetched> {
    const partition = tenantStatusKey(tenantId, status);
    const after = position === 'done' ? undefined : position;
    // One more than shown: a partition whose end this page reaches is known to be done.
    const { items, lastKey } = await this.table.queryPage({
      index: TENANT_STATUS_INDEX,
      keyCondition: '#partition = :partition',
      names: { '#partition': TENANT_STATUS_ATTRIBUTE },
      values: { ':partition': partition },
      limit: limit + 1,
      ...(after
        ? {
            startKey: {
              ...dsrKey(tenantId, after.requestId),
              [TENANT_STATUS_ATTRIBUTE]: partition,
              dueAt: after.dueAt,
            },
          }
        : {}),
    });
    return { status, items, exhausted: items.length <= limit && lastKey === undefined };
  }
}

function toListRecord(item: Item): DsrListRecord {
  return {
    requestId: String(item.sk).slice(2),
    type: item.type as DsrType,
    status: item.status as DsrStatus,
    receivedAt: String(item.receivedAt),
    dueAt: String(item.dueAt),
    ...(item.extendedUntil === undefined ? {} : { extendedUntil: String(item.extendedUntil) }),
    ...(item.completedAt === undefined ? {} : { completedAt: String(item.completedAt) }),
  };
}
