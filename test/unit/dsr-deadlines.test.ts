import { RecordingMetrics } from '../../lambdas/adapters/powertools-metrics';
import type { DsrStatus } from '../../lambdas/domain/dsr';
import type { OpenDsrSummary } from '../../lambdas/domain/dsr-ports';
import { dsrDeadlinesJob, REQUEUE_AFTER_MS } from '../../lambdas/jobs/dsr-deadlines';

const NOW = new Date('2026-11-24T03:00:00Z');
const DAY = 86_400_000;
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

const open = (status: DsrStatus, dueInMs: number, extra: Partial<OpenDsrSummary> = {}): OpenDsrSummary => ({
  tenantId: 'demo',
  requestId: `r-${status}-${dueInMs}`,
  status,
  dueAt: at(dueInMs),
  receivedAt: at(dueInMs - 30 * DAY),
  ...extra,
});

function setup(requests: OpenDsrSummary[]) {
  const queries: Array<{ status: DsrStatus; dueBy?: string }> = [];
  const enqueued: string[] = [];
  const metrics = new RecordingMetrics();
  const job = dsrDeadlinesJob({
    dsrs: {
      openRequests: async (status, dueBy) => {
        queries.push({ status, dueBy: dueBy?.toISOString() });
        return requests.filter((r) => r.status === status && (!dueBy || r.dueAt <= dueBy.toISOString()));
      },
    },
    queue: { enqueue: async (item) => void enqueued.push(item.requestId) },
    metrics,
  });
  return { job, queries, enqueued, metrics };
}

describe('the dsr-deadlines job', () => {
  it('publishes DsrDueSoon (5 days or less) and DsrOverdue, counting the extended deadline', async () => {
    const { job, metrics } = setup([
      open('in_progress', 5 * DAY), // due soon: exactly 5 days
      open('in_progress', 5 * DAY + 1), // not yet
      open('in_progress', -1), // overdue
      open('in_progress', 0), // the deadline instant itself is still in time: due soon
      open('in_progress', -DAY, { extendedUntil: at(20 * DAY) }), // extended: on time
      open('in_progress', -2 * DAY, { extendedUntil: at(-DAY) }), // extended and still overdue
    ]);

    const summary = await job({ now: NOW, remainingMs: () => 60_000 });

    expect(summary).toMatchObject({ dueSoon: 2, overdue: 2 });
    expect(metrics.published).toEqual([
      { name: 'DsrDueSoon', value: 2 },
      { name: 'DsrOverdue', value: 2 },
    ]);
  });

  it('publishes zeros when nothing is open, so the alarm sees the all-clear', async () => {
    const { job, metrics } = setup([]);

    await job({ now: NOW, remainingMs: () => 60_000 });

    expect(metrics.last('DsrOverdue')).toBe(0);
    expect(metrics.last('DsrDueSoon')).toBe(0);
  });

  it('reads in-progress requests up to the due-soon horizon only, and every received one', async () => {
    const { job, queries } = setup([]);

    await job({ now: NOW, remainingMs: () => 60_000 });

    expect(queries).toEqual(
      expect.arrayContaining([
        { status: 'received', dueBy: undefined },
        { status: 'in_progress', dueBy: at(5 * DAY) },
      ]),
    );
    expect(queries).toHaveLength(2);
  });

  it('queues again the requests left received for 5 minutes or more, and not the fresh ones', async () => {
    const stale = open('received', 30 * DAY, { requestId: 'stale', receivedAt: at(-REQUEUE_AFTER_MS) });
    const fresh = open('received', 30 * DAY, { requestId: 'fresh', receivedAt: at(-REQUEUE_AFTER_MS + 1) });
    const { job, enqueued } = setup([stale, fresh]);

    const summary = await job({ now: NOW, remainingMs: () => 60_000 });

    expect(enqueued).toEqual(['stale']);
    expect(summary).toMatchObject({ received: 2, requeued: 1, requeueFailed: 0 });
  });

  it('stops queueing when the run is about to time out, and leaves the rest to the next run', async () => {
    const stale = open('received', 30 * DAY, { receivedAt: at(-DAY) });
    const { job, enqueued } = setup([stale]);

    const summary = await job({ now: NOW, remainingMs: () => 1_000 });

    expect(enqueued).toEqual([]);
    expect(summary).toMatchObject({ requeued: 0 });
  });
});
