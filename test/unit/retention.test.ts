import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  addCalendarMonths,
  expiresAt,
  isExpired,
  purgeDayOf,
  RETENTION,
  RETENTION_CATEGORIES,
  retentionDays,
} from '../../lambdas/domain/retention';
import { renderRetentionDoc } from '../../scripts/retention-doc';

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();

describe('retention schedule', () => {
  it('keeps the periods the design cites for each category', () => {
    expect(RETENTION.subscriberProfile.period).toEqual({ count: 36, unit: 'months' });
    expect(RETENTION.marketingAttributes.period).toEqual({ count: 12, unit: 'months' });
    expect(RETENTION.messageTraffic.period).toEqual({ count: 6, unit: 'months' });
    expect(RETENTION.consentProof.period).toEqual({ count: 5, unit: 'years' });
    expect(RETENTION.dsrRecord.period).toEqual({ count: 5, unit: 'years' });
    expect(RETENTION.auditEvents.period).toEqual({ count: 5, unit: 'years' });
    expect(RETENTION.tenantAccount.period).toEqual({ count: 10, unit: 'years' });
    expect(RETENTION.optOutSuppression.period).toBeUndefined();
    expect(RETENTION.dsrExportFiles.period).toEqual({ count: 7, unit: 'days' });
    expect(RETENTION.idempotencyRecords.period).toEqual({ count: 24, unit: 'hours' });
    expect(RETENTION.serviceLogs.period).toEqual({ count: 90, unit: 'days' });
  });

  it('gives every category a store, a start event, a legal basis and a source', () => {
    for (const category of RETENTION_CATEGORIES) {
      expect(category.store).not.toHaveLength(0);
      expect(category.countedFrom).not.toHaveLength(0);
      expect(category.legalBasis).not.toHaveLength(0);
      expect(category.source).not.toHaveLength(0);
    }
    expect(RETENTION.subscriberProfile.source).toContain('MASS');
    expect(RETENTION.messageTraffic.source).toContain('7.1');
    expect(RETENTION.marketingAttributes.source).toContain('7.3');
    expect(RETENTION.consentProof.source).toContain('7.4');
  });
});

describe('end-of-month rule', () => {
  it('ends 36 months after 2024-02-29 on 2027-02-28, the last day of the shorter month', () => {
    const start = new Date('2024-02-29T10:15:00Z');
    expect(iso(expiresAt('subscriberProfile', start))).toBe('2027-02-28T10:15:00.000Z');
  });

  it('ends 1 month after 2026-01-31 on 2026-02-28', () => {
    expect(addCalendarMonths(new Date('2026-01-31T23:59:59Z'), 1).toISOString()).toBe(
      '2026-02-28T23:59:59.000Z',
    );
  });

  it('keeps the day when the target month is long enough', () => {
    expect(addCalendarMonths(new Date('2026-01-30T00:00:00Z'), 2).toISOString()).toBe(
      '2026-03-30T00:00:00.000Z',
    );
    expect(iso(expiresAt('messageTraffic', new Date('2026-08-31T12:00:00Z')))).toBe(
      '2027-02-28T12:00:00.000Z',
    );
  });

  it('counts years as calendar years, so a leap day lands on 28 February', () => {
    expect(iso(expiresAt('consentProof', new Date('2028-02-29T00:00:00Z')))).toBe('2033-02-28T00:00:00.000Z');
  });

  it('never keeps data longer than the stated number of months, and never ends before the start', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2100-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: 0, max: 240 }),
        (start, months) => {
          const end = addCalendarMonths(start, months);
          const monthsApart =
            (end.getUTCFullYear() - start.getUTCFullYear()) * 12 + end.getUTCMonth() - start.getUTCMonth();
          expect(monthsApart).toBe(months);
          expect(end.getUTCDate()).toBeLessThanOrEqual(start.getUTCDate());
          expect(end.getTime()).toBeGreaterThanOrEqual(start.getTime());
        },
      ),
    );
  });
});

describe('expiry helpers', () => {
  it('computes fixed-length periods exactly', () => {
    const start = new Date('2026-03-29T00:30:00Z');
    expect(iso(expiresAt('idempotencyRecords', start))).toBe('2026-03-30T00:30:00.000Z');
    expect(iso(expiresAt('dsrExportFiles', start))).toBe('2026-04-05T00:30:00.000Z');
  });

  it('refuses to compute a TTL for suppressions, which are kept while the opt-out stands', () => {
    expect(() => expiresAt('optOutSuppression', new Date())).toThrow(/no period/);
  });

  it('refuses an invalid start date instead of writing a NaN TTL', () => {
    expect(() => expiresAt('subscriberProfile', new Date('not a date'))).toThrow(RangeError);
  });

  it('buckets an expiry by its UTC day', () => {
    expect(purgeDayOf(Date.parse('2027-02-28T23:59:59Z') / 1000)).toBe('2027-02-28');
    expect(purgeDayOf(Date.parse('2027-03-01T00:00:00Z') / 1000)).toBe('2027-03-01');
  });

  it('treats an item as absent from the second its expiresAt passes', () => {
    const expires = Date.parse('2026-06-01T00:00:00Z') / 1000;
    expect(isExpired({ expiresAt: expires }, new Date('2026-05-31T23:59:59Z'))).toBe(false);
    expect(isExpired({ expiresAt: expires }, new Date('2026-06-01T00:00:00Z'))).toBe(true);
    expect(isExpired({}, new Date('2100-01-01T00:00:00Z'))).toBe(false);
  });

  it('gives whole days only for categories of fixed length', () => {
    expect(retentionDays('dsrExportFiles')).toBe(7);
    expect(retentionDays('serviceLogs')).toBe(90);
    expect(retentionDays('idempotencyRecords')).toBe(1);
    expect(() => retentionDays('subscriberProfile')).toThrow(/whole number of days/);
  });
});

describe('docs/retention.md', () => {
  it('matches what npm run docs generates from the retention module', () => {
    const committed = readFileSync(join(__dirname, '..', '..', 'docs', 'retention.md'), 'utf8');
    expect(committed).toBe(renderRetentionDoc());
  });

  it('lists every category with its period and source', () => {
    const doc = renderRetentionDoc();
    for (const category of RETENTION_CATEGORIES) {
      expect(doc).toContain(category.title);
      expect(doc).toContain(category.source.replace(/\|/g, '\\|'));
    }
    expect(doc).toContain('| 36 months |');
  });
});
