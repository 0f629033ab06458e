/**
 * Waiting for a send slot: reserve one on the identity's shared schedule (or several in one write, keeping the
 * spares for the next messages), sleep until it, and start only if the wake-up is on time. Pure (no AWS SDK); the 1:1 send path and campaign dispatch both call it before a send, and
 * never send without a slot: a fault of the store fails the send (or the batch item) instead.
 */
import { DEFAULT_LATENESS_US, startDecision, type SlotStore } from './send-rate';

/** How a kind of sender takes its slots. */
export interface SlotPolicy {
  /** How long one send may wait for its slot, in ms. */
  readonly maxWaitMs: number;
  /**
   * Reserve slots in batches sized to the identity's rate ({@link slotsPerWrite}), for a sender of many messages
   * of one body (campaign dispatch). A 1:1 sender reserves one at a time, since a spare it never uses is rate lost.
   */
  readonly batched: boolean;
}

/**
 * Slots a batched sender reserves per write: ⌈MPS / 100⌉, which keeps a schedule's item within about 100
 * reservations a second from dispatch (one item takes at most 1,000 writes a second).
 */
export const slotsPerWrite = (mps: number): number => Math.ceil(mps / 100);

/**
 * A 1:1 send (an API request, a reply) waits up to 5 s for its slot; campaign dispatch reserves at most 2 s ahead
 * and re-queues the rest, so a campaign never fills the schedule further ahead than a 1:1 send can wait: both
 * share every identity, and neither starves the other. Dispatch, sending one body many times, reserves in batches.
 */
export const SLOT_POLICIES = {
  oneToOne: { maxWaitMs: 5_000, batched: false },
  campaign: { maxWaitMs: 2_000, batched: true },
} as const satisfies Record<string, SlotPolicy>;

/** A clock in microseconds since the epoch, and a sleep on it. */
export interface SlotClock {
  nowUs(): number;
  sleepUs(us: number): Promise<void>;
}

export type SlotWait =
  /** Start the send now; `slotUs` is the slot it took. */
  | { readonly kind: 'start'; readonly slotUs: number }
  /** No slot the caller can wait for: re-queue the send (for example with an SQS delay) to run at `atUs`. */
  | { readonly kind: 'requeue'; readonly atUs: number };

export interface SlotWaitOptions {
  /** The message's parts (segments). */
  readonly parts: number;
  /** The latest start the caller can wait for (its remaining time budget), µs since the epoch. */
  readonly latestStartUs: number;
  /** @default DEFAULT_LATENESS_US, which must match the spacing the store uses */
  readonly latenessUs?: number;
  /** Fresh slots to try after waking too late. @default 2 */
  readonly retries?: number;
  /**
   * Slots to reserve in one write when the caller holds none: this message's and the next ones' (of the same
   * parts), which go into `held`. @default 1
   */
  readonly count?: number;
  /**
   * The caller's spare slots for this identity and parts, earliest first: used before reserving, refilled by a
   * reservation of `count` > 1. One that has passed is dropped (unused rate, never a burst). @default - none
   */
  readonly held?: number[];
}

export async function waitForSendSlot(
  store: SlotStore,
  clock: SlotClock,
  identity: string,
  options: SlotWaitOptions,
): Promise<SlotWait> {
  const latenessUs = options.latenessUs ?? DEFAULT_LATENESS_US;
  const held = options.held ?? [];
  while (held.length > 0) {
    if (held[0]! > options.latestStartUs) return { kind: 'requeue', atUs: held[0]! };
    const slotUs = held.shift()!;
    if ((await startOn(slotUs, clock, latenessUs)) === 'start') return { kind: 'start', slotUs };
  }
  // How far ahead of now an idle schedule restarts: at first not at all; after a miss, twice how late it was, so
  // that a slow store (its round trip spent the allowance before the send could start) gets a slot it can keep.
  let leadUs = 0;
  for (let attempt = 0; attempt <= (options.retries ?? 2); attempt++) {
    const outcome = await store.reserve(identity, {
      parts: Array<number>(options.count ?? 1).fill(options.parts),
      nowUs: clock.nowUs() + leadUs,
      latestStartUs: options.latestStartUs,
    });
    if (outcome.kind === 'busy') return { kind: 'requeue', atUs: outcome.firstStartUs };
    const [slotUs, ...spare] = outcome.startsUs as [number, ...number[]];
    if ((await startOn(slotUs, clock, latenessUs)) === 'start') {
      held.push(...spare);
      return { kind: 'start', slotUs };
    }
    // Woke too late: the slots are useless now. Give them back if nobody queued behind them, and try afresh.
    leadUs = Math.max(leadUs, 2 * (clock.nowUs() - slotUs));
    await store.release(identity, outcome);
  }
  return { kind: 'requeue', atUs: clock.nowUs() };
}

/** Sleeps until `slotUs` and says whether the send may start there or woke too late. */
async function startOn(slotUs: number, clock: SlotClock, latenessUs: number): Promise<'start' | 'missed'> {
  for (;;) {
    const decision = startDecision(slotUs, clock.nowUs(), latenessUs);
    if (decision.kind !== 'wait') return decision.kind;
    await clock.sleepUs(decision.forUs);
  }
}
