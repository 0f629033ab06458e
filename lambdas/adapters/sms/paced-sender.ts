/**
 * Client-side pacing for an SMS throughput quota (message parts per second, MPS), so sends stay under it
 * instead of relying on the provider's throttling and our retries.
 *
 * **The throughput math.** Give the sending function a reserved concurrency of R and pace each execution
 * environment to one send start every `intervalMs` ≥ 1000 × R / MPS milliseconds. An environment runs one
 * invocation at a time, so it starts at most 1000 / intervalMs ≤ MPS / R sends per second, and with at most
 * R environments sending at once the function starts at most R × MPS / R = MPS sends per second.
 * {@link pacingFor} computes R and the interval from the quota.
 *
 * **What the bound assumes.** Lambda creates an environment only when no idle one can take a request, so with
 * reserved concurrency R at most R environments serve the function at a time. Two things can still exceed MPS
 * briefly: a window of exactly one second can hold one extra start per environment (starts at 0, I, 2I… in a
 * closed window), and an environment that replaces a recycled one starts without its predecessor's history.
 * Both are small, bounded bursts, which the provider's token-bucket quota absorbs; anything beyond is a
 * throttling error that the adapters' retries (sendWithRetry in error-mapping.ts) handle.
 *
 * **Parts, not messages.** The quota counts message parts: a message of k segments uses k. By default every
 * send counts as one part; pass `partsOf` (e.g. `(m) => countSegments(m.body).segments`) to space the next
 * send k intervals after a k-part one, which keeps the bound in parts.
 */
import type { ChannelConfig, OutboundSms, SendReceipt, SmsSender } from '../../domain/sms';

export interface Pacing {
  /** Reserved concurrency to give the sending function. */
  readonly reservedConcurrency: number;
  /** Least time between the starts of two sends in one execution environment. */
  readonly intervalMs: number;
}

/** A Lambda invocation lasts at most 15 minutes: a longer interval could never be waited out. */
export const MAX_INTERVAL_MS = 900_000;

/**
 * Reserved concurrency R = min(⌊MPS⌋, maxConcurrency), at least 1, and interval ⌈1000 × R / MPS⌉ ms, so that
 * R × 1000 / intervalMs ≤ MPS. A quota below one message per second still gets one environment, paced slower.
 *
 * @param mps the account's (or origination identity's) message-parts-per-second quota; must be > 0, and at
 *   least 1/900 (one part per {@link MAX_INTERVAL_MS}, 15 minutes)
 * @param maxConcurrency the most environments to use. @default 10
 */
export function pacingFor(mps: number, maxConcurrency = 10): Pacing {
  if (!Number.isFinite(mps) || mps <= 0) throw new RangeError('pacingFor: mps must be a number > 0');
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1) {
    throw new RangeError('pacingFor: maxConcurrency must be an integer >= 1');
  }
  const reservedConcurrency = Math.max(1, Math.min(Math.floor(mps), maxConcurrency));
  const tooSlow = () =>
    new RangeError(
      `pacingFor: mps ${mps} is too small: one send per ${MAX_INTERVAL_MS / 60_000} minutes is the slowest pace`,
    );
  let intervalMs = Math.ceil((1000 * reservedConcurrency) / mps);
  // Checked first: past 2^53 adding 1 changes nothing, and the loop below would never end.
  if (!(intervalMs <= MAX_INTERVAL_MS)) throw tooSlow();
  // Floating point can round 1000 × R / MPS down across an integer; never let that exceed the quota.
  while (reservedConcurrency * (1000 / intervalMs) > mps) intervalMs += 1;
  if (intervalMs > MAX_INTERVAL_MS) throw tooSlow();
  return { reservedConcurrency, intervalMs };
}

export interface PacedSmsSenderOptions {
  /** Least time between the starts of two sends through this instance (see {@link pacingFor}). */
  readonly intervalMs: number;
  /** Milliseconds on a monotonic clock. @default performance.now */
  readonly now?: () => number;
  /** Must let at least `ms` pass on `now`'s clock. @default - a `setTimeout` promise */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Quota parts a message uses; the next send waits that many intervals. @default - 1 for every message */
  readonly partsOf?: (message: OutboundSms) => number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Wraps a sender so that consecutive sends through it start at least `intervalMs` apart (a minimal-interval
 * pacer). Build one per execution environment, at module scope. Concurrent calls wait their turn in call
 * order; a send does not hold up the next one once started, so slow provider calls may overlap.
 */
export class PacedSmsSender implements SmsSender {
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly partsOf: (message: OutboundSms) => number;
  /** Earliest start of the next send. */
  private nextStart = Number.NEGATIVE_INFINITY;
  /** Resolves when the previous caller's turn has started: the queue. */
  private lastTurn: Promise<void> = Promise.resolve();

  constructor(
    private readonly inner: SmsSender,
    options: PacedSmsSenderOptions,
  ) {
    if (!Number.isFinite(options.intervalMs) || options.intervalMs < 0) {
      throw new RangeError('PacedSmsSender: intervalMs must be a number >= 0');
    }
    this.intervalMs = options.intervalMs;
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? defaultSleep;
    this.partsOf = options.partsOf ?? (() => 1);
  }

  async send(message: OutboundSms, config: ChannelConfig): Promise<SendReceipt> {
    const counted = this.partsOf(message);
    const parts = Number.isFinite(counted) ? Math.max(1, counted) : 1;
    const turn = this.lastTurn.then(() => this.waitForSlot(parts));
    // A failed wait (a rejecting sleep) fails this send only; the next caller still gets its turn.
    this.lastTurn = turn.catch(() => undefined);
    await turn;
    return this.inner.send(message, config);
  }

  private async waitForSlot(parts: number): Promise<void> {
    for (let wait = this.nextStart - this.now(); wait > 0; wait = this.nextStart - this.now()) {
      await this.sleep(wait);
    }
    this.nextStart = this.now() + this.intervalMs * parts;
  }
}
