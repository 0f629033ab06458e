import fc from 'fast-check';
import {
  DEFAULT_LATENESS_US,
  InMemorySlotStore,
  reserveOn,
  slotSpacingUs,
  startDecision,
  type Reservation,
} from '../../lambdas/domain/send-rate';

const SECOND_US = 1_000_000;
const T0 = 1_750_000_000_000_000; // a present-day clock, µs since the epoch

/** The most parts whose starts fall in any half-open window [t, t + 1 s), and whether that window held one message. */
function busiestWindow(starts: ReadonlyArray<{ at: number; parts: number }>): {
  parts: number;
  messages: number;
} {
  const sorted = [...starts].sort((a, b) => a.at - b.at);
  let best = { parts: 0, messages: 0 };
  let end = 0;
  let sum = 0;
  // Every busiest window can be moved to begin at a start; slide its end forward as its beginning moves.
  for (let begin = 0; begin < sorted.length; begin++) {
    while (end < sorted.length && sorted[end]!.at < sorted[begin]!.at + SECOND_US)
      sum += sorted[end++]!.parts;
    if (sum > best.parts) best = { parts: sum, messages: end - begin };
    sum -= sorted[begin]!.parts;
  }
  return best;
}

const mpsArb = fc.oneof(
  fc.integer({ min: 1, max: 1000 }),
  fc.integer({ min: 1, max: 5 }),
  fc.constantFrom(0.25, 0.5, 2.5, 4.5),
);
/** Arrivals: gaps between requests (often none: a burst), each a batch of 1-3 messages of 1-10 parts (mostly 1). */
const arrivalsArb = fc.array(
  fc.record({
    gapUs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 * SECOND_US })),
    parts: fc.array(fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 10 })), {
      minLength: 1,
      maxLength: 3,
    }),
    // A start lags its slot by up to the allowance; the extremes are where a bound breaks first.
    latenessUs: fc.oneof(
      fc.constantFrom(0, DEFAULT_LATENESS_US),
      fc.integer({ min: 0, max: DEFAULT_LATENESS_US }),
    ),
  }),
  { minLength: 1, maxLength: 120 },
);

describe('send slots of one origination identity', () => {
  it('never lets a sliding one-second window hold more than ⌈MPS⌉ parts, whatever the arrivals and lateness', async () => {
    await fc.assert(
      fc.asyncProperty(mpsArb, arrivalsArb, async (mps, arrivals) => {
        // GIVEN one identity's schedule and senders arriving in any pattern
        const store = new InMemorySlotStore(() => slotSpacingUs(mps));
        const starts: Array<{ at: number; parts: number }> = [];
        let now = T0;
        // WHEN each takes slots and starts up to the allowed lateness after its slot
        for (const arrival of arrivals) {
          now += arrival.gapUs;
          const outcome = await store.reserve('main', {
            parts: arrival.parts,
            nowUs: now,
            latestStartUs: Number.MAX_SAFE_INTEGER,
          });
          if (outcome.kind !== 'reserved') throw new Error('an unbounded deadline was refused');
          outcome.startsUs.forEach((at, i) => {
            expect(at).toBeGreaterThanOrEqual(now);
            starts.push({ at: at + arrival.latenessUs, parts: arrival.parts[i]! });
          });
        }
        // THEN no window holds more parts than the rate allows, unless one message alone is longer than that
        const busiest = busiestWindow(starts);
        if (busiest.messages > 1) expect(busiest.parts).toBeLessThanOrEqual(Math.ceil(mps));
      }),
      { numRuns: 300 },
    );
  });

  it('runs single-part traffic at 98 % of the rate or more (the lateness allowance is the difference)', () => {
    // GIVEN 20 MPS and 2,000 single-part messages all waiting at once
    const spacing = slotSpacingUs(20);
    let free: number | undefined;
    const starts: number[] = [];
    for (let i = 0; i < 2_000; i++) {
      const outcome = reserveOn(
        free,
        { parts: [1], nowUs: T0, latestStartUs: Number.MAX_SAFE_INTEGER },
        spacing,
      );
      if (outcome.kind !== 'reserved') throw new Error('refused');
      starts.push(outcome.startsUs[0]!);
      free = outcome.toUs;
    }
    // THEN they start at 20 / 1.02 per second
    const rate = (starts.length - 1) / ((starts.at(-1)! - starts[0]!) / SECOND_US);
    expect(rate).toBeGreaterThanOrEqual(0.98 * 20);
    expect(rate).toBeLessThanOrEqual(20);
  });

  it('restarts an idle identity from now instead of sending its unused past slots in a burst', () => {
    // GIVEN a schedule last used an hour ago
    const spacing = slotSpacingUs(100);
    const hourAgo = T0 - 3600 * SECOND_US;
    const now = T0;
    // WHEN ten messages arrive at once
    const outcome = reserveOn(
      hourAgo,
      { parts: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], nowUs: now, latestStartUs: now + SECOND_US },
      spacing,
    );
    // THEN the first starts now, and the rest one slot apart after it
    expect(outcome.kind).toBe('reserved');
    const starts = (outcome as Reservation).startsUs;
    expect(starts[0]).toBe(now);
    expect(starts.slice(1).map((at, i) => at - starts[i]!)).toEqual(Array(9).fill(spacing));
  });

  it('centres a k-part message in 2k − 1 slots, so it counts for k parts on both sides', () => {
    const spacing = slotSpacingUs(10);
    const outcome = reserveOn(
      T0,
      { parts: [1, 3, 1], nowUs: T0, latestStartUs: T0 + 10 * SECOND_US },
      spacing,
    );
    expect(outcome).toEqual({
      kind: 'reserved',
      startsUs: [T0, T0 + 3 * spacing, T0 + 6 * spacing],
      fromUs: T0,
      toUs: T0 + 7 * spacing,
    });
  });

  it('takes nothing when the next slot is later than the caller can wait, and says when it would be', async () => {
    // GIVEN a 1 MPS identity with 30 messages queued
    const store = new InMemorySlotStore(() => slotSpacingUs(1));
    const far = { parts: Array<number>(30).fill(1), nowUs: T0, latestStartUs: T0 + 60 * SECOND_US };
    await store.reserve('main', far);
    // WHEN a sender that can wait 5 s asks
    const busy = await store.reserve('main', { parts: [1], nowUs: T0, latestStartUs: T0 + 5 * SECOND_US });
    // THEN it is told to re-queue for the slot after the queue, and that slot is still free
    expect(busy).toEqual({ kind: 'busy', firstStartUs: T0 + 30 * slotSpacingUs(1) });
    const next = await store.reserve('main', { parts: [1], nowUs: T0, latestStartUs: T0 + 60 * SECOND_US });
    expect(next.kind === 'reserved' && next.startsUs[0]).toBe(T0 + 30 * slotSpacingUs(1));
  });

  it('gives slots back only while nobody reserved after them', async () => {
    const store = new InMemorySlotStore(() => slotSpacingUs(3));
    const request = { parts: [1], nowUs: T0, latestStartUs: T0 + 60 * SECOND_US };
    const first = (await store.reserve('main', request)) as Reservation;
    const second = (await store.reserve('main', request)) as Reservation;
    expect(await store.release('main', first)).toBe(false);
    expect(await store.release('main', second)).toBe(true);
    const again = (await store.reserve('main', request)) as Reservation;
    expect(again.startsUs).toEqual(second.startsUs);
  });

  it('keeps identities apart', async () => {
    const store = new InMemorySlotStore(() => slotSpacingUs(1));
    const request = { parts: [1], nowUs: T0, latestStartUs: T0 + 60 * SECOND_US };
    await store.reserve('one', request);
    const other = (await store.reserve('two', request)) as Reservation;
    expect(other.startsUs).toEqual([T0]);
  });

  it('refuses a rate that is not positive and parts that are not whole numbers of at least 1', () => {
    expect(() => slotSpacingUs(0)).toThrow(RangeError);
    expect(() => slotSpacingUs(Number.NaN)).toThrow(RangeError);
    for (const parts of [[], [0], [1.5]]) {
      expect(() => reserveOn(undefined, { parts, nowUs: T0, latestStartUs: T0 }, 1000)).toThrow(RangeError);
    }
  });

  it('sizes a slot as (1 s + lateness) / MPS, rounded up to a whole microsecond', () => {
    expect(slotSpacingUs(1)).toBe(1_020_000);
    expect(slotSpacingUs(1000)).toBe(1_020);
    expect(slotSpacingUs(7)).toBe(Math.ceil(1_020_000 / 7));
    expect(slotSpacingUs(3, 0)).toBe(333_334);
  });

  it('waits before the slot, starts up to the lateness allowance after it, and calls a later wake-up missed', () => {
    expect(startDecision(T0, T0 - 1_500)).toEqual({ kind: 'wait', forUs: 1_500 });
    expect(startDecision(T0, T0)).toEqual({ kind: 'start' });
    expect(startDecision(T0, T0 + DEFAULT_LATENESS_US)).toEqual({ kind: 'start' });
    expect(startDecision(T0, T0 + DEFAULT_LATENESS_US + 1)).toEqual({ kind: 'missed' });
  });
});
