import {
  DEFAULT_LATENESS_US,
  InMemorySlotStore,
  slotSpacingUs,
  type SlotStore,
} from '../../lambdas/domain/send-rate';
import { waitForSendSlot, type SlotClock } from '../../lambdas/domain/send-slot';

const T0 = 1_750_000_000_000_000;

/** A virtual clock; sleep n overshoots by `oversleepUs(n)` (a slow wake-up). */
function virtualClock(
  oversleepUs: number | ((sleep: number) => number) = 0,
): SlotClock & { now: number; slept: number[] } {
  const over = typeof oversleepUs === 'number' ? () => oversleepUs : oversleepUs;
  const clock = {
    now: T0,
    slept: [] as number[],
    nowUs: () => clock.now,
    sleepUs: (us: number) => {
      clock.now += us + over(clock.slept.length);
      clock.slept.push(us);
      return Promise.resolve();
    },
  };
  return clock;
}

describe('waiting for a send slot', () => {
  it('sleeps until its slot and starts on it', async () => {
    // GIVEN a 1 MPS identity whose next slot is two slots away
    const store = new InMemorySlotStore(() => slotSpacingUs(1));
    const clock = virtualClock();
    const wait = { parts: 1, latestStartUs: T0 + 60_000_000 };
    await waitForSendSlot(store, clock, 'main', wait);
    await store.reserve('main', { parts: [1], nowUs: clock.now, latestStartUs: wait.latestStartUs });
    // WHEN a sender waits for one
    const outcome = await waitForSendSlot(store, clock, 'main', wait);
    // THEN it starts exactly on the third slot
    expect(outcome).toEqual({ kind: 'start', slotUs: T0 + 2 * slotSpacingUs(1) });
    expect(clock.now).toBe(T0 + 2 * slotSpacingUs(1));
  });

  it('re-queues for the next free slot when it is later than the sender can wait, taking nothing', async () => {
    const store = new InMemorySlotStore(() => slotSpacingUs(1));
    const clock = virtualClock();
    await store.reserve('main', {
      parts: Array<number>(10).fill(1),
      nowUs: T0,
      latestStartUs: T0 + 60_000_000,
    });
    const outcome = await waitForSendSlot(store, clock, 'main', { parts: 1, latestStartUs: T0 + 5_000_000 });
    expect(outcome).toEqual({ kind: 'requeue', atUs: T0 + 10 * slotSpacingUs(1) });
    expect(clock.slept).toEqual([]);
  });

  it('does not send after waking later than the allowance: it gives the slot back and takes a fresh one', async () => {
    // GIVEN a sender whose first sleep overshoots by more than the lateness allowance
    const spacing = slotSpacingUs(2);
    const store = new InMemorySlotStore(() => spacing);
    const clock = virtualClock((sleep) => (sleep === 0 ? DEFAULT_LATENESS_US + 1 : 0));
    await store.reserve('main', { parts: [1], nowUs: T0, latestStartUs: T0 + 60_000_000 });
    const release = jest.spyOn(store, 'release');
    // WHEN it waits for a slot
    const outcome = await waitForSendSlot(store, clock, 'main', {
      parts: 1,
      latestStartUs: T0 + 60_000_000,
      retries: 1,
    });
    // THEN the missed slot went back, and the fresh one (the schedule being idle again) is placed ahead of the
    // wake-up by twice how late it was, and started on
    expect(release).toHaveBeenCalledTimes(1);
    await expect(release.mock.results[0]!.value).resolves.toBe(true);
    const wokeUs = T0 + spacing + DEFAULT_LATENESS_US + 1;
    const lead = 2 * (DEFAULT_LATENESS_US + 1);
    expect(outcome).toEqual({ kind: 'start', slotUs: wokeUs + lead });
    expect(clock.now).toBe(wokeUs + lead);
  });

  it('re-queues when every slot it took was missed', async () => {
    const store = new InMemorySlotStore(() => slotSpacingUs(2));
    const clock = virtualClock(DEFAULT_LATENESS_US + 1);
    // Another sender always holds the slot right after now, so every fresh slot needs a sleep.
    const always: SlotStore = {
      reserve: async (identity, request) => {
        await store.reserve(identity, { ...request, parts: [1] });
        return store.reserve(identity, request);
      },
      release: (identity, reservation) => store.release(identity, reservation),
    };
    const outcome = await waitForSendSlot(always, clock, 'main', {
      parts: 1,
      latestStartUs: T0 + 60_000_000,
      retries: 2,
    });
    expect(outcome).toEqual({ kind: 'requeue', atUs: clock.now });
    expect(clock.slept).toHaveLength(3);
  });

  it('never starts when the schedule cannot be reached', async () => {
    const broken: SlotStore = {
      reserve: () => Promise.reject(new Error('ProvisionedThroughputExceededException')),
      release: () => Promise.resolve(false),
    };
    await expect(
      waitForSendSlot(broken, virtualClock(), 'main', { parts: 1, latestStartUs: T0 + 1_000_000 }),
    ).rejects.toThrow('ProvisionedThroughputExceededException');
  });

  it('reserves a batch in one write and sends the next messages on the spares, reserving again only when they run out', async () => {
    // GIVEN a 1,000 MPS identity and a sender that reserves 3 slots per write
    const spacing = slotSpacingUs(1000);
    const store = new InMemorySlotStore(() => spacing);
    const reserve = jest.spyOn(store, 'reserve');
    const clock = virtualClock();
    const held: number[] = [];
    const wait = { parts: 1, latestStartUs: T0 + 60_000_000, count: 3, held };
    // WHEN it sends four messages
    const starts: number[] = [];
    for (let i = 0; i < 4; i++) {
      const outcome = await waitForSendSlot(store, clock, 'main', {
        ...wait,
        latestStartUs: clock.now + 5_000_000,
      });
      if (outcome.kind !== 'start') throw new Error(outcome.kind);
      starts.push(outcome.slotUs);
    }
    // THEN two writes served them, on consecutive slots, and two spares remain for later messages
    expect(reserve).toHaveBeenCalledTimes(2);
    expect(reserve.mock.calls[0]![1].parts).toEqual([1, 1, 1]);
    expect(starts).toEqual([T0, T0 + spacing, T0 + 2 * spacing, T0 + 3 * spacing]);
    expect(held).toEqual([T0 + 4 * spacing, T0 + 5 * spacing]);
  });

  it('drops a spare that has passed instead of starting late on it', async () => {
    const spacing = slotSpacingUs(1000);
    const store = new InMemorySlotStore(() => spacing);
    const clock = virtualClock();
    // Both passed longer ago than the lateness allowance.
    const held = [T0 - DEFAULT_LATENESS_US - 2 * spacing, T0 - DEFAULT_LATENESS_US - spacing];
    const outcome = await waitForSendSlot(store, clock, 'main', {
      parts: 1,
      latestStartUs: T0 + 5_000_000,
      held,
    });
    // Both spares are gone; the schedule (idle) gave a fresh slot at now.
    expect(outcome).toEqual({ kind: 'start', slotUs: T0 });
    expect(held).toEqual([]);
  });

  it('re-queues for its first spare when that is later than the sender can wait, keeping it', async () => {
    const store = new InMemorySlotStore(() => slotSpacingUs(1));
    const held = [T0 + 10_000_000];
    const outcome = await waitForSendSlot(store, virtualClock(), 'main', {
      parts: 1,
      latestStartUs: T0 + 2_000_000,
      held,
    });
    expect(outcome).toEqual({ kind: 'requeue', atUs: T0 + 10_000_000 });
    expect(held).toEqual([T0 + 10_000_000]);
  });
});
