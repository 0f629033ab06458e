/** The `optout-reconcile` job built from ports: shared by its Lambda entry point and the local server. */
import { DynamoSubscriberStore } from '../adapters/dynamo/subscriber-store';
import { consentDeps } from '../api/domain-deps';
import type { ConsentPorts } from '../api/ports';
import { reconcileProviderOptOuts } from '../domain/optout-reconcile';
import type { Job } from './job';

/** Time kept back for the last number's writes: a run stops before it could be cut off mid-number. */
const SAFETY_MARGIN_MS = 30_000;

export function optOutReconcileJob(
  ports: ConsentPorts<'Subscribers' | 'ConsentLedger' | 'Suppressions' | 'DailyStats'>,
  tenantIds: readonly string[],
): Job {
  const deps = {
    ...consentDeps(ports),
    providerOptOuts: ports.providerOptOuts,
    subscribers: new DynamoSubscriberStore(ports.db, ports.tables),
    tenantIds,
  };
  return async ({ now, remainingMs }) =>
    reconcileProviderOptOuts(deps, { now, outOfTime: () => remainingMs() < SAFETY_MARGIN_MS });
}
