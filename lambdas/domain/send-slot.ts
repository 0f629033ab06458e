/**
 * Waiting for a send slot: reserve one on the identity's shared schedule, sleep until it, and start only if the
 * wake-up is on time. Pure (no AWS SDK); the 1:1 send path and campaign dispatch both call it before a send, and
 * never send without a slot: a fault of the store fails the send (or the batch item) instead.
 */
import { DEFAULT_LATENESS_US, startDecision, type SlotStore } from './send-rate';

/**
 * How long a send may wait for its slot, in ms. A 1:1 send (an API request, a reply) waits up to 5 s; campaign
 * dispatch reserves at most 2 s ahead and re-queues the rest, so a campaign never fills the schedule further
 * ahead than a 1:1 send can wait: both share every identity, and neither starves the other.
 */
export const SLOT_WAIT_MS = { oneToOne: 5_000, campaign: 2_000 } as const;

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
}

export async function waitForSendSlot(
  store: SlotStore,
  clock: SlotClock,
  identity: string,
  options: SlotWaitOptions,
): Promise<SlotWait> {
  const latenessUs = options.latenessUs ?? DEFAULT_LATENESS_US;
  // How far ahead of now an idle schedule restarts: at first not at all; after a miss, twice how late it was, so
  // that a slow store (its round trip spent the allowance before the send could start) gets a slot it can keep.
  let leadUs = 0;
  for (let attempt = 0; attempt <= (options.retries ?? 2); attempt++) {
    const outcome = await store.reserve(identity, {
      parts: [options.parts],
      nowUs: clock.nowUs() + leadUs,
      latestStartUs: options.latestStartUs,
    });
    if (outcome.kind === 'busy') return { kind: 'requeue', atUs: outcome.firstStartUs };
    const slotUs = outcome.startsUs[0]!;
    for (;;) {
      const decision = startDecision(slotUs, clock.nowUs(), latenessUs);
      if (decision.kind === 'start') return { kind: 'start', slotUs };
      if (decision.kind === 'missed') break;
      await clock.sleepUs(decision.forUs);
    }
    // Woke too late: the slot is useless now. Give it back if nobody queued behind it, and try a fresh one.
    leadUs = Math.max(leadUs, 2 * (clock.nowUs() - slotUs));
    await store.release(identity, outcome);
  }
  return { kind: 'requeue', atUs: clock.nowUs() };
}
