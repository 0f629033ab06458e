/**
 * The daily reconcile of provider opt-out lists (DESIGN §4 Opt-out). Carriers and providers record opt-outs that
 * never reach optline (a STOP to a short code the provider answered itself, a carrier's own list). Each number on
 * the End User Messaging or SNS list becomes a suppression of every tenant of the cell that knows it as a
 * subscriber, with source `provider_reconcile`. A number that is listed only because a removal after a re-opt-in
 * was refused is not imported again: the removal is retried instead.
 */
import { recordOptOut, removeFromProviders, type ConsentDeps, type ProviderOptOutList } from './consent';
import { normalizeE164 } from './phone';
import type { SubscriberStore } from './subscribers';

export interface ReconcileDeps extends ConsentDeps {
  readonly providerOptOuts: ProviderOptOutList;
  readonly subscribers: SubscriberStore;
  /** Every tenant of the cell: a provider list is shared by the cell's tenants. */
  readonly tenantIds: readonly string[];
}

export interface ReconcileRun {
  readonly now: Date;
  /** Whether to stop before the next number, leaving the rest to tomorrow's run (the import is idempotent). */
  readonly outOfTime: () => boolean;
}

export interface ReconcileSummary {
  readonly [key: string]: number | boolean;
  readonly listed: number;
  readonly imported: number;
  readonly alreadySuppressed: number;
  readonly removalsRetried: number;
  readonly removalsRefused: number;
  /** Removals after which an opt-out that committed meanwhile could not be listed again (see removeFromProviders). */
  readonly relistsFailed: number;
  readonly unreadable: number;
  readonly complete: boolean;
}

export async function reconcileProviderOptOuts(
  deps: ReconcileDeps,
  run: ReconcileRun,
): Promise<ReconcileSummary> {
  const counts = {
    listed: 0,
    imported: 0,
    alreadySuppressed: 0,
    removalsRetried: 0,
    removalsRefused: 0,
    relistsFailed: 0,
    unreadable: 0,
  };
  // The number is on the provider list already: importing it must not put it there again.
  const importing: ConsentDeps = { consent: deps.consent, subjectIds: deps.subjectIds };
  for await (const listed of deps.providerOptOuts.optedOut()) {
    if (run.outOfTime()) return { ...counts, complete: false };
    counts.listed += 1;
    let e164: string;
    try {
      e164 = normalizeE164(listed.e164, { field: 'phone' });
    } catch {
      counts.unreadable += 1;
      continue;
    }
    for (const tenantId of deps.tenantIds) {
      const subjectId = await deps.subjectIds.derive(tenantId, e164);
      if (await deps.consent.providerRemovalPending(tenantId, subjectId)) {
        counts.removalsRetried += 1;
        const removal = await removeFromProviders(deps, tenantId, subjectId, e164, run.now);
        if (!removal.removed) counts.removalsRefused += 1;
        if ('relistError' in removal) counts.relistsFailed += 1;
        continue;
      }
      if (!(await deps.subscribers.get(tenantId, subjectId, run.now))) continue;
      const { outcome } = await recordOptOut(
        importing,
        tenantId,
        { subjectId, e164, source: 'provider_reconcile', evidence: {} },
        run.now,
      );
      if (outcome === 'recorded') counts.imported += 1;
      else counts.alreadySuppressed += 1;
    }
  }
  return { ...counts, complete: true };
}
