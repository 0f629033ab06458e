import {
  addCalendarMonths,
  effectiveSchedule,
  expiresAt,
  RETENTION,
  retentionDays,
  useCellPeriods,
  type RetentionCategoryId,
} from '../../lambdas/domain/retention';
import { RETENTION_BOUNDS } from '../../lambdas/domain/retention-bounds';
import { RETENTION_PERIODS_ENV } from '../../lambdas/shared/env';
import { retentionPeriodsFromEnv, useCellPeriodsFromEnv } from '../../lambdas/shared/retention-periods';
import { CellConfigError, parseCells } from '../../lib/config';

const MESSAGE_SOURCE = 'MessageBird/Bird privacy policy §7.1: "may be up to two years"';

/** A one-cell configuration with the given overrides, as `--context optline:cells` would give it. */
const cellWith = (retentionOverrides: unknown, regime = 'GDPR', region = 'eu-west-1') => [
  { name: 'long', region, regime, tenants: ['demo'], retentionOverrides },
];

/** The message `parseCells` refuses the configuration with. */
function refusal(config: unknown): string {
  try {
    parseCells(config);
  } catch (error) {
    expect(error).toBeInstanceOf(CellConfigError);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

afterEach(() => useCellPeriods({}));

describe('validation of retention overrides in the cell configuration', () => {
  it('accepts a 24-month message-traffic override with its source', () => {
    const [cell] = parseCells(
      cellWith({ messageTraffic: { period: { count: 24, unit: 'months' }, source: MESSAGE_SOURCE } }),
    );
    expect(cell!.retentionOverrides?.messageTraffic?.period).toEqual({ count: 24, unit: 'months' });
  });

  it('refuses an override without a source, naming the cell and the category', () => {
    const message = refusal(cellWith({ messageTraffic: { period: { count: 24, unit: 'months' } } }));
    expect(message).toContain('optline:cells[0].retentionOverrides.messageTraffic');
    expect(message).toContain('needs a source');
  });

  it('refuses a blank source', () => {
    const message = refusal(
      cellWith({ messageTraffic: { period: { count: 12, unit: 'months' }, source: '   ' } }),
    );
    expect(message).toContain('cell "long", messageTraffic: needs a source');
  });

  it('refuses message traffic kept beyond the 24 months MessageBird 7.1 allows, quoting the bound', () => {
    const message = refusal(
      cellWith({ messageTraffic: { period: { count: 25, unit: 'months' }, source: MESSAGE_SOURCE } }),
    );
    expect(message).toContain(
      'cell "long", messageTraffic: 25 months is outside the GDPR bounds of 6 months to 24 months',
    );
    expect(message).toContain('§7.1');
  });

  it('refuses 3 years of message traffic although it is written in years', () => {
    expect(
      refusal(cellWith({ messageTraffic: { period: { count: 3, unit: 'years' }, source: MESSAGE_SOURCE } })),
    ).toContain('3 years is outside the GDPR bounds');
  });

  it('refuses a period below the lower bound', () => {
    expect(
      refusal(cellWith({ consentProof: { period: { count: 2, unit: 'years' }, source: 'contract' } })),
    ).toContain('cell "long", consentProof: 2 years is outside the GDPR bounds of 5 years to 10 years');
  });

  it('applies the bounds of the cell regime: a CCPA cell may keep consent proof 4 years, a GDPR cell may not', () => {
    const consent = {
      consentProof: { period: { count: 4, unit: 'years' }, source: 'TCPA, 28 U.S.C. § 1658(a)' },
    };
    expect(parseCells(cellWith(consent, 'CCPA', 'us-east-1'))[0]!.retentionOverrides).toEqual(consent);
    expect(refusal(cellWith(consent))).toContain('outside the GDPR bounds');
  });

  it('refuses an unknown category, listing the known ones', () => {
    const message = refusal(
      cellWith({ messageLogs: { period: { count: 24, unit: 'months' }, source: MESSAGE_SOURCE } }),
    );
    expect(message).toContain('optline:cells[0].retentionOverrides.messageLogs');
    expect(message).toContain(
      'cell "long", messageLogs: is not a retention category (known: subscriberProfile',
    );
  });

  it('refuses a category whose period the schedule fixes, such as the opt-out suppression', () => {
    expect(
      refusal(cellWith({ optOutSuppression: { period: { count: 1, unit: 'years' }, source: 'x' } })),
    ).toContain('optOutSuppression: cannot be overridden in a GDPR cell');
  });

  it('refuses a period in days for a calendar category, which cannot be compared exactly', () => {
    expect(
      refusal(cellWith({ messageTraffic: { period: { count: 400, unit: 'days' }, source: MESSAGE_SOURCE } })),
    ).toContain('messageTraffic: must be given in months or years');
  });

  it('refuses a service-log period CloudWatch Logs does not offer, within the bounds though it is', () => {
    expect(
      refusal(cellWith({ serviceLogs: { period: { count: 100, unit: 'days' }, source: 'ops' } })),
    ).toContain('serviceLogs: CloudWatch Logs keeps');
  });

  it('refuses a malformed period', () => {
    expect(
      refusal(
        cellWith({ messageTraffic: { period: { count: 1.5, unit: 'months' }, source: MESSAGE_SOURCE } }),
      ),
    ).toContain('retentionOverrides.messageTraffic.period.count: must be a whole number');
  });

  it('gives every bound a source, and a minimum no longer than its maximum in the same kind of unit', () => {
    const size = { hours: 1, days: 24, months: 1, years: 12 } as const;
    const calendar = (unit: string) => unit === 'months' || unit === 'years';
    for (const bounds of Object.values(RETENTION_BOUNDS).flatMap((byCategory) => Object.values(byCategory))) {
      expect(bounds.source.trim()).not.toBe('');
      expect(calendar(bounds.min.unit)).toBe(calendar(bounds.max.unit));
      expect(bounds.min.count * size[bounds.min.unit]).toBeLessThanOrEqual(
        bounds.max.count * size[bounds.max.unit],
      );
    }
  });

  it('keeps every default period within the bounds of both regimes', () => {
    for (const regime of ['GDPR', 'CCPA'] as const) {
      for (const id of Object.keys(RETENTION_BOUNDS[regime]) as RetentionCategoryId[]) {
        const period = RETENTION[id].period!;
        expect(() =>
          parseCells(
            cellWith(
              { [id]: { period, source: 'the schedule' } },
              regime,
              regime === 'GDPR' ? 'eu-west-1' : 'us-east-1',
            ),
          ),
        ).not.toThrow();
      }
    }
  });
});

describe('the effective schedule of a cell', () => {
  const overrides = {
    messageTraffic: { period: { count: 24, unit: 'months' as const }, source: MESSAGE_SOURCE },
  };

  it('replaces the overridden period, keeping its source and the period it replaces', () => {
    const traffic = effectiveSchedule(overrides).find((c) => c.id === 'messageTraffic')!;
    expect(traffic.period).toEqual({ count: 24, unit: 'months' });
    expect(traffic.override).toEqual({ ...overrides.messageTraffic, replaces: { count: 6, unit: 'months' } });
    expect(effectiveSchedule(overrides).find((c) => c.id === 'subscriberProfile')!.override).toBeUndefined();
  });

  it('computes TTLs with the periods the process was given, and days for the stores that take days', () => {
    const sentAt = new Date('2026-08-31T12:00:00Z');
    expect(new Date(expiresAt('messageTraffic', sentAt) * 1000).toISOString()).toBe(
      '2027-02-28T12:00:00.000Z',
    );
    useCellPeriods({
      messageTraffic: { count: 24, unit: 'months' },
      serviceLogs: { count: 365, unit: 'days' },
    });
    expect(new Date(expiresAt('messageTraffic', sentAt) * 1000).toISOString()).toBe(
      '2028-08-31T12:00:00.000Z',
    );
    expect(retentionDays('serviceLogs')).toBe(365);
    expect(retentionDays('serviceLogs', {})).toBe(90);
  });
});

describe(`a function's ${RETENTION_PERIODS_ENV} environment variable`, () => {
  it('sets the periods every TTL of the process is computed with', () => {
    useCellPeriodsFromEnv({ [RETENTION_PERIODS_ENV]: '{"messageTraffic":{"count":24,"unit":"months"}}' });
    expect(expiresAt('messageTraffic', new Date(0))).toBe(
      Math.floor(addCalendarMonths(new Date(0), 24).getTime() / 1000),
    );
  });

  it('leaves the schedule as it is when unset', () => {
    expect(retentionPeriodsFromEnv({})).toEqual({});
  });

  it.each([
    ['not JSON', '{messageTraffic', /is not valid JSON/],
    ['an unknown category', '{"messageLogs":{"count":24,"unit":"months"}}', /is malformed: .*messageLogs/],
    ['a bad unit', '{"messageTraffic":{"count":24,"unit":"weeks"}}', /is malformed: messageTraffic.unit/],
    [
      'a negative count',
      '{"messageTraffic":{"count":-1,"unit":"months"}}',
      /is malformed: messageTraffic.count/,
    ],
  ])('fails fast at cold start on %s', (_what, value, error) => {
    expect(() => useCellPeriodsFromEnv({ [RETENTION_PERIODS_ENV]: value })).toThrow(error);
    expect(expiresAt('messageTraffic', new Date(0))).toBe(
      Math.floor(addCalendarMonths(new Date(0), 6).getTime() / 1000),
    );
  });
});
