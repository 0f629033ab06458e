import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { RequestBody } from '../../client';
import { helpReply, optInConfirmation, optOutConfirmation } from '../../lambdas/domain/replies';
import { LOCAL_TENANTS } from '../../local/tenants';
import { testDocumentClient } from './harness/dynamo';
import { randomPhone, startTestServer, type Tenant, type TestServer } from './harness/local-server';

const db = testDocumentClient();
const demo = LOCAL_TENANTS.find((t) => t.tenantId === 'demo')!;
let server: TestServer;
let now = new Date('2026-11-24T12:00:00Z');

beforeAll(async () => {
  server = await startTestServer({ clock: () => now });
});
afterAll(async () => {
  await server.close();
  db.destroy();
});
beforeEach(() => {
  now = new Date('2026-11-24T12:00:00Z');
});

/** Moves the clock on, so ledger events sort in the order they happened. */
const tick = (seconds = 60) => {
  now = new Date(now.getTime() + seconds * 1000);
};

const subscribe = async (extra: Omit<RequestBody<'createSubscriber'>, 'phone' | 'consent'> = {}) => {
  const phone = randomPhone();
  const created = await server.client().POST('/v1/subscribers', {
    body: { phone, consent: { source: 'api', noticeVersion: 'v1' }, ...extra },
  });
  expect(created.response.status).toBe(201);
  return { phone, subjectId: created.data!.subscriberId };
};

const optOut = (body: RequestBody<'recordOptOut'>, as: Tenant = 'demo') =>
  server.client(as).POST('/v1/opt-outs', { body });
/** For bodies the document does not allow, which the typed client cannot send. */
const rawOptOut = (body: unknown) => server.request('POST', '/v1/opt-outs', { body });
const optOutState = (phone: string, as: Tenant = 'demo') =>
  server.client(as).GET('/v1/opt-outs/{phone}', { params: { path: { phone } } });
const profile = (phone: string) =>
  server.client().GET('/v1/subscribers/{phone}', { params: { path: { phone } } });
// A local-only route: it is not in the OpenAPI document.
const inbound = (body: unknown) => server.request('POST', '/_local/inbound', { as: null, body });
const send = (phone: string) =>
  server.client().POST('/v1/messages', {
    body: { to: phone, body: 'Your order has shipped', category: 'transactional' },
    params: { header: { 'Idempotency-Key': randomUUID() } },
  });

const outboxFor = async (phone: string) =>
  (
    (await server.request('GET', '/_local/outbox')).body as Array<{
      to: string;
      body: string;
      category: string;
    }>
  )
    .filter((e) => e.to === phone)
    .map(({ body, category }) => ({ body, category }));

const queryAll = async (table: string, pk: string) =>
  (
    await db.send(
      new QueryCommand({
        TableName: `${server.tablePrefix}${table}`,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
      }),
    )
  ).Items ?? [];
const ledger = (subjectId: string, tenant = 'demo') =>
  queryAll('ConsentLedger', `T#${tenant}#S#${subjectId}`);
const suppressions = async (subjectId: string, tenant = 'demo') =>
  (await queryAll('Suppressions', `T#${tenant}`)).filter((item) =>
    String(item.sk).startsWith(`S#${subjectId}#`),
  );

describe('POST /v1/opt-outs and GET /v1/opt-outs/{phone}', () => {
  it('suppresses a number for all messages, with no phone number and no expiry on the suppression', async () => {
    const { phone, subjectId } = await subscribe();
    tick();

    const recorded = await optOut({ phone });

    expect(recorded.response.status).toBe(200);
    expect(recorded.data).toEqual({ suppressed: true, since: now.toISOString() });
    const state = await optOutState(phone);
    expect(state.response.status).toBe(200);
    expect(state.data).toEqual({ suppressed: true, since: now.toISOString(), scopes: ['all'] });
    const [item, ...others] = await suppressions(subjectId);
    expect(others).toEqual([]);
    expect(item).toEqual({
      pk: 'T#demo',
      sk: `S#${subjectId}#all`,
      tenantId: 'demo',
      subjectId,
      scope: 'all',
      since: now.toISOString(),
      source: 'api',
    });
    const events = await ledger(subjectId);
    expect(events.map((e) => e.type)).toEqual(['opt_in', 'opt_out']);
    expect(JSON.stringify(events)).not.toContain(phone);
  });

  it('treats a repeated opt-out as the same one: same since, one ledger entry, nothing written', async () => {
    const { phone, subjectId } = await subscribe();
    const first = await optOut({ phone });
    tick();
    const before = await server.snapshot();

    const again = await optOut({ phone: phone.replace(/^\+44(\d{4})/, '+44 $1 ') });

    expect(again.response.status).toBe(200);
    expect(again.data).toEqual({ suppressed: true, since: first.data?.since });
    expect(await server.snapshot()).toEqual(before);
    expect((await ledger(subjectId)).filter((e) => e.type === 'opt_out')).toHaveLength(1);
  });

  it('suppresses one topic only, so a transactional send still goes out', async () => {
    const { phone } = await subscribe({ topics: ['offers'] });
    tick();

    const recorded = await optOut({ phone, scope: 'offers' });

    expect(recorded.response.status).toBe(200);
    expect((await optOutState(phone)).data).toEqual({
      suppressed: true,
      since: now.toISOString(),
      scopes: ['offers'],
    });
    expect((await send(phone)).response.status).toBe(202);
  });

  it('answers suppressed:false with no scopes for a known number that did not opt out, and for an unknown one', async () => {
    const { phone } = await subscribe();

    const known = await optOutState(phone);
    expect(known.response.status).toBe(200);
    expect(known.data).toEqual({ suppressed: false, scopes: [] });
    const unknown = await optOutState(randomPhone());
    expect(unknown.response.status).toBe(200);
    expect(unknown.data).toEqual({ suppressed: false, scopes: [] });
  });

  it('accepts the number in a common written format and suppresses its E.164 form', async () => {
    // GIVEN a number written with spaces, as a form would send it
    const phone = randomPhone();
    const written = `${phone.slice(0, 3)} ${phone.slice(3, 7)} ${phone.slice(7)}`;

    // WHEN it is opted out
    const recorded = await optOut({ phone: written });

    // THEN the E.164 number is the one suppressed
    expect(recorded.response.status).toBe(200);
    expect((await optOutState(phone)).data).toMatchObject({ suppressed: true, scopes: ['all'] });
  });

  it('refuses a number that is not valid for its country with 400 naming the phone field, and stores nothing', async () => {
    const before = JSON.stringify(await server.snapshot());

    const refused = await rawOptOut({ phone: '+44 12' });

    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      type: 'urn:optline:problem:invalid-input',
      errors: [expect.objectContaining({ field: 'phone' })],
    });
    expect(JSON.stringify(await server.snapshot())).toBe(before);
  });

  it('keeps tenants apart: an opt-out at one tenant does not suppress the number at another', async () => {
    const { phone } = await subscribe();
    await optOut({ phone });

    expect((await optOutState(phone, 'acme')).data).toEqual({ suppressed: false, scopes: [] });
  });

  it('refuses a transactional send after the opt-out with 422 recipient-opted-out', async () => {
    const { phone } = await subscribe();
    await optOut({ phone });

    const refused = await send(phone);

    expect(refused.response.status).toBe(422);
    expect(refused.error?.type).toBe('urn:optline:problem:recipient-opted-out');
    expect(await outboxFor(phone)).toEqual([]);
  });

  it.each([
    ['an invalid phone', { phone: 'not a phone' }],
    ['an unknown field', { phone: '+447400123456', reason: 'x' }],
    ['a malformed scope', { phone: '+447400123456', scope: 'ALL TOPICS' }],
  ])('refuses %s with 400 and stores nothing', async (_label, body) => {
    const before = await server.snapshot();

    const refused = await rawOptOut(body);

    expect(refused.status).toBe(400);
    expect(refused.contentType).toBe('application/problem+json');
    expect(await server.snapshot()).toEqual(before);
  });

  it('refuses a path that is not URL-encoded E.164 with 400', async () => {
    const refused = await server.request('GET', '/v1/opt-outs/07400123456');
    expect(refused.status).toBe(400);
    expect(refused.contentType).toBe('application/problem+json');
  });
});

describe('POST /_local/inbound', () => {
  it('opts out on STOP and sends exactly one confirmation, also when STOP arrives twice', async () => {
    const { phone } = await subscribe();

    const first = await inbound({ from: phone, body: 'STOP' });
    tick();
    const second = await inbound({ from: phone, body: 'stop' });

    expect(first.body).toEqual({ action: 'opted_out' });
    expect(second.body).toEqual({ action: 'opted_out' });
    expect(await outboxFor(phone)).toEqual([
      { body: optOutConfirmation(demo.brand), category: 'opt_out_confirmation' },
    ]);
    expect((await optOutState(phone)).data).toMatchObject({ suppressed: true, scopes: ['all'] });
  });

  it('records the keyword in the ledger, logs the inbound message, and counts it as an interaction', async () => {
    const { phone, subjectId } = await subscribe();
    tick(3600);

    await inbound({ from: phone, body: 'Stop please' });

    const optOutEvent = (await ledger(subjectId)).find((e) => e.type === 'opt_out');
    expect(optOutEvent).toMatchObject({ source: 'keyword', scope: 'all', evidence: { keyword: 'STOP' } });
    const logged = await queryAll('MessageLog', `T#demo#S#${subjectId}`);
    expect(logged).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ direction: 'inbound', status: 'received', body: 'Stop please' }),
        expect.objectContaining({ direction: 'outbound', category: 'opt_out_confirmation' }),
      ]),
    );
    expect((await profile(phone)).data?.lastInteractionAt).toBe(now.toISOString());
  });

  it('does nothing with ordinary text such as "weekend plans"', async () => {
    const { phone, subjectId } = await subscribe();

    const answered = await inbound({ from: phone, body: 'weekend plans' });

    expect(answered.body).toEqual({ action: 'none' });
    expect(await outboxFor(phone)).toEqual([]);
    expect(await suppressions(subjectId)).toEqual([]);
  });

  it('answers HELP with the help reply in the subscriber locale', async () => {
    const { phone } = await subscribe({ locale: 'fr-FR' });

    const answered = await inbound({ from: phone, body: 'HELP' });

    expect(answered.body).toEqual({ action: 'help' });
    expect(await outboxFor(phone)).toEqual([{ body: helpReply(demo, 'fr-FR'), category: 'help' }]);
  });

  it('opts back in on START, so sending works again, and the ledger reads opt_in, opt_out, re_opt_in', async () => {
    const { phone, subjectId } = await subscribe();
    tick();
    await inbound({ from: phone, body: 'STOP' });
    expect((await send(phone)).response.status).toBe(422);
    tick();

    const answered = await inbound({ from: phone, body: 'START' });

    expect(answered.body).toEqual({ action: 'opted_in' });
    expect((await optOutState(phone)).data).toEqual({ suppressed: false, scopes: [] });
    expect((await outboxFor(phone)).at(-1)).toEqual({
      body: optInConfirmation(demo.brand),
      category: 'transactional',
    });
    expect((await send(phone)).response.status).toBe(202);
    expect((await ledger(subjectId)).map((e) => e.type)).toEqual(['opt_in', 'opt_out', 're_opt_in']);
  });

  it('confirms a double opt-in on YES: the subscriber becomes active', async () => {
    const { phone, subjectId } = await subscribe({ doubleOptIn: true });
    tick();

    const answered = await inbound({ from: phone, body: 'YES' });

    expect(answered.body).toEqual({ action: 'opted_in' });
    expect((await profile(phone)).data?.status).toBe('active');
    expect((await ledger(subjectId)).map((e) => e.type)).toEqual(['opt_in', 'opt_in_confirmed']);
  });

  it('records nothing for START from an active subscriber who never opted out', async () => {
    const { phone, subjectId } = await subscribe();

    const answered = await inbound({ from: phone, body: 'START' });

    expect(answered.body).toEqual({ action: 'none' });
    expect((await ledger(subjectId)).map((e) => e.type)).toEqual(['opt_in']);
  });

  it.each([
    ['no body at all', undefined],
    ['a missing from', { body: 'STOP' }],
    ['an invalid from', { from: 'nobody', body: 'STOP' }],
    ['an unknown tenant', { from: '+447400123456', body: 'STOP', tenant: 'other' }],
    ['an unknown field', { from: '+447400123456', body: 'STOP', extra: true }],
    ['a body that is not text', { from: '+447400123456', body: 42 }],
  ])('refuses %s with 400 problem+json and stores nothing', async (_label, body) => {
    const before = await server.snapshot();

    const refused = await inbound(body);

    expect(refused.status).toBe(400);
    expect(refused.contentType).toBe('application/problem+json');
    expect(refused.body.type).toBe('urn:optline:problem:invalid-input');
    expect(await server.snapshot()).toEqual(before);
  });

  it('refuses a body that is not JSON with 400', async () => {
    const refused = await server.request('POST', '/_local/inbound', { as: null, rawBody: '{not json' });
    expect(refused.status).toBe(400);
    expect(refused.contentType).toBe('application/problem+json');
  });
});
