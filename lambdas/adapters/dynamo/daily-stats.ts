/**
 * The DailyStats table (`T#<tenant>` / `D#<yyyy-mm-dd>#<shard>`): a tenant's anonymised counts of each day,
 * spread over `COUNTER_SHARDS` items per day (lambdas/domain/daily-stats.ts says why). Items hold the counters
 * and `expiresAt`, nothing else: no subject id, phone number or body.
 *
 * Writers never update a counter on its own: {@link countIn} is an item of the transaction that records the event
 * itself, so the count moves exactly when the event is recorded, once.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  counterShard,
  DAILY_COUNTERS,
  utcDay,
  type DailyCounter,
  type DailyStatsReader,
  type StoredCounts,
} from '../../domain/daily-stats';
import { expiresAt, isExpired } from '../../domain/retention';
import { tenantPk } from './keys';
import { KeyedTable } from './query-only';
import type { TransactItem } from './transact-write';

/** One event to count: which counter, when it happened, and its id (which picks the shard). */
export interface CountedEvent {
  readonly tenantId: string;
  readonly counter: DailyCounter;
  readonly at: Date | string;
  readonly eventId: string;
}

const daySortKey = (day: string): string => `D#${day}`;

/** The transaction item that adds one to the event's counter, on the UTC day it happened. */
export function countIn(table: string, event: CountedEvent): TransactItem {
  const day = utcDay(event.at);
  return {
    Update: {
      TableName: table,
      Key: { pk: tenantPk(event.tenantId), sk: `${daySortKey(day)}#${counterShard(event.eventId)}` },
      UpdateExpression: 'ADD #counter :one SET expiresAt = :expiresAt',
      ExpressionAttributeNames: { '#counter': event.counter },
      ExpressionAttributeValues: {
        ':one': 1,
        ':expiresAt': expiresAt('dailyAggregates', new Date(`${day}T00:00:00.000Z`)),
      },
    },
  };
}

/** Zero or one {@link countIn} item, for events that may count nothing. */
export const countsIn = (table: string, event: Omit<CountedEvent, 'counter'>, counter?: DailyCounter) =>
  counter === undefined ? [] : [countIn(table, { ...event, counter })];

export class DynamoDailyStatsReader implements DailyStatsReader {
  private readonly table: KeyedTable;

  constructor(
    db: DynamoDBDocumentClient,
    tableName: string,
    private readonly clock: () => Date,
  ) {
    this.table = new KeyedTable(db, tableName);
  }

  /**
   * One Query on the tenant's partition over the sort-key range of the days (every shard of `to` sorts before
   * `D#<to>#~`). Eventually consistent, at half the cost: counts may trail the latest event by a moment.
   */
  async countsByDay(tenantId: string, from: string, to: string): Promise<StoredCounts> {
    const items = await this.table.query({
      keyCondition: 'pk = :pk AND sk BETWEEN :from AND :to',
      values: { ':pk': tenantPk(tenantId), ':from': daySortKey(from), ':to': `${daySortKey(to)}#~` },
    });
    const now = this.clock();
    const byDay = new Map<string, Partial<Record<DailyCounter, number>>>();
    for (const item of items) {
      if (isExpired(item, now)) continue;
      const day = String(item.sk).slice(2, 12);
      const counts = byDay.get(day) ?? {};
      for (const counter of DAILY_COUNTERS) {
        const value = item[counter];
        if (typeof value === 'number') counts[counter] = (counts[counter] ?? 0) + value;
      }
      byDay.set(day, counts);
    }
    return byDay;
  }
}
