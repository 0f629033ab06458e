/**
 * Anonymised daily aggregates (DESIGN §11, issue 19): per tenant and UTC day, how many messages were sent,
 * delivered, failed and received, how many opt-outs and opt-ins were recorded, and how many data-subject requests
 * were received and completed. Counters only: no subject id, phone number or body, so they are "fully anonymised
 * and aggregated data" (MessageBird 8.4) and outlive erasure and the purge.
 *
 * Each counter is incremented in the same DynamoDB transaction as the conditional write that records its event,
 * so a retried, redelivered or crashed write counts once or not at all. This module says which event moves
 * which counter, on which day, and how a range of days is answered. Pure: no AWS SDK.
 */
import { InvalidInputError } from '../shared/problem';
import type { MessageStatus } from '../shared/schemas';
import type { ConsentEventType } from './subscribers';

export const DAILY_COUNTERS = [
  'sent',
  'delivered',
  'failed',
  'inbound',
  'optOuts',
  'optIns',
  'dsrReceived',
  'dsrCompleted',
] as const;
export type DailyCounter = (typeof DAILY_COUNTERS)[number];

export type DailyCounts = { readonly date: string } & Readonly<Record<DailyCounter, number>>;

/** The longest range one request may ask for: a year, leap day included. */
export const MAX_STATS_DAYS = 366;

/**
 * How many items one day's counts of a tenant are spread over. Every counted write of a tenant meets its day's
 * counter item inside a transaction, and DynamoDB cancels a transaction that meets another one in flight on the
 * same item ("Transaction conflict handling in DynamoDB",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html). One item per day would
 * make a tenant's concurrent sends conflict with each other; eight shards make that rare, and a reader sums them.
 */
export const COUNTER_SHARDS = 8;

/** The UTC day (`YYYY-MM-DD`) an instant falls on. */
export const utcDay = (at: Date | string): string => new Date(at).toISOString().slice(0, 10);

/**
 * The shard an event counts in: a hash of its id, so a retry of the same write meets the same item and
 * different events spread over all of them.
 */
export function counterShard(eventId: string): number {
  // FNV-1a, 32 bits: cheap and evenly spread; nothing here needs to be secret.
  let hash = 0x811c9dc5;
  for (let i = 0; i < eventId.length; i += 1) {
    hash ^= eventId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % COUNTER_SHARDS;
}

/**
 * What logging a message counts: an inbound message is `inbound`; an outbound one the channel took is `sent`,
 * and one the channel refused outright is `failed` (it never went out, so it is not also `sent`).
 */
export function messageLoggedCounter(message: {
  readonly direction: 'outbound' | 'inbound';
  readonly status: MessageStatus | 'received';
}): DailyCounter {
  if (message.direction === 'inbound') return 'inbound';
  return message.status === 'failed' ? 'failed' : 'sent';
}

/** What a delivery event that moved a message's status counts; `sent` (carrier accepted) counts nothing new. */
export function deliveryCounter(status: MessageStatus): DailyCounter | undefined {
  if (status === 'delivered') return 'delivered';
  if (status === 'failed') return 'failed';
  return undefined;
}

/**
 * What a consent-ledger event counts. `opt_in_confirmed` is the YES of a double opt-in whose `opt_in` was counted
 * when the subscriber signed up: counting it too would count one opt-in twice.
 */
export function consentCounter(type: ConsentEventType): DailyCounter | undefined {
  switch (type) {
    case 'opt_out':
      return 'optOuts';
    case 'opt_in':
    case 're_opt_in':
      return 'optIns';
    case 'opt_in_confirmed':
      return undefined;
  }
}

const MS_PER_DAY = 86_400_000;

/**
 * The days from `from` to `to` (`YYYY-MM-DD`, both included), refused with 400 when `to` comes before `from` or
 * the range is longer than {@link MAX_STATS_DAYS}.
 */
export function statsDays(from: string, to: string): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (end < start) throw new InvalidInputError([{ field: 'to', message: 'must not be before from' }]);
  const count = (end - start) / MS_PER_DAY + 1;
  if (count > MAX_STATS_DAYS) {
    throw new InvalidInputError([
      { field: 'to', message: `the range may span at most ${MAX_STATS_DAYS} days` },
    ]);
  }
  return Array.from({ length: count }, (_, i) => utcDay(new Date(start + i * MS_PER_DAY)));
}

/** Counts found in the store, by day; a day or counter without an entry counted nothing. */
export type StoredCounts = ReadonlyMap<string, Partial<Record<DailyCounter, number>>>;

export interface DailyStatsReader {
  /** The tenant's counts of every day from `from` to `to` that has any, summed over shards. */
  countsByDay(tenantId: string, from: string, to: string): Promise<StoredCounts>;
}

/** One entry per day of the range, oldest first, zero where nothing was counted. */
export function zeroFilled(days: readonly string[], stored: StoredCounts): DailyCounts[] {
  return days.map((date) => {
    const found = stored.get(date) ?? {};
    return {
      date,
      ...(Object.fromEntries(DAILY_COUNTERS.map((counter) => [counter, found[counter] ?? 0])) as Record<
        DailyCounter,
        number
      >),
    };
  });
}

/** `GET /v1/stats/daily`: the tenant's counts of each day of the range, from one key-range query. */
export async function dailyStats(
  reader: DailyStatsReader,
  tenantId: string,
  range: { readonly from: string; readonly to: string },
): Promise<DailyCounts[]> {
  const days = statsDays(range.from, range.to);
  return zeroFilled(days, await reader.countsByDay(tenantId, range.from, range.to));
}
