import fc from 'fast-check';
import {
  MAX_INTERVAL_MS,
  PacedSmsSender,
  pacingFor,
  type Pacing,
} from '../../lambdas/adapters/sms/paced-sender';
import type { ChannelConfig, OutboundSms, SendReceipt, SmsSender } from '../../lambdas/domain/sms';

const config: ChannelConfig = { channel: 'end-user-messaging' };
const message = (messageId: string, body = 'Your order has shipped'): OutboundSms => ({
  messageId,
  tenantId: 'demo',
  to: '+447400123456',
  body,
  category: 'transactional',
});

/** A fake clock whose sleep moves time forward, and a sender that records when each send started. */
function harness(intervalMs: number, options: { partsOf?: (m: OutboundSms) => number } = {}) {
  let clock = 0;
  const starts: Array<{ messageId: string; at: number }> = [];
  const sleeps: number[] = [];
  const inner: SmsSender = {
    send: async (m): Promise<SendReceipt> => {
      starts.push({ messageId: m.messageId, at: clock });
      return { channel: 'end-user-messaging', providerMessageId: `p-${m.messageId}` };
    },
  };
  const paced = new PacedSmsSender(inner, {
    intervalMs,
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    ...options,
  });
  return {
    paced,
    starts,
    sleeps,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe('PacedSmsSender', () => {
  it('starts three consecutive sends 500 ms apart at an interval of 500 ms', async () => {
    const { paced, starts } = harness(500);

    const receipts = [];
    for (const id of ['a', 'b', 'c']) receipts.push(await paced.send(message(id), config));

    expect(starts).toEqual([
      { messageId: 'a', at: 0 },
      { messageId: 'b', at: 500 },
      { messageId: 'c', at: 1000 },
    ]);
    expect(receipts[2]).toEqual({ channel: 'end-user-messaging', providerMessageId: 'p-c' });
  });

  it('serializes concurrent sends in call order, each a full interval after the one before', async () => {
    const { paced, starts } = harness(500);

    await Promise.all(['a', 'b', 'c', 'd'].map((id) => paced.send(message(id), config)));

    expect(starts).toEqual([
      { messageId: 'a', at: 0 },
      { messageId: 'b', at: 500 },
      { messageId: 'c', at: 1000 },
      { messageId: 'd', at: 1500 },
    ]);
  });

  it('waits only for what is left of the interval, and not at all once it has passed', async () => {
    const { paced, starts, sleeps, advance } = harness(500);

    await paced.send(message('a'), config);
    advance(800);
    await paced.send(message('b'), config);
    advance(200);
    await paced.send(message('c'), config);

    expect(starts.map((s) => s.at)).toEqual([0, 800, 1300]);
    expect(sleeps).toEqual([300]);
  });

  it('does not hold the next send until a slow provider call returns', async () => {
    let clock = 0;
    let release: () => void = () => undefined;
    const starts: number[] = [];
    const paced = new PacedSmsSender(
      {
        send: async (m) => {
          starts.push(clock);
          if (m.messageId === 'slow') await new Promise<void>((resolve) => (release = resolve));
          return { channel: 'outbox' };
        },
      },
      { intervalMs: 250, now: () => clock, sleep: async (ms) => void (clock += ms) },
    );

    const slow = paced.send(message('slow'), config);
    await paced.send(message('fast'), config);
    release();
    await slow;

    expect(starts).toEqual([0, 250]);
  });

  it('fails only the send whose wait failed; the queue keeps going', async () => {
    let clock = 0;
    let failNextSleep = true;
    const sent: string[] = [];
    const paced = new PacedSmsSender(
      { send: async (m) => (sent.push(m.messageId), { channel: 'outbox' }) },
      {
        intervalMs: 100,
        now: () => clock,
        sleep: async (ms) => {
          if (failNextSleep) {
            failNextSleep = false;
            throw new Error('timer broke');
          }
          clock += ms;
        },
      },
    );

    const results = await Promise.allSettled(['a', 'b', 'c'].map((id) => paced.send(message(id), config)));

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(sent).toEqual(['a', 'c']);
  });

  it('spaces the send after a multi-part message by one interval per part when told the parts', async () => {
    const { paced, starts } = harness(500, { partsOf: (m) => (m.messageId === 'long' ? 3 : 1) });

    await Promise.all(['long', 'b', 'c'].map((id) => paced.send(message(id), config)));

    expect(starts.map((s) => s.at)).toEqual([0, 1500, 2000]);
  });

  it('refuses a negative or non-finite interval', () => {
    const inner: SmsSender = { send: async () => ({ channel: 'outbox' }) };
    expect(() => new PacedSmsSender(inner, { intervalMs: -1 })).toThrow(RangeError);
    expect(() => new PacedSmsSender(inner, { intervalMs: Number.NaN })).toThrow(RangeError);
  });

  it('paces on the real clock by default', async () => {
    const starts: number[] = [];
    const paced = new PacedSmsSender(
      { send: async () => (starts.push(performance.now()), { channel: 'outbox' }) },
      { intervalMs: 30 },
    );

    await Promise.all(['a', 'b', 'c'].map((id) => paced.send(message(id), config)));

    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(30);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(30);
  });
});

describe('pacingFor', () => {
  it.each([
    [20, { reservedConcurrency: 10, intervalMs: 500 }],
    [1, { reservedConcurrency: 1, intervalMs: 1000 }],
    [0.5, { reservedConcurrency: 1, intervalMs: 2000 }],
    [3, { reservedConcurrency: 3, intervalMs: 1000 }],
    [7.5, { reservedConcurrency: 7, intervalMs: 934 }],
    [100, { reservedConcurrency: 10, intervalMs: 100 }],
  ])('pacingFor(%p) = %p', (mps, expected) => {
    expect(pacingFor(mps)).toEqual(expected);
  });

  it('uses at most maxConcurrency environments', () => {
    expect(pacingFor(20, 4)).toEqual({ reservedConcurrency: 4, intervalMs: 200 });
    expect(pacingFor(20, 1)).toEqual({ reservedConcurrency: 1, intervalMs: 50 });
  });

  it('accepts one part per 15 minutes, and refuses a slower quota', () => {
    expect(pacingFor(1 / 600)).toEqual({ reservedConcurrency: 1, intervalMs: 600_000 });
    expect(() => pacingFor(1 / 1000)).toThrow(RangeError);
    expect(() => pacingFor(Number.MIN_VALUE)).toThrow(RangeError);
    expect(() => pacingFor(1e-300)).toThrow(RangeError);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses mps = %p', (mps) => {
    expect(() => pacingFor(mps)).toThrow(RangeError);
  });

  it.each([0, 1.5, -2])('refuses maxConcurrency = %p', (max) => {
    expect(() => pacingFor(10, max)).toThrow(RangeError);
  });

  it('never lets R environments exceed the quota, with the shortest whole-millisecond interval that does', () => {
    fc.assert(
      fc.property(
        // Doubles drawn bit-uniformly are mostly tiny, so real-looking quotas are drawn as well.
        fc.oneof(
          fc.double({ min: 0, max: 1000, minExcluded: true, noNaN: true }),
          fc.double({ min: 1, max: 1000, noNaN: true }),
          fc.integer({ min: 1, max: 1_000_000 }).map((n) => n / 1000),
        ),
        fc.integer({ min: 1, max: 50 }),
        (mps, maxConcurrency) => {
          let pacing: Pacing;
          try {
            pacing = pacingFor(mps, maxConcurrency);
          } catch (error) {
            // Only a quota slower than one part per 15 minutes is refused.
            expect(error).toBeInstanceOf(RangeError);
            expect(mps).toBeLessThan(1000 / MAX_INTERVAL_MS + 1e-12);
            return;
          }
          const { reservedConcurrency: r, intervalMs } = pacing;
          expect(intervalMs).toBeLessThanOrEqual(MAX_INTERVAL_MS);
          expect(Number.isInteger(r) && r >= 1 && r <= maxConcurrency).toBe(true);
          expect(Number.isInteger(intervalMs)).toBe(true);
          expect(r * (1000 / intervalMs)).toBeLessThanOrEqual(mps);
          // One millisecond less would reach the quota (up to float rounding): the pacing is as fast as it allows.
          if (intervalMs > 1) expect(r * (1000 / (intervalMs - 1))).toBeGreaterThan(mps * (1 - 1e-9));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('uses one environment per message per second, each sending once a second, up to the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), (mps) => {
        expect(pacingFor(mps)).toEqual({ reservedConcurrency: mps, intervalMs: 1000 });
      }),
    );
  });
});
