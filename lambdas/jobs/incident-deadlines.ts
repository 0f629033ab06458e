/**
 * The hourly `incident-deadlines` job (DESIGN §12): delivers every breach notification still unsent (one whose
 * delivery failed when the incident was recorded), then counts those still unsent 12 hours or less before their
 * 72-hour deadline, or past it, and publishes the count as `IncidentNotificationsAtRisk` (an alarm fires above
 * 0). Its cost follows the unsent notifications, never the table: it reads the sparse `ByUnsent` index.
 */
import type { MetricsPort } from '../domain/dsr-ports';
import {
  deadlineState,
  deliverNotification,
  type IncidentNotifier,
  type IncidentStore,
} from '../domain/incidents';
import type { Job } from './job';

export const INCIDENT_AT_RISK_METRIC = 'IncidentNotificationsAtRisk';

export interface IncidentDeadlinesDeps {
  readonly incidents: IncidentStore;
  readonly notifier: IncidentNotifier;
  readonly metrics: MetricsPort;
}

/** Stop delivering when less than this is left of the run; the next hour's run picks up the rest. */
const RESERVE_MS = 5_000;

export function incidentDeadlinesJob(deps: IncidentDeadlinesDeps): Job {
  return async (run) => {
    const clock = () => run.now;
    const unsent = await deps.incidents.unsent();
    let delivered = 0;
    let failed = 0;
    const stillUnsent = [];
    for (const notification of unsent) {
      const outcome =
        run.remainingMs() < RESERVE_MS
          ? 'skipped'
          : await deliverNotification({ ...deps, clock }, notification);
      if (outcome === 'delivered') delivered += 1;
      else {
        if (outcome === 'failed') failed += 1;
        stillUnsent.push(notification);
      }
    }
    const states = stillUnsent.map((n) => deadlineState(n, run.now));
    const atRisk = states.filter((s) => s === 'at_risk').length;
    const overdue = states.filter((s) => s === 'overdue').length;
    deps.metrics.count(INCIDENT_AT_RISK_METRIC, atRisk + overdue);
    deps.metrics.flush();
    return { unsent: unsent.length, delivered, failed, atRisk, overdue };
  };
}
