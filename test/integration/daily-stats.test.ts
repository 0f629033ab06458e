/**
 * The anonymised daily aggregates (issue 19 §2), end to end through the local server on DynamoDB Local: each
 * test works on a day of its own, so its counts are exact.
 */
import { randomUUID } from 'node:crypto';
import { US_SIMULATOR_DESTINATIONS } from '../../lambdas/adapters/sms/simulator-destinations';
import { DAILY_COUNTERS, type DailyCounts } from '../../lambdas/domain/daily-stats';
import {
  encodePhone,
  randomPhone,
  startTestServer,
  type Tenant,
  type TestServer,
} from './harness/local-server';

let server: TestServer;
let now = new Date('2026-03-10T12:00:00.000Z');

beforeAll(async () => {
  server = await startTestServer({ clock: () => now });
});
afterAll(() => server.close());

const ZERO = Object.fromEntries(DAILY_COUNTERS.map((counter) => [counter, 0])) as Omit<DailyCounts, 'date'>;

const statsOf = async (from: string, to: string, as: Tenant = 'demo') => {
  const answer = await server.client(as).GET('/v1/stats/daily', { params: { query: { from, to } } });
  expect(answer.response.status).toBe(200);
  return answer.data!.days;
};
const dayOf = async (date: string, as: Tenant = 'demo') => (await statsOf(date, date, as))[0]!;

const subscribe = async (phone: string, as: Tenant = 'demo') => {
  const created = await server.client(as).POST('/v1/subscribers', {
    body: { phone, consent: { source: 'api', noticeVersion: 'v1' } },
  });
  expect([200, 201]).toContain(created.response.status);
  return created.response.status;
};
const send = async (to: string, key: string = randomUUID(), as: Tenant = 'demo') => {
  const sent = await server.client(as).POST('/v1/messages', {
    body: { to, body: 'Your order has shipped', category: 'transactional' },
    params: { header: { 'Idempotency-Key': key } },
  });
  expect(sent.response.status).toBe(202);
  return sent.data!.messageId;
};
const inbound = async (from: string, body: string) => {
  const answer = await server.request('POST', '/_local/inbound', { as: null, body: { from, body } });
  expect(answer.status).toBe(200);
  return answer.body.action as string;
};
const dsr = async (type: 'access' | 'erasure', phone: string) => {
  const accepted = await server.client().POST('/v1/dsr', {
    body: { type, phone, verification: { method: 'sms_otp', reference: 'ticket-1' } },
  });
  expect(accepted.response.status).toBe(202);
  await server.dsrQueue.idle();
  const view = await server
    .client()
    .GET('/v1/dsr/{id}', { params: { path: { id: accepted.data!.requestId } } });
  expect(view.data?.status).toBe('completed');
};

describe('GET /v1/stats/daily', () => {
  it("counts a day's sends, deliveries, failures, inbound STOP and START and DSRs exactly, and zero-fills the days around it", async () => {
    now = new Date('2026-03-10T12:00:00.000Z');
    const phone = randomPhone();
    // GIVEN three subscriptions, a send to each simulator number and one to an ordinary number
    for (const to of [US_SIMULATOR_DESTINATIONS.success, US_SIMULATOR_DESTINATIONS.failure, phone])
      await subscribe(to);
    for (const to of [US_SIMULATOR_DESTINATIONS.success, US_SIMULATOR_DESTINATIONS.failure, phone])
      await send(to);
    await server.deliveryEvents.idle();
    // AND a STOP and a START, each confirmed by a reply, and an access request carried out
    // (a minute apart: consent events take effect in the order of their times)
    now = new Date('2026-03-10T12:01:00.000Z');
    expect(await inbound(phone, 'STOP')).toBe('opted_out');
    now = new Date('2026-03-10T12:02:00.000Z');
    expect(await inbound(phone, 'START')).toBe('opted_in');
    await dsr('access', phone);

    // WHEN the tenant reads the day and the days either side
    const days = await statsOf('2026-03-09', '2026-03-11');

    // THEN the day holds each event once: 3 sends and 2 confirmations, one delivery and one failure
    expect(days).toEqual([
      { date: '2026-03-09', ...ZERO },
      {
        date: '2026-03-10',
        sent: 5,
        delivered: 1,
        failed: 1,
        inbound: 2,
        optOuts: 1,
        optIns: 4,
        dsrReceived: 1,
        dsrCompleted: 1,
      },
      { date: '2026-03-11', ...ZERO },
    ]);
  });

  it('counts a send retried with the same Idempotency-Key once, and a redelivered delivery event once', async () => {
    now = new Date('2026-04-10T12:00:00.000Z');
    await subscribe(US_SIMULATOR_DESTINATIONS.success);
    const key = randomUUID();
    const messageId = await send(US_SIMULATOR_DESTINATIONS.success, key);
    expect(await send(US_SIMULATOR_DESTINATIONS.success, key)).toBe(messageId);
    await server.deliveryEvents.idle();

    // WHEN the provider delivers the delivery event twice more
    const event = JSON.stringify({
      eventType: 'TEXT_DELIVERED',
      eventTimestamp: now.getTime(),
      isFinal: true,
      context: { tenantId: 'demo', messageId },
    });
    server.deliveryEvents.publish(event);
    server.deliveryEvents.publish(event);
    await server.deliveryEvents.idle();

    // THEN one send and one delivery are counted
    expect(await dayOf('2026-04-10')).toMatchObject({ sent: 1, delivered: 1, failed: 0 });
    expect(server.deliveryEvents.deadLetters).toEqual([]);
  });

  it("never shows a tenant another tenant's counts", async () => {
    now = new Date('2026-05-10T12:00:00.000Z');
    // GIVEN demo subscribes and sends twice, acme subscribes once
    const phone = randomPhone();
    expect(await subscribe(phone)).toBe(201);
    await send(phone);
    await send(phone);
    expect(await subscribe(randomPhone(), 'acme')).toBe(201);

    // THEN each sees its own counts only
    expect(await dayOf('2026-05-10')).toEqual({ date: '2026-05-10', ...ZERO, sent: 2, optIns: 1 });
    expect(await dayOf('2026-05-10', 'acme')).toEqual({ date: '2026-05-10', ...ZERO, optIns: 1 });
  });

  it('keeps the counts through erasure and the inactivity purge', async () => {
    now = new Date('2026-06-10T12:00:00.000Z');
    // GIVEN two subscribers with a message each
    const erased = randomPhone();
    const purged = randomPhone();
    for (const phone of [erased, purged]) {
      await subscribe(phone);
      await send(phone);
    }
    const before = await dayOf('2026-06-10');
    expect(before).toEqual({ date: '2026-06-10', ...ZERO, sent: 2, optIns: 2 });

    // WHEN one is erased, and the other is purged 36 months and a week later
    await dsr('erasure', erased);
    now = new Date('2029-06-17T12:00:00.000Z');
    const purge = await server.request('POST', '/_local/jobs/purge-inactive', {
      as: null,
      body: { now: now.toISOString() },
    });
    expect(purge.status).toBe(200);
    expect(purge.body.summary).toMatchObject({ purged: 1 });
    expect((await server.request('GET', `/v1/subscribers/${encodePhone(purged)}`)).status).toBe(404);

    // THEN the day still counts both subscriptions and sends, and the erasure beside them
    expect(await dayOf('2026-06-10')).toEqual({ ...before, dsrReceived: 1, dsrCompleted: 1 });
  });

  it('refuses a range that is reversed, too long, malformed or incomplete with 400', async () => {
    now = new Date('2026-07-10T12:00:00.000Z');
    const status = async (query: string) => (await server.request('GET', `/v1/stats/daily${query}`)).status;
    expect(await status('?from=2026-07-10&to=2026-07-09')).toBe(400);
    expect(await status('?from=2025-07-09&to=2026-07-10')).toBe(400);
    expect(await status('?from=2026-07-10&to=2026-7-11')).toBe(400);
    expect(await status('?from=2026-07-10')).toBe(400);
    const refused = await server.request('GET', '/v1/stats/daily?from=2025-07-09&to=2026-07-10');
    expect(refused.body).toMatchObject({
      type: 'urn:optline:problem:invalid-input',
      errors: [{ field: 'to', message: 'the range may span at most 366 days' }],
    });
    // A whole year of 366 days is answered, one entry per day.
    expect(await statsOf('2025-07-10', '2026-07-10').then((days) => days.length)).toBe(366);
  });
});
