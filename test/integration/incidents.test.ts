/**
 * The 72-hour breach notification (DESIGN §12, issue 20 §1), end to end through the local server on DynamoDB
 * Local: the operator (`local-operator`, no tenant) records an incident, the affected tenants are worked out from
 * the daily aggregates, each gets one notification in `/_local/notifications`, reads and acknowledges it with its
 * own token, and the deadline job flags one still unsent 12 hours before notifyBy.
 */
import { randomUUID } from 'node:crypto';
import type { IncidentNotifier } from '../../lambdas/domain/incidents';
import { INCIDENT_AT_RISK_METRIC } from '../../lambdas/jobs/incident-deadlines';
import { randomPhone, startTestServer, type TestServer } from './harness/local-server';

let server: TestServer;
let now = new Date('2026-05-10T12:00:00.000Z');
/** Tenants whose notification channel refuses deliveries. */
const failingTenants = new Set<string>();

beforeAll(async () => {
  server = await startTestServer({
    clock: () => now,
    wrapNotifier: (outbox): IncidentNotifier => ({
      notify: async (notification) => {
        if (failingTenants.has(notification.tenantId)) throw new Error('channel unavailable');
        await outbox.notify(notification);
      },
    }),
  });
  // GIVEN demo sent one message on 2026-05-09; acme sent nothing that day
  now = new Date('2026-05-09T10:00:00.000Z');
  const phone = randomPhone();
  expect(
    (
      await server.client('demo').POST('/v1/subscribers', {
        body: { phone, consent: { source: 'api', noticeVersion: 'v1' } },
      })
    ).response.status,
  ).toBe(201);
  const sent = await server.client('demo').POST('/v1/messages', {
    body: { to: phone, body: 'Your order has shipped', category: 'transactional' },
    params: { header: { 'Idempotency-Key': randomUUID() } },
  });
  expect(sent.response.status).toBe(202);
  now = new Date('2026-05-10T12:00:00.000Z');
});
afterAll(() => server.close());

const OPERATOR = { authorization: 'Bearer local-operator' };

const incidentBody = (overrides: Record<string, unknown> = {}) => ({
  detectedAt: '2026-05-10T11:00:00Z',
  summary: 'Message logs of 9 May were readable by a partner account through a misconfigured export.',
  window: { from: '2026-05-09T00:00:00Z', to: '2026-05-09T23:59:59Z' },
  categories: ['messageTraffic'],
  measures: 'Access revoked; the export job disabled pending review.',
  contact: 'privacy@operator.example',
  ...overrides,
});

const record = (body: unknown, key: string = randomUUID(), as: 'demo' | null = null) =>
  server.request('POST', '/v1/incidents', {
    as,
    body,
    headers: { ...(as ? {} : OPERATOR), 'Idempotency-Key': key },
  });

const notificationsOf = async (tenantId: string, incidentId: string) => {
  const outbox = await server.request('GET', '/_local/notifications', { as: null });
  expect(outbox.status).toBe(200);
  return (outbox.body as Array<{ tenantId: string; incidentId: string }>).filter(
    (n) => n.tenantId === tenantId && n.incidentId === incidentId,
  );
};

const incidentsTable = async () => (await server.snapshot())[`${server.tablePrefix}Incidents`] ?? [];

describe('POST /v1/incidents', () => {
  it('notifies each affected tenant exactly once, with the Art. 33(3) contents and no phone number, and no unaffected tenant', async () => {
    const answer = await record(incidentBody());
    expect(answer.status).toBe(201);
    // notifyBy = detectedAt + 72 h
    expect(answer.body).toEqual({
      incidentId: expect.any(String),
      notifyBy: '2026-05-13T11:00:00.000Z',
      affectedTenants: 1,
    });
    const { incidentId } = answer.body as { incidentId: string };
    const [notification, ...more] = await notificationsOf('demo', incidentId);
    expect(more).toHaveLength(0);
    expect(await notificationsOf('acme', incidentId)).toHaveLength(0);
    expect(notification).toMatchObject({
      nature: expect.stringContaining('Message logs'),
      contact: 'privacy@operator.example',
      measures: expect.stringContaining('Access revoked'),
      likelyConsequences: expect.stringContaining('Phone numbers'),
      approximateRecords: 1,
      approximateSubjects: 1,
      categories: [
        expect.objectContaining({
          category: 'messageTraffic',
          approximateRecords: 1,
          approximateSubjects: 1,
        }),
      ],
    });
    expect(JSON.stringify(notification)).not.toMatch(/\+\d{8,}/);

    const view = await server.request('GET', `/v1/incidents/${incidentId}`, { as: null, headers: OPERATOR });
    expect(view.status).toBe(200);
    expect(view.body.tenants).toEqual([
      expect.objectContaining({ tenantId: 'demo', notifiedAt: now.toISOString() }),
    ]);
    expect(view.body.tenants[0].acknowledgedAt).toBeUndefined();
  });

  it('answers a retry with the same key with the same incident and stores and sends nothing new; another body is 409', async () => {
    const key = randomUUID();
    const first = await record(incidentBody(), key);
    expect(first.status).toBe(201);
    const items = await incidentsTable();
    const outbox = (await server.request('GET', '/_local/notifications', { as: null })).body as unknown[];

    const retry = await record(incidentBody(), key);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(await incidentsTable()).toHaveLength(items.length);
    expect((await server.request('GET', '/_local/notifications', { as: null })).body).toHaveLength(
      outbox.length,
    );

    const reused = await record(incidentBody({ summary: 'Something else.' }), key);
    expect(reused.status).toBe(409);
    expect(await incidentsTable()).toHaveLength(items.length);
  });

  it.each([
    [
      'window.to before window.from',
      { window: { from: '2026-05-09T10:00:00Z', to: '2026-05-09T09:00:00Z' } },
      400,
    ],
    [
      'a window longer than 366 days',
      { window: { from: '2025-01-01T00:00:00Z', to: '2026-05-01T00:00:00Z' } },
      400,
    ],
    ['detectedAt in the future', { detectedAt: '2026-05-10T13:00:00Z' }, 422],
    [
      'detectedAt before the 5 years incident records are kept',
      { detectedAt: '0341-08-12T10:41:23+16:25' },
      422,
    ],
    ['an unknown category', { categories: ['everything'] }, 400],
    ['no category', { categories: [] }, 400],
    ['a blank summary', { summary: '   ' }, 400],
    ['a blank contact', { contact: '' }, 400],
    ['blank measures', { measures: ' \n' }, 400],
  ])('refuses %s with problem+json and stores nothing', async (_case, overrides, status) => {
    const before = await incidentsTable();
    const answer = await record(incidentBody(overrides));
    expect(answer.status).toBe(status);
    expect(answer.contentType).toBe('application/problem+json');
    expect(answer.body.errors?.length ?? 1).toBeGreaterThan(0);
    expect(await incidentsTable()).toEqual(before);
  });

  it('refuses a request without an Idempotency-Key', async () => {
    const answer = await server.request('POST', '/v1/incidents', {
      as: null,
      body: incidentBody(),
      headers: OPERATOR,
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
  });
});

describe('operator and tenants are kept apart', () => {
  it('refuses a tenant token on the operator routes with 403', async () => {
    expect((await record(incidentBody(), randomUUID(), 'demo')).status).toBe(403);
    const view = await server.request('GET', `/v1/incidents/${randomUUID()}`, { as: 'demo' });
    expect(view.status).toBe(403);
  });

  it.each([
    ['GET', '/v1/incident-notifications'],
    ['GET', '/v1/me'],
    ['GET', '/v1/stats/daily?from=2026-05-01&to=2026-05-02'],
    ['GET', `/v1/subscribers/${encodeURIComponent('+447700900123')}`],
  ])('refuses the operator on the tenant route %s %s with 403', async (method, path) => {
    const answer = await server.request(method, path, { as: null, headers: OPERATOR });
    expect(answer.status).toBe(403);
    expect(answer.body.type).toBe('urn:optline:problem:forbidden');
  });

  it('answers an unknown incident id with 404', async () => {
    const answer = await server.request('GET', `/v1/incidents/${randomUUID()}`, {
      as: null,
      headers: OPERATOR,
    });
    expect(answer.status).toBe(404);
  });
});

describe('a tenant’s notifications', () => {
  it('lets the tenant read and acknowledge its own, once, and answers another tenant 404', async () => {
    const { incidentId } = (await record(incidentBody())).body as { incidentId: string };

    const list = await server.client('demo').GET('/v1/incident-notifications');
    expect(list.data?.notifications.map((n) => n.incidentId)).toContain(incidentId);
    const acmeList = await server.client('acme').GET('/v1/incident-notifications');
    expect(acmeList.data?.notifications.map((n) => n.incidentId)).not.toContain(incidentId);

    const read = await server
      .client('demo')
      .GET('/v1/incident-notifications/{id}', { params: { path: { id: incidentId } } });
    expect(read.data).toMatchObject({ incidentId, notifiedAt: now.toISOString() });
    const foreign = await server
      .client('acme')
      .GET('/v1/incident-notifications/{id}', { params: { path: { id: incidentId } } });
    expect(foreign.response.status).toBe(404);
    const foreignAck = await server
      .client('acme')
      .POST('/v1/incident-notifications/{id}/acknowledge', { params: { path: { id: incidentId } } });
    expect(foreignAck.response.status).toBe(404);

    now = new Date('2026-05-10T12:30:00.000Z');
    const ack = await server
      .client('demo')
      .POST('/v1/incident-notifications/{id}/acknowledge', { params: { path: { id: incidentId } } });
    expect(ack.data).toEqual({ incidentId, acknowledgedAt: '2026-05-10T12:30:00.000Z' });
    now = new Date('2026-05-10T12:45:00.000Z');
    const again = await server
      .client('demo')
      .POST('/v1/incident-notifications/{id}/acknowledge', { params: { path: { id: incidentId } } });
    expect(again.data?.acknowledgedAt).toBe('2026-05-10T12:30:00.000Z');

    const view = await server.request('GET', `/v1/incidents/${incidentId}`, { as: null, headers: OPERATOR });
    expect(view.body.tenants[0]).toMatchObject({
      tenantId: 'demo',
      acknowledgedAt: '2026-05-10T12:30:00.000Z',
    });
    now = new Date('2026-05-10T12:00:00.000Z');
  });
});

describe('POST /_local/jobs/incident-deadlines', () => {
  const runAt = async (at: string) => {
    const answer = await server.request('POST', '/_local/jobs/incident-deadlines', {
      as: null,
      body: { now: at },
    });
    expect(answer.status).toBe(200);
    return answer.body.summary as Record<string, number>;
  };

  it('flags a notification still unsent at notifyBy − 12 h and not before, then delivers it once the channel works', async () => {
    // GIVEN demo's channel refuses deliveries when the incident is recorded
    failingTenants.add('demo');
    const answer = await record(incidentBody());
    expect(answer.status).toBe(201);
    const { incidentId, notifyBy } = answer.body as { incidentId: string; notifyBy: string };
    expect(await notificationsOf('demo', incidentId)).toHaveLength(0);
    const twelveHoursBefore = Date.parse(notifyBy) - 12 * 3_600_000;

    // WHEN the job runs a minute before notifyBy − 12 h, THEN nothing is at risk yet
    const early = await runAt(new Date(twelveHoursBefore - 60_000).toISOString());
    expect(early).toMatchObject({ failed: 1, atRisk: 0, overdue: 0 });
    expect(server.metrics.last(INCIDENT_AT_RISK_METRIC)).toBe(0);

    // WHEN it runs at notifyBy − 12 h, THEN the notification is at risk and the alarm's metric says so
    const due = await runAt(new Date(twelveHoursBefore).toISOString());
    expect(due).toMatchObject({ failed: 1, atRisk: 1 });
    expect(server.metrics.last(INCIDENT_AT_RISK_METRIC)).toBe(1);

    // WHEN the channel works again, THEN the next run delivers it, once, and nothing is at risk
    failingTenants.delete('demo');
    const delivered = await runAt(new Date(twelveHoursBefore + 60_000).toISOString());
    expect(delivered).toMatchObject({ delivered: 1, atRisk: 0 });
    expect(server.metrics.last(INCIDENT_AT_RISK_METRIC)).toBe(0);
    expect(await notificationsOf('demo', incidentId)).toHaveLength(1);
    const after = await runAt(new Date(twelveHoursBefore + 120_000).toISOString());
    expect(after).toMatchObject({ unsent: 0, delivered: 0 });
    expect(await notificationsOf('demo', incidentId)).toHaveLength(1);
  });
});
