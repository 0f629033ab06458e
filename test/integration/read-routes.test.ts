import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DsrQueue, DsrWorkItem } from '../../lambdas/domain/dsr-ports';
import { testDocumentClient } from './harness/dynamo';
import {
  encodePhone,
  randomPhone,
  startTestServer,
  type TestResponse,
  type TestServer,
} from './harness/local-server';

/**
 * The console's read routes end to end through the local server and DynamoDB Local: the consent timeline, a
 * subscriber's messages and the DSR queue page by page, GET /v1/me, and what each role's token may do.
 */
const db = testDocumentClient();
let server: TestServer;
let now = new Date('2026-11-24T12:00:00.000Z');
/** DSRs stay `received` while held, so a test decides when the worker sees them. */
let held: DsrWorkItem[] | undefined;
let realQueue: DsrQueue;

beforeAll(async () => {
  server = await startTestServer({
    clock: () => now,
    wrapDsrQueue: (queue): DsrQueue => {
      realQueue = queue;
      return { enqueue: async (item) => (held ? void held.push(item) : queue.enqueue(item)) };
    },
  });
});
afterAll(async () => {
  await server.close();
  db.destroy();
});

const tick = (seconds: number) => {
  now = new Date(now.getTime() + seconds * 1000);
};

const as = (token: string) => ({ as: null, headers: { authorization: `Bearer ${token}` } });

const subscribe = async (phone = randomPhone(), tenant: 'demo' | 'acme' = 'demo') => {
  const created = await server.client(tenant).POST('/v1/subscribers', {
    body: { phone, consent: { source: 'web_form', noticeVersion: 'v3', ip: '203.0.113.7' } },
  });
  expect(created.response.status).toBe(201);
  return { phone, subjectId: created.data!.subscriberId };
};

const send = async (to: string, body: string) => {
  tick(1);
  const sent = await server.client().POST('/v1/messages', {
    body: { to, body, category: 'transactional' },
    params: { header: { 'Idempotency-Key': randomUUID() } },
  });
  expect(sent.response.status).toBe(202);
  return sent.data!.messageId;
};

const messagesPage = (phone: string, query: Record<string, string> = {}, tenant: 'demo' | 'acme' = 'demo') =>
  server.request('GET', `/v1/subscribers/${encodePhone(phone)}/messages?${new URLSearchParams(query)}`, {
    as: tenant,
  });

const dsrPage = (query: Record<string, string> = {}, options: Parameters<TestServer['request']>[2] = {}) =>
  server.request('GET', `/v1/dsr?${new URLSearchParams(query)}`, options);

/** Every page of a list, following nextCursor. */
async function allPages<T>(
  read: (
    cursor?: string,
  ) => Promise<{ status: number; body: { nextCursor?: string } & Record<string, unknown> }>,
  field: string,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await read(cursor);
    expect(page.status).toBe(200);
    items.push(...(page.body[field] as T[]));
    cursor = page.body.nextCursor;
    pages += 1;
  } while (cursor !== undefined && pages < 50);
  return { items, pages };
}

function expectBadCursor(response: TestResponse) {
  expect(response.status).toBe(400);
  expect(response.contentType).toBe('application/problem+json');
  expect(response.body.type).toBe('urn:optline:problem:invalid-input');
  expect(response.body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
}

describe('GET /v1/subscribers/{phone}/consent-events', () => {
  it('shows the timeline newest first after a STOP and a START, with source, channel, scope and evidence', async () => {
    // GIVEN a subscriber who texts STOP and then START
    const { phone } = await subscribe();
    tick(60);
    expect(
      (await server.request('POST', '/_local/inbound', { as: null, body: { from: phone, body: 'STOP' } }))
        .status,
    ).toBe(200);
    tick(60);
    expect(
      (await server.request('POST', '/_local/inbound', { as: null, body: { from: phone, body: 'START' } }))
        .status,
    ).toBe(200);

    // WHEN the tenant reads the timeline
    const timeline = await server.client().GET('/v1/subscribers/{phone}/consent-events', {
      params: { path: { phone } },
    });

    // THEN it holds the three events, newest first, and nothing of storage
    expect(timeline.response.status).toBe(200);
    const events = timeline.data!.events;
    expect(events.map((e) => [e.type, e.source, e.scope, e.channel])).toEqual([
      ['re_opt_in', 'keyword', 'all', 'sms'],
      ['opt_out', 'keyword', 'all', 'sms'],
      ['opt_in', 'web_form', 'all', 'sms'],
    ]);
    expect(events[1]!.evidence).toEqual({ keyword: 'STOP' });
    expect(events[2]!.evidence).toEqual({ noticeVersion: 'v3', ip: '203.0.113.7' });
    expect(
      [...events]
        .map((e) => e.at)
        .sort()
        .reverse(),
    ).toEqual(events.map((e) => e.at));
    for (const event of events)
      expect(Object.keys(event).sort()).toEqual([
        'at',
        'channel',
        'eventId',
        'evidence',
        'scope',
        'source',
        'type',
      ]);
  });

  it('is 404 for a number never subscribed, and for another tenant', async () => {
    const { phone } = await subscribe();
    const path = `/v1/subscribers/${encodePhone(phone)}/consent-events`;
    expect((await server.request('GET', path, { as: 'acme' })).status).toBe(404);
    const unknown = await server.request(
      'GET',
      `/v1/subscribers/${encodePhone(randomPhone())}/consent-events`,
    );
    expect(unknown.status).toBe(404);
    expect(unknown.contentType).toBe('application/problem+json');
  });
});

describe('GET /v1/subscribers/{phone}/messages', () => {
  it('returns every message exactly once across pages, newest first, with its body', async () => {
    // GIVEN a subscriber with seven messages
    const { phone, subjectId } = await subscribe();
    const sent: string[] = [];
    for (let i = 0; i < 7; i += 1) sent.push(await send(phone, `Your code is ${1000 + i}`));

    // WHEN the tenant reads them three at a time
    const { items, pages } = await allPages<{ messageId: string; body: string; createdAt: string }>(
      (cursor) => messagesPage(phone, { limit: '3', ...(cursor ? { cursor } : {}) }),
      'messages',
    );

    // THEN the pages hold exactly the subject's partition, newest first, and the last page says it is the last
    const { Items = [] } = await db.send(
      new QueryCommand({
        TableName: `${server.tablePrefix}MessageLog`,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `T#demo#S#${subjectId}` },
        ScanIndexForward: false,
        ConsistentRead: true,
      }),
    );
    expect(items.map((m) => m.messageId)).toEqual(Items.map((item) => item.messageId));
    expect(new Set(items.map((m) => m.messageId)).size).toBe(items.length);
    expect(items.map((m) => m.messageId)).toEqual(expect.arrayContaining(sent));
    expect(pages).toBe(Math.ceil(items.length / 3));
    expect(items[0]!.body).toBe('Your code is 1006');
    expect(items.find((m) => m.messageId === sent[0])!.body).toBe('Your code is 1000');
  });

  it('refuses a forged cursor, and a cursor of another subscriber or tenant, with 400', async () => {
    const phone = randomPhone();
    await subscribe(phone);
    const other = await subscribe();
    for (let i = 0; i < 3; i += 1) await send(phone, `Notice ${i}`);
    await send(other.phone, 'Notice');
    const first = await messagesPage(phone, { limit: '1' });
    const cursor = first.body.nextCursor as string;
    expect(cursor).toEqual(expect.any(String));

    // The same number at another tenant is another subject: the cursor does not belong to its list.
    await subscribe(phone, 'acme');
    expectBadCursor(await messagesPage(phone, { cursor }, 'acme'));
    expectBadCursor(await messagesPage(other.phone, { cursor }));
    expectBadCursor(await messagesPage(phone, { cursor: 'bm90LWEtY3Vyc29y' }));
    expectBadCursor(await messagesPage(phone, { cursor: 'e30' }));
    expect((await messagesPage(phone, { cursor })).status).toBe(200);
  });

  it('refuses a bad limit or an unknown parameter with 400, and is 404 for another tenant', async () => {
    const { phone } = await subscribe();
    expect((await messagesPage(phone, { limit: '0' })).status).toBe(400);
    expect((await messagesPage(phone, { limit: '101' })).status).toBe(400);
    expect((await messagesPage(phone, { limit: 'ten' })).status).toBe(400);
    expect((await messagesPage(phone, { sort: 'asc' })).status).toBe(400);
    expect((await messagesPage(phone, {}, 'acme')).status).toBe(404);
  });
});

describe('GET /v1/dsr', () => {
  it('lists the tenant’s requests by due date, each exactly once across pages, by status, and none of another tenant', async () => {
    // GIVEN five requests received a day apart, held before the worker sees them
    held = [];
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      tick(86_400);
      const { phone } = await subscribe();
      const created = await server.client().POST('/v1/dsr', {
        body: { type: 'access', phone, verification: { method: 'sms_otp', reference: `otp-${i}` } },
      });
      expect(created.response.status).toBe(202);
      ids.push(created.data!.requestId);
    }
    const acme = await dsrPage({}, { as: 'acme' });
    expect(acme.status).toBe(200);
    expect(acme.body.requests.filter((r: { requestId: string }) => ids.includes(r.requestId))).toEqual([]);

    // WHEN two of them are completed by the worker
    const release = held.filter((item) => item.requestId === ids[1] || item.requestId === ids[3]);
    held = undefined;
    for (const item of release) await realQueue.enqueue(item);
    await server.dsrQueue.idle();

    // THEN every status, two at a time, shows all five once, soonest deadline first
    const every = await allPages<{ requestId: string; dueAt: string; status: string; deadline: string }>(
      (cursor) => dsrPage({ limit: '2', ...(cursor ? { cursor } : {}) }),
      'requests',
    );
    const mine = every.items.filter((r) => ids.includes(r.requestId));
    expect(mine.map((r) => r.requestId)).toEqual(ids);
    expect(new Set(every.items.map((r) => r.requestId)).size).toBe(every.items.length);
    expect(every.items.map((r) => r.dueAt)).toEqual([...every.items.map((r) => r.dueAt)].sort());
    expect(mine.map((r) => r.status)).toEqual(['received', 'completed', 'received', 'completed', 'received']);
    expect(mine[0]!.deadline).toBe('on_time');

    // AND a status filter shows only that status: the completed ones have left the received queue
    const received = await allPages<{ requestId: string; status: string }>(
      (cursor) => dsrPage({ status: 'received', limit: '1', ...(cursor ? { cursor } : {}) }),
      'requests',
    );
    expect(received.items.filter((r) => ids.includes(r.requestId)).map((r) => r.requestId)).toEqual([
      ids[0],
      ids[2],
      ids[4],
    ]);
    expect(received.items.every((r) => r.status === 'received')).toBe(true);
    const completed = await dsrPage({ status: 'completed' });
    expect(completed.body.requests.map((r: { requestId: string }) => r.requestId)).toEqual(
      expect.arrayContaining([ids[1], ids[3]]),
    );
    expect(completed.body.requests.every((r: { status: string }) => r.status === 'completed')).toBe(true);
  });

  it('refuses a cursor of another tenant or another filter, and a forged one, with 400', async () => {
    held = [];
    for (let i = 0; i < 2; i += 1) {
      const { phone } = await subscribe();
      await server.client().POST('/v1/dsr', {
        body: { type: 'access', phone, verification: { method: 'sms_otp', reference: 'otp' } },
      });
    }
    held = undefined;
    const first = await dsrPage({ status: 'received', limit: '1' });
    const cursor = first.body.nextCursor as string;
    expect(cursor).toEqual(expect.any(String));
    expectBadCursor(await dsrPage({ status: 'received', cursor }, { as: 'acme' }));
    expectBadCursor(await dsrPage({ cursor }));
    expectBadCursor(await dsrPage({ status: 'completed', cursor }));
    expectBadCursor(await dsrPage({ cursor: '%%%' }));
    expect((await dsrPage({ status: 'received', cursor })).status).toBe(200);
    expect((await dsrPage({ status: 'open' })).status).toBe(400);
  });
});

describe('roles and GET /v1/me', () => {
  it('says who is calling: an application has every scope, a role token its role', async () => {
    const app = await server.client().GET('/v1/me');
    expect(app.data).toEqual({
      tenantId: 'demo',
      scopes: expect.arrayContaining(['messages.send', 'dsr.read']),
    });
    const viewer = await server.request('GET', '/v1/me', as('local-demo-viewer'));
    expect(viewer.body).toEqual({
      tenantId: 'demo',
      role: 'viewer',
      scopes: ['subscribers.read', 'dsr.read', 'messages.read', 'stats.read'],
    });
    const officer = await server.request('GET', '/v1/me', as('local-acme-officer'));
    expect(officer.body).toMatchObject({ tenantId: 'acme', role: 'privacy-officer' });
    expect((await server.request('GET', '/v1/me', as('local-nobody'))).status).toBe(401);
  });

  it('lets a viewer read but not erase: 403 on POST /v1/dsr, 200 on the reads, nothing stored', async () => {
    const { phone } = await subscribe();
    const messageId = await send(phone, 'Your parcel is on its way');
    held = undefined;
    const dsr = await server.client().POST('/v1/dsr', {
      body: { type: 'access', phone, verification: { method: 'sms_otp', reference: 'otp' } },
    });
    await server.dsrQueue.idle();
    const before = await server.snapshot();

    const erase = await server.request('POST', '/v1/dsr', {
      ...as('local-demo-viewer'),
      body: { type: 'erasure', phone, verification: { method: 'sms_otp', reference: 'otp' } },
    });
    expect(erase.status).toBe(403);
    expect(erase.contentType).toBe('application/problem+json');
    expect((await server.snapshot()).DsrRequests).toEqual(before.DsrRequests);

    const p = encodePhone(phone);
    for (const path of [
      `/v1/subscribers/${p}`,
      `/v1/subscribers/${p}/consent-events`,
      `/v1/subscribers/${p}/messages`,
      `/v1/opt-outs/${p}`,
      `/v1/messages/${messageId}`,
      '/v1/dsr',
      `/v1/dsr/${dsr.data!.requestId}`,
    ]) {
      expect([path, (await server.request('GET', path, as('local-demo-viewer'))).status]).toEqual([
        path,
        200,
      ]);
    }
    expect(
      (
        await server.request('PUT', `/v1/subscribers/${p}/legal-hold`, {
          ...as('local-demo-viewer'),
          body: { reason: 'litigation' },
        })
      ).status,
    ).toBe(403);
  });

  it('lets a privacy officer handle DSRs and legal holds but not send messages', async () => {
    const { phone } = await subscribe();
    const officer = as('local-demo-officer');
    const dsr = await server.request('POST', '/v1/dsr', {
      ...officer,
      body: { type: 'access', phone, verification: { method: 'sms_otp', reference: 'otp' } },
    });
    expect(dsr.status).toBe(202);
    const hold = await server.request('PUT', `/v1/subscribers/${encodePhone(phone)}/legal-hold`, {
      ...officer,
      body: { reason: 'litigation' },
    });
    expect(hold.status).toBe(200);
    const sendAttempt = await server.request('POST', '/v1/messages', {
      ...officer,
      headers: { ...officer.headers, 'Idempotency-Key': randomUUID() },
      body: { to: phone, body: 'hello', category: 'transactional' },
    });
    expect(sendAttempt.status).toBe(403);
  });
});
