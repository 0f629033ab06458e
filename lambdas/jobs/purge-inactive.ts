/**
 * `purge-inactive` (DESIGN §4 Purge): daily at 03:00 UTC in each cell, deletes the subscribers whose 36-month
 * inactivity period has ended (MASS policy), before DynamoDB TTL would (TTL deletes late, typically within two
 * days, and then the TTL backstop cascades).
 *
 * - It walks the `ByPurgeDay` buckets from the day after the stored watermark through today, so its cost follows
 *   the number of due subscribers and the days walked, never the size of a table.
 * - Each due subscriber is claimed, cascaded (marketing item, MessageLog) and deleted, each step on condition that
 *   it is still expired and not held; the ConsentLedger and Suppressions are kept. The cascade takes only what
 *   was written before the claim, and the delete only the claimed profile: a subscribe may replace it meanwhile.
 * - The watermark passes a bucket only once the whole day is due; today's bucket is walked again tomorrow.
 * - It stops taking pages when the invocation is nearly out of time and reports `done: false`; the handler then
 *   continues in a new invocation, which starts again from the watermark. A re-run finds only what is still due.
 * - Each tenant with due subscribers gets one AuditLog summary of counts, with no subject id.
 */
import { DynamoAuditLog } from '../adapters/dynamo/audit-log';
import { DynamoPurgeStore } from '../adapters/dynamo/purge-store';
import { DynamoPurgeWatermark } from '../adapters/dynamo/purge-watermark';
import type { Ports } from '../api/ports';
import { CountsByTenant, type AuditLog } from '../domain/audit';
import {
  bucketComplete,
  bucketsToWalk,
  type BucketCursor,
  type DueSubscriber,
  type PurgeStore,
  type PurgeWatermark,
} from '../domain/purge';
import type { Job, JobSummary } from './job';

export const PURGE_ACTOR = 'job:purge-inactive';
export const PURGE_SUMMARY_ACTION = 'purge_summary';

export interface PurgeInactiveDeps {
  readonly store: PurgeStore;
  readonly watermark: PurgeWatermark;
  readonly audit: AuditLog;
  /**
   * Days walked back from today when there is no watermark yet (first run). Older buckets have been emptied by
   * DynamoDB TTL, which deletes within days, and cascaded by the TTL backstop.
   * @default 30
   */
  readonly initialLookbackDays?: number;
  /**
   * No new page is taken when less than this is left of the invocation: the page in hand must finish, and the
   * summary must be written.
   * @default 30000
   */
  readonly reserveMs?: number;
  /** Subscribers purged at the same time. @default 16 */
  readonly concurrency?: number;
}

interface TenantCounts {
  purged: number;
  skipped: number;
  marketingDeleted: number;
  messagesDeleted: number;
}

const emptyCounts = (): TenantCounts => ({ purged: 0, skipped: 0, marketingDeleted: 0, messagesDeleted: 0 });

/** Runs `work` over `items`, at most `limit` at a time; the first failure is thrown once all have settled. */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failures.length > 0) throw failures[0];
}

export function purgeInactiveJob(deps: PurgeInactiveDeps): Job {
  const lookback = deps.initialLookbackDays ?? 30;
  const reserveMs = deps.reserveMs ?? 30_000;
  const concurrency = deps.concurrency ?? 16;

  return async ({ now, remainingMs }) => {
    const byTenant = new CountsByTenant(emptyCounts);
    const purgeOne = async (subscriber: DueSubscriber): Promise<void> => {
      const counts = byTenant.of(subscriber.tenantId);
      // Live again (a later interaction the index has not caught up with), held, or already gone.
      if (!(await deps.store.claim(subscriber, now))) {
        counts.skipped += 1;
        return;
      }
      // Only what the ended life left: a subscribe may replace the claimed profile before it is deleted.
      const cascaded = await deps.store.cascade(subscriber, now);
      counts.marketingDeleted += cascaded.marketingDeleted;
      counts.messagesDeleted += cascaded.messagesDeleted;
      if (await deps.store.remove(subscriber, now)) counts.purged += 1;
      else counts.skipped += 1;
    };

    let watermark = await deps.watermark.read(now);
    let done = true;
    let days = 0;
    let due = 0;
    let failed = true;
    try {
      walk: for (const day of bucketsToWalk(watermark, now, lookback)) {
        let cursor: BucketCursor | undefined;
        do {
          if (remainingMs() < reserveMs) {
            done = false;
            break walk;
          }
          const page = await deps.store.due(day, now, cursor);
          due += page.subscribers.length;
          await forEachLimited(page.subscribers, concurrency, purgeOne);
          cursor = page.cursor;
        } while (cursor);
        days += 1;
        if (bucketComplete(day, now)) {
          // Rewound by a legal-hold release (or moved by another run) since it was read: start again from it.
          if (!(await deps.watermark.advance(watermark, day, now))) {
            done = false;
            break;
          }
          watermark = day;
        }
      }
      failed = false;
    } finally {
      // Also after a failure: what was deleted is accounted for.
      await byTenant.audit(
        deps.audit,
        {
          actor: PURGE_ACTOR,
          action: PURGE_SUMMARY_ACTION,
          outcome: failed ? 'failed' : done ? 'completed' : 'continues',
        },
        now,
      );
    }

    const summary: JobSummary = {
      done,
      throughDay: watermark ?? 'none',
      days,
      due,
      ...byTenant.total(),
      tenants: byTenant.tenants,
    };
    return summary;
  };
}

/** The job on the cell's tables: shared by its Lambda entry point, the local server and the bench. */
export function purgeInactiveFromPorts(
  ports: Pick<Ports<'Subscribers' | 'MessageLog' | 'AuditLog'>, 'db' | 'tables'>,
  options: Pick<PurgeInactiveDeps, 'initialLookbackDays' | 'reserveMs' | 'concurrency'> = {},
): Job {
  return purgeInactiveJob({
    store: new DynamoPurgeStore(ports.db, ports.tables),
    watermark: new DynamoPurgeWatermark(ports.db, ports.tables),
    audit: new DynamoAuditLog(ports.db, ports.tables.AuditLog),
    ...options,
  });
}
