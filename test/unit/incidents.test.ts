/** The breach-notification domain (DESIGN §12): validation, the tenant estimate and contents, the deadline. */
import type { DailyCounter } from '../../lambdas/domain/daily-stats';
import {
  checkIncident,
  deadlineState,
  estimateTenant,
  notificationFor,
  notifyByOf,
  type ActivitySource,
  type IncidentRecord,
} from '../../lambdas/domain/incidents';
import type { RecordIncidentRequest } from '../../lambdas/shared/incident-schemas';
import { InvalidInputError, TimestampOutOfRangeError } from '../../lambdas/shared/problem';

const NOW = new Date('2026-05-10T12:00:00.000Z');

const request = (overrides: Partial<RecordIncidentRequest> = {}): RecordIncidentRequest => ({
  detectedAt: '2026-05-10T11:00:00Z',
  summary: 'Logs exposed',
  window: { from: '2026-05-08T00:00:00Z', to: '2026-05-09T23:00:00Z' },
  categories: ['messageTraffic'],
  measures: 'Access revoked',
  contact: 'privacy@operator.example',
  ...overrides,
});

/** Activity with the given counters on each day, and an audit log of the given entries. */
const activity = (
  days: Record<string, Partial<Record<DailyCounter, number>>>,
  audit = { records: 0, subjects: 0 },
): ActivitySource & { auditDays: string[][] } => {
  const auditDays: string[][] = [];
  return {
    auditDays,
    dailyCounts: (_tenant, from, to) =>
      Promise.resolve(new Map(Object.entries(days).filter(([day]) => day >= from && day <= to))),
    auditActivity: (_tenant, list) => {
      auditDays.push([...list]);
      return Promise.resolve(audit);
    },
  };
};

describe('checkIncident', () => {
  it('accepts a forward window and a detection up to five minutes ahead of the clock', () => {
    expect(() => checkIncident(request({ detectedAt: '2026-05-10T12:04:59Z' }), NOW)).not.toThrow();
  });

  it('refuses a window that runs backwards with 400 on window.to', () => {
    const run = () =>
      checkIncident(request({ window: { from: '2026-05-09T00:00:00Z', to: '2026-05-08T00:00:00Z' } }), NOW);
    expect(run).toThrow(InvalidInputError);
    expect(run).toThrow(
      expect.objectContaining({ errors: [expect.objectContaining({ field: 'window.to' })] }),
    );
  });

  it('refuses a window longer than 366 days', () => {
    expect(() =>
      checkIncident(request({ window: { from: '2025-01-01T00:00:00Z', to: '2026-01-03T00:00:00Z' } }), NOW),
    ).toThrow(InvalidInputError);
  });

  it('refuses a detection longer ago than incident records are kept, which would expire as written', () => {
    expect(() => checkIncident(request({ detectedAt: '2021-05-10T12:00:00Z' }), NOW)).toThrow(
      TimestampOutOfRangeError,
    );
    expect(() => checkIncident(request({ detectedAt: '2021-05-10T12:00:01Z' }), NOW)).not.toThrow();
  });

  it('refuses a detection in the future beyond the clock skew with 422 timestamp-out-of-range', () => {
    expect(() => checkIncident(request({ detectedAt: '2026-05-10T12:05:01Z' }), NOW)).toThrow(
      TimestampOutOfRangeError,
    );
  });
});

describe('notifyByOf', () => {
  it('is 72 hours after detection', () => {
    expect(notifyByOf(new Date('2026-05-10T11:00:00Z')).toISOString()).toBe('2026-05-13T11:00:00.000Z');
  });
});

describe('estimateTenant', () => {
  it('sums the counters of the window’s days only, and counts no day outside it', async () => {
    const source = activity({
      '2026-05-07': { sent: 100 },
      '2026-05-08': { sent: 3, failed: 1, inbound: 2, optOuts: 9 },
      '2026-05-09': { sent: 4 },
    });
    const estimate = await estimateTenant(source, 'demo', request());
    expect(estimate.affected).toBe(true);
    expect(estimate.categories).toEqual([
      expect.objectContaining({
        category: 'messageTraffic',
        approximateRecords: 10,
        approximateSubjects: 10,
      }),
    ]);
  });

  it('leaves a tenant with no records of a counted category unaffected', async () => {
    const estimate = await estimateTenant(activity({ '2026-05-08': { optOuts: 4 } }), 'acme', request());
    expect(estimate.affected).toBe(false);
  });

  it('counts audit entries day partition by day partition, with distinct subjects', async () => {
    const source = activity({}, { records: 7, subjects: 3 });
    const estimate = await estimateTenant(source, 'demo', request({ categories: ['auditEvents'] }));
    expect(source.auditDays).toEqual([['2026-05-08', '2026-05-09']]);
    expect(estimate.categories[0]).toMatchObject({ approximateRecords: 7, approximateSubjects: 3 });
  });

  it('treats every tenant as affected by a category no bounded source counts, and gives no number', async () => {
    const estimate = await estimateTenant(
      activity({}),
      'acme',
      request({ categories: ['subscriberProfile'] }),
    );
    expect(estimate.affected).toBe(true);
    expect(estimate.categories[0]).toMatchObject({ approximateRecords: null, approximateSubjects: null });
  });
});

describe('notificationFor', () => {
  const incident: IncidentRecord = {
    incidentId: 'i-1',
    detectedAt: '2026-05-10T11:00:00.000Z',
    notifyBy: '2026-05-13T11:00:00.000Z',
    summary: 'Logs exposed',
    window: { from: '2026-05-08T00:00:00.000Z', to: '2026-05-09T23:00:00.000Z' },
    categories: ['messageTraffic', 'consentProof', 'subscriberProfile'],
    measures: 'Access revoked',
    contact: 'privacy@operator.example',
    createdAt: '2026-05-10T12:00:00.000Z',
    tenants: ['demo'],
    requestHash: 'h',
    expiresAt: 1,
  };

  it('carries the Art. 33(3) contents: nature, categories with numbers, contact, consequences, measures', async () => {
    const { categories } = await estimateTenant(activity({ '2026-05-08': { sent: 5, optIns: 2 } }), 'demo', {
      window: incident.window,
      categories: [...incident.categories],
    });
    const notification = notificationFor(incident, 'demo', categories);
    expect(notification).toMatchObject({
      tenantId: 'demo',
      nature: 'Logs exposed',
      contact: 'privacy@operator.example',
      measures: 'Access revoked',
      notifyBy: incident.notifyBy,
      // uncounted categories add nothing to the totals
      approximateRecords: 7,
      approximateSubjects: 7,
    });
    expect(notification.categories.map((c) => c.category)).toEqual(incident.categories);
    for (const c of notification.categories) expect(c.derivation).not.toBe('');
    expect(notification.likelyConsequences).toContain('Phone numbers');
    expect(notification.likelyConsequences).toContain('Consent evidence');
  });
});

describe('deadlineState', () => {
  const notifyBy = '2026-05-13T11:00:00.000Z';
  it.each([
    ['2026-05-12T22:59:59.999Z', 'pending'],
    ['2026-05-12T23:00:00.000Z', 'at_risk'],
    ['2026-05-13T10:59:59.999Z', 'at_risk'],
    ['2026-05-13T11:00:00.000Z', 'overdue'],
  ])('an unsent notification at %s is %s', (at, state) => {
    expect(deadlineState({ notifyBy }, new Date(at))).toBe(state);
  });

  it('a delivered notification is never at risk', () => {
    expect(
      deadlineState({ notifyBy, notifiedAt: '2026-05-10T12:00:00Z' }, new Date('2026-05-14T00:00:00Z')),
    ).toBe('notified');
  });
});
