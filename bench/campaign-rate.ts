/**
 * A campaign dispatch through one origination identity, simulated on a virtual clock (issue 18, item 10): the
 * domain's send-rate logic on an in-memory schedule, several workers taking recipients in batches, each start
 * lagging its slot by up to the lateness allowance, and workers that cannot wait for a slot re-queuing their batch.
 * Reports the most sends in any one-second window (sliding) and the mean rate, against the identity's MPS.
 */
import { DEFAULT_LATENESS_US, InMemorySlotStore, slotSpacingUs } from '../lambdas/domain/send-rate';

export interface CampaignRateOptions {
  readonly recipients: number;
  readonly mps: number;
  /** Concurrent dispatch workers. @default 10 */
  readonly workers?: number;
  /** Recipients a worker reserves slots for at once. @default 10 */
  readonly batch?: number;
  /** How long a worker may wait for its first slot before re-queuing (its time budget). @default 10 s */
  readonly maxWaitUs?: number;
}

export interface CampaignRate {
  readonly mps: number;
  readonly recipients: number;
  readonly sent: number;
  /** The most sends whose start fell in any half-open one-second window. */
  readonly maxPerSecond: number;
  /** Sends per second from the first start to the last. */
  readonly meanRate: number;
  /** Batches re-queued because their slot was later than the worker could wait. */
  readonly requeued: number;
}

const SECOND_US = 1_000_000;

/** Deterministic lateness in [0, allowance], so runs are repeatable. */
function lateness(seed: number): number {
  const x = Math.sin(seed * 12.9898) * 43758.5453;
  return Math.floor((x - Math.floor(x)) * (DEFAULT_LATENESS_US + 1));
}

export async function simulateCampaignRate(options: CampaignRateOptions): Promise<CampaignRate> {
  const { recipients, mps } = options;
  const workers = options.workers ?? 10;
  const batch = options.batch ?? 10;
  const maxWaitUs = options.maxWaitUs ?? 10 * SECOND_US;
  const store = new InMemorySlotStore(() => slotSpacingUs(mps));
  const clocks = Array<number>(workers).fill(0);
  const starts: number[] = [];
  let remaining = recipients;
  let requeued = 0;
  while (remaining > 0) {
    // The worker whose clock is earliest acts next, as it would in real time.
    const w = clocks.indexOf(Math.min(...clocks));
    const now = clocks[w]!;
    const size = Math.min(batch, remaining);
    const outcome = await store.reserve('campaign', {
      parts: Array<number>(size).fill(1),
      nowUs: now,
      latestStartUs: now + maxWaitUs,
    });
    if (outcome.kind === 'busy') {
      // Re-queued with a delay, so the batch comes back when its slot is within reach.
      requeued++;
      clocks[w] = outcome.firstStartUs - maxWaitUs;
      continue;
    }
    for (const slot of outcome.startsUs) {
      const at = slot + lateness(starts.length);
      starts.push(at);
      clocks[w] = at;
    }
    remaining -= size;
  }
  return {
    mps,
    recipients,
    sent: starts.length,
    maxPerSecond: maxInAnySecond(starts),
    meanRate: (starts.length - 1) / ((Math.max(...starts) - Math.min(...starts)) / SECOND_US),
    requeued,
  };
}

/** The most starts in any half-open window [t, t + 1 s); the busiest window can always begin at a start. */
export function maxInAnySecond(starts: readonly number[]): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let best = 0;
  let end = 0;
  for (let begin = 0; begin < sorted.length; begin++) {
    while (end < sorted.length && sorted[end]! < sorted[begin]! + SECOND_US) end++;
    best = Math.max(best, end - begin);
  }
  return best;
}

/** The rates the bench runs: a US long code, a raised 10DLC campaign, a short code raised to 1,000. */
export const BENCH_MPS = [1, 20, 1000] as const;
/** The mean rate must reach this share of the MPS (issue 18). */
export const MIN_RATE_SHARE = 0.95;

/**
 * Bench rows for a dispatch of 100,000 recipients (`--quick`: 5,000) at each of {@link BENCH_MPS}; a window over
 * the MPS or a mean rate under 95 % of it is a failure.
 */
export async function campaignRateRows(
  quick: boolean,
  failures: string[],
): Promise<Array<{ figure: string; value: number; baseline?: number; unit: string }>> {
  const recipients = quick ? 5_000 : 100_000;
  const rows = [];
  for (const mps of BENCH_MPS) {
    const run = await simulateCampaignRate({ recipients, mps });
    const label = `campaign of ${recipients.toLocaleString('en')} at ${mps} MPS`;
    if (run.sent !== recipients) failures.push(`${label}: sent ${run.sent}`);
    if (run.maxPerSecond > mps) failures.push(`${label}: ${run.maxPerSecond} sends in one second`);
    if (run.meanRate < MIN_RATE_SHARE * mps) {
      failures.push(
        `${label}: mean rate ${run.meanRate.toFixed(2)}/s, under ${MIN_RATE_SHARE * 100} % of ${mps}`,
      );
    }
    rows.push(
      { figure: `${label}: most sends in any second`, value: run.maxPerSecond, baseline: mps, unit: 'sends' },
      {
        figure: '  mean rate',
        value: Math.round(run.meanRate * 1000) / 1000,
        baseline: mps,
        unit: 'sends/s',
      },
    );
  }
  return rows;
}
