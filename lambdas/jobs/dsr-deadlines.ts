/**
 * The daily `dsr-deadlines` job (DESIGN §4 DSR): counts open requests whose deadline is 5 days away or less
 * (`DsrDueSoon`) or past (`DsrOverdue`), publishes both as metrics (an alarm fires on overdue > 0), and puts
 * back on the queue every request still `received` after {@link REQUEUE_AFTER_MS}: one whose enqueue was lost
 * when the API stored it. Its cost follows the open requests near their deadline, never the table size: it
 * queries the `ByStatusDue` index, all of `received` (a status requests leave within seconds) and `in_progress`
 * up to the due-soon horizon only.
 */
import { DUE_SOON_DAYS, deadlineState } from '../domain/dsr';
import type { DsrQueue, DsrStore, MetricsPort } from '../domain/dsr-ports';
import { isStale, REQUEUE_AFTER_MS } from '../domain/dsr-processing';

export { REQUEUE_AFTER_MS };

export const DSR_DUE_SOON_METRIC = 'DsrDueSoon';
export const DSR_OVERDUE_METRIC = 'DsrOverdue';

export interface DsrDeadlinesDeps {
  readonly dsrs: Pick<DsrStore, 'openRequests'>;
  readonly queue: DsrQueue;
  readonly metrics: MetricsPort;
}

/** What the job framework hands a run (`lambdas/jobs/job.ts`). */
interface Run {
  readonly now: Date;
  remainingMs(): number;
}

/** Stop re-enqueueing when less than this is left of the run; the next day's run picks up the rest. */
const RESERVE_MS = 2_000;

export function dsrDeadlinesJob(deps: DsrDeadlinesDeps) {
  return async (run: Run): Promise<Readonly<Record<string, number>>> => {
    const { now } = run;
    // Extensions only move a deadline later, so every request due within the horizon has dueAt within it too.
    const horizon = new Date(now.getTime() + DUE_SOON_DAYS * 86_400_000);
    const [received, inProgress] = await Promise.all([
      deps.dsrs.openRequests('received'),
      deps.dsrs.openRequests('in_progress', horizon),
    ]);
    let dueSoon = 0;
    let overdue = 0;
    for (const request of [...received, ...inProgress]) {
      const state = deadlineState(request, now);
      if (state === 'due_soon') dueSoon += 1;
      if (state === 'overdue') overdue += 1;
    }
    deps.metrics.count(DSR_DUE_SOON_METRIC, dueSoon);
    deps.metrics.count(DSR_OVERDUE_METRIC, overdue);
    deps.metrics.flush();

    let requeued = 0;
    let requeueFailed = 0;
    for (const request of received.filter((r) => isStale(r, now))) {
      if (run.remainingMs() < RESERVE_MS) break;
      try {
        await deps.queue.enqueue({ tenantId: request.tenantId, requestId: request.requestId });
        requeued += 1;
      } catch {
        requeueFailed += 1;
      }
    }
    return {
      received: received.length,
      inProgressNearDeadline: inProgress.length,
      dueSoon,
      overdue,
      requeued,
      requeueFailed,
    };
  };
}
