import {
  consentCounter,
  COUNTER_SHARDS,
  counterShard,
  dailyStats,
  DAILY_COUNTERS,
  deliveryCounter,
  MAX_STATS_DAYS,
  messageLoggedCounter,
  statsDays,
  utcDay,
  zeroFilled,
} from '../../lambdas/domain/daily-stats';
import { InvalidInputError } from '../../lambdas/shared/problem';

const zeros = Object.fromEntries(DAILY_COUNTERS.map((counter) => [counter, 0]));

describe('which event counts where', () => {
  it('counts an accepted outbound message as sent, a refused one as failed only, and an inbound one as inbound', () => {
    expect(messageLoggedCounter({ direction: 'outbound', status: 'sent' })).toBe('sent');
    expect(messageLoggedCounter({ direction: 'outbound', status: 'failed' })).toBe('failed');
    expect(messageLoggedCounter({ direction: 'inbound', status: 'received' })).toBe('inbound');
  });

  it('counts a delivery receipt by the status it sets, and a carrier acceptance not at all', () => {
    expect(deliveryCounter('delivered')).toBe('delivered');
    expect(deliveryCounter('failed')).toBe('failed');
    expect(deliveryCounter('sent')).toBeUndefined();
  });

  it('counts opt-outs and opt-ins, but not the YES that confirms an opt-in already counted', () => {
    expect(consentCounter('opt_out')).toBe('optOuts');
    expect(consentCounter('opt_in')).toBe('optIns');
    expect(consentCounter('re_opt_in')).toBe('optIns');
    expect(consentCounter('opt_in_confirmed')).toBeUndefined();
  });

  it('puts an instant on its UTC day, whatever the offset it was written with', () => {
    expect(utcDay('2026-11-24T23:59:59.999Z')).toBe('2026-11-24');
    expect(utcDay('2026-11-25T00:30:00+01:00')).toBe('2026-11-24');
    expect(utcDay(new Date('2026-11-25T00:00:00Z'))).toBe('2026-11-25');
  });
});

describe('counter shards', () => {
  it('sends the same event to the same shard every time, and spreads events over every shard', () => {
    const ids = Array.from(
      { length: 400 },
      (_, i) => `0f8e6a4c-2b1d-4c3e-9a7f-${String(i).padStart(12, '0')}`,
    );
    const shards = ids.map(counterShard);
    expect(ids.map(counterShard)).toEqual(shards);
    expect(shards.every((shard) => Number.isInteger(shard) && shard >= 0 && shard < COUNTER_SHARDS)).toBe(
      true,
    );
    expect(new Set(shards).size).toBe(COUNTER_SHARDS);
  });
});

describe('the days of a range', () => {
  it('lists every day from from to to, both included, across a month and a leap day', () => {
    expect(statsDays('2028-02-27', '2028-03-01')).toEqual([
      '2028-02-27',
      '2028-02-28',
      '2028-02-29',
      '2028-03-01',
    ]);
    expect(statsDays('2026-11-24', '2026-11-24')).toEqual(['2026-11-24']);
  });

  it(`accepts ${MAX_STATS_DAYS} days and refuses one more with 400 on to`, () => {
    expect(statsDays('2028-01-01', '2028-12-31')).toHaveLength(MAX_STATS_DAYS);
    const refused = (() => {
      try {
        statsDays('2027-01-01', '2028-01-02');
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(refused).toBeInstanceOf(InvalidInputError);
    expect((refused as InvalidInputError).errors).toEqual([
      { field: 'to', message: `the range may span at most ${MAX_STATS_DAYS} days` },
    ]);
  });

  it('refuses a range that ends before it starts', () => {
    expect(() => statsDays('2026-11-24', '2026-11-23')).toThrow(InvalidInputError);
  });
});

describe('the answer', () => {
  it('has one entry per day, oldest first, with zeros where nothing was counted', () => {
    const stored = new Map([['2026-11-25', { sent: 3, optOuts: 1 }]]);
    expect(zeroFilled(['2026-11-24', '2026-11-25', '2026-11-26'], stored)).toEqual([
      { date: '2026-11-24', ...zeros },
      { date: '2026-11-25', ...zeros, sent: 3, optOuts: 1 },
      { date: '2026-11-26', ...zeros },
    ]);
  });

  it('asks the store for the tenant and range it was given, and never for a refused range', async () => {
    const asked: unknown[] = [];
    const reader = {
      countsByDay: async (tenantId: string, from: string, to: string) => {
        asked.push([tenantId, from, to]);
        return new Map([['2026-11-24', { delivered: 2 }]]);
      },
    };
    const days = await dailyStats(reader, 'acme', { from: '2026-11-24', to: '2026-11-25' });
    expect(days).toEqual([
      { date: '2026-11-24', ...zeros, delivered: 2 },
      { date: '2026-11-25', ...zeros },
    ]);
    await expect(dailyStats(reader, 'acme', { from: '2026-11-25', to: '2026-11-24' })).rejects.toThrow(
      InvalidInputError,
    );
    expect(asked).toEqual([['acme', '2026-11-24', '2026-11-25']]);
  });
});
