import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { RequestBody } from '../../client';
import { expiresAt, purgeDayOf } from '../../lambdas/domain/retention';
import { testDocumentClient } from './harness/dynamo';
import {
  encodePhone,
  randomPhone,
  startTestServer,
  type Tenant,
  type TestServer,
} from './harness/local-server';

const consent = {
  source: 'web_form',
  noticeVersion: '2026-01',
  ip: '203.0.113.7',
  userAgent: 'test-agent',
} as const;
const db = testDocumentClient();
let server: TestServer;

const subscribe = (body: RequestBody<'createSubscriber'>, as: Tenant = 'demo') =>
  server.client(as).POST('/v1/subscribers', { body });
const getProfile = (phone: string, as: Tenant = 'demo') =>
  server.client(as).GET('/v1/subscribers/{phone}', { params: { path: { phone } } });
const patch = (phone: string, body: RequestBody<'patchSubscriber'>, as: Tenant = 'demo') =>
  server.client(as).PATCH('/v1/subscribers/{phone}', { params: { path: { phone } }, body });
const interact = (phone: string, body: RequestBody<'recordInteraction'>, as: Tenant = 'demo') =>
  server.client(as).POST('/v1/subscribers/{phone}/interactions', { params: { path: { phone } }, body });

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
  db.destroy();
});

const rawSubscriber = async (subjectId: string) =>
  (
    await db.send(
      new GetCommand({
        TableName: `${server.tablePrefix}Subscribers`,
        Key: { pk: 'T#demo', sk: `S#${subjectId}` },
      }),
    )
  ).Item;

describe('POST /v1/subscribers', () => {
  it('subscribes a number given in a common format and answers 201 with a pseudonymous id and the E.164 form', async () => {
    const phone = randomPhone();
    const spaced = `${phone.slice(0, 3)} ${phone.slice(3, 7)} ${phone.slice(7)}`;

    const created = await subscribe({ phone: spaced, consent });

    expect(created.response.status).toBe(201);
    // The E.164 form is what later calls put in the `{phone}` path (the document's links use it).
    expect(created.data).toEqual({
      subscriberId: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      status: 'active',
      phone,
    });
    const profile = await getProfile(phone);
    expect(profile.data).toMatchObject({ phone, status: 'active', subscriberId: created.data?.subscriberId });
  });

  it('writes the subscriber and an opt_in ledger entry with its evidence, and no phone number in the ledger', async () => {
    const phone = randomPhone();
    const capturedAt = '2025-06-30T08:00:00.000Z';

    const created = await subscribe({
      phone,
      consent: { ...consent, capturedAt },
      topics: ['offers'],
      locale: 'fr-FR',
      timeZone: 'Europe/Paris',
    });

    const subjectId = created.data!.subscriberId;
    const item = await rawSubscriber(subjectId);
    const ttl = expiresAt('subscriberProfile', new Date(capturedAt));
    expect(item).toMatchObject({
      phone,
      status: 'active',
      topics: ['offers'],
      locale: 'fr-FR',
      timeZone: 'Europe/Paris',
      lastInteractionAt: capturedAt,
      expiresAt: ttl,
      purgeDay: purgeDayOf(ttl),
    });
    expect(purgeDayOf(ttl)).toBe('2028-06-30');
    const ledger = await db.send(
      new QueryCommand({
        TableName: `${server.tablePrefix}ConsentLedger`,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `T#demo#S#${subjectId}` },
      }),
    );
    expect(ledger.Items).toHaveLength(1);
    expect(ledger.Items?.[0]).toMatchObject({
      type: 'opt_in',
      at: capturedAt,
      source: 'web_form',
      scope: 'all',
      evidence: { noticeVersion: '2026-01', ip: '203.0.113.7', userAgent: 'test-agent' },
      expiresAt: expiresAt('consentProof', new Date(capturedAt)),
    });
    expect(JSON.stringify(ledger.Items)).not.toContain(phone.slice(1));
  });

  it('answers 200 for a number that is already subscribed and changes nothing', async () => {
    const phone = randomPhone();
    await subscribe({ phone, consent });
    const before = await server.snapshot();

    const again = await subscribe({ phone, consent, locale: 'de' });

    expect(again.response.status).toBe(200);
    expect(again.data?.status).toBe('active');
    expect(await server.snapshot()).toEqual(before);
  });

  it('refuses a subscriber under 16 with 422 age-restriction and stores nothing', async () => {
    const before = await server.snapshot();
    const tooYoung = await subscribe({
      phone: randomPhone(),
      consent: { ...consent, capturedAt: '2026-01-10T00:00:00Z' },
      birthDate: '2010-01-11',
    });

    expect(tooYoung.response.status).toBe(422);
    expect(tooYoung.response.headers.get('content-type')).toBe('application/problem+json');
    expect(tooYoung.error).toMatchObject({ type: 'urn:optline:problem:age-restriction', status: 422 });
    expect(await server.snapshot()).toEqual(before);
  });

  it('accepts a subscriber who turned 16 on the day consent was captured', async () => {
    const created = await subscribe({
      phone: randomPhone(),
      consent: { ...consent, capturedAt: '2026-01-10T00:00:00Z' },
      birthDate: '2010-01-10',
    });
    expect(created.response.status).toBe(201);
  });

  it('clears a standing suppression for the scope when the number subscribes again', async () => {
    const phone = randomPhone();
    const first = await subscribe({ phone, consent });
    const subjectId = first.data!.subscriberId;
    const suppressionKey = { pk: 'T#demo', sk: `S#${subjectId}#all` };
    await db.send(
      new PutCommand({
        TableName: `${server.tablePrefix}Suppressions`,
        Item: { ...suppressionKey, since: '2026-01-01' },
      }),
    );
    // The profile has expired (TTL not yet run), so the next subscribe is a fresh opt-in.
    await db.send(
      new PutCommand({
        TableName: `${server.tablePrefix}Subscribers`,
        Item: { ...(await rawSubscriber(subjectId)), expiresAt: 1 },
      }),
    );

    const again = await subscribe({ phone, consent });

    expect(again.response.status).toBe(201);
    const suppression = await db.send(
      new GetCommand({
        TableName: `${server.tablePrefix}Suppressions`,
        Key: suppressionKey,
        ConsistentRead: true,
      }),
    );
    expect(suppression.Item).toBeUndefined();
  });

  it('keeps a double opt-in subscriber pending until confirmed', async () => {
    const created = await subscribe({ phone: randomPhone(), consent, doubleOptIn: true });
    expect(created.data?.status).toBe('pending_confirmation');
  });
});

describe('GET and PATCH /v1/subscribers/{phone}', () => {
  it('answers 404 problem+json for an unknown number', async () => {
    const missing = await getProfile(randomPhone());
    expect(missing.response.status).toBe(404);
    expect(missing.response.headers.get('content-type')).toBe('application/problem+json');
    expect(missing.error?.type).toBe('urn:optline:problem:not-found');
  });

  it('treats a subscriber past expiresAt as absent even before TTL deletes it', async () => {
    const phone = randomPhone();
    const created = await subscribe({ phone, consent });
    const item = await rawSubscriber(created.data!.subscriberId);
    await db.send(
      new PutCommand({ TableName: `${server.tablePrefix}Subscribers`, Item: { ...item, expiresAt: 1000 } }),
    );

    expect((await getProfile(phone)).response.status).toBe(404);
    expect((await patch(phone, { locale: 'en' })).response.status).toBe(404);
  });

  it('changes locale, time zone and topics and returns the new profile', async () => {
    const phone = randomPhone();
    await subscribe({ phone, consent, topics: ['offers'] });

    const patched = await patch(phone, {
      locale: 'nl-NL',
      timeZone: 'Europe/Amsterdam',
      topics: ['news', 'offers'],
    });

    expect(patched.response.status).toBe(200);
    expect(patched.data).toMatchObject({
      locale: 'nl-NL',
      timeZone: 'Europe/Amsterdam',
      topics: ['news', 'offers'],
    });
    expect((await getProfile(phone)).data?.timeZone).toBe('Europe/Amsterdam');
  });

  it('refuses an empty patch and an unknown time zone with 400, changing nothing', async () => {
    const phone = randomPhone();
    await subscribe({ phone, consent });
    // Malformed on purpose, so sent raw: the typed client is for requests the document allows.
    const before = await server.snapshot();

    const empty = await server.request('PATCH', `/v1/subscribers/${encodePhone(phone)}`, { body: {} });
    const badZone = await server.request('PATCH', `/v1/subscribers/${encodePhone(phone)}`, {
      body: { timeZone: 'Mars/Olympus' },
    });

    expect(empty.status).toBe(400);
    expect(badZone.status).toBe(400);
    expect(badZone.body.errors).toEqual([{ field: 'timeZone', message: expect.stringContaining('IANA') }]);
    expect(await server.snapshot()).toEqual(before);
  });
});

describe('POST /v1/subscribers/{phone}/interactions', () => {
  it('moves lastInteractionAt, expiresAt and purgeDay forward, and never back', async () => {
    const phone = randomPhone();
    const created = await subscribe({ phone, consent: { ...consent, capturedAt: '2025-01-31T12:00:00Z' } });
    const subjectId = created.data!.subscriberId;

    const forward = await interact(phone, { type: 'click', at: '2026-03-31T12:00:00Z' });
    expect(forward.response.status).toBe(204);
    const moved = await rawSubscriber(subjectId);
    expect(moved).toMatchObject({
      lastInteractionAt: '2026-03-31T12:00:00.000Z',
      expiresAt: Date.parse('2029-03-31T12:00:00Z') / 1000,
      purgeDay: '2029-03-31',
    });

    const backwards = await interact(phone, { type: 'inbound_reply', at: '2025-12-01T00:00:00Z' });
    expect(backwards.response.status).toBe(204);
    expect(await rawSubscriber(subjectId)).toEqual(moved);
  });

  it('refuses an interaction in the future with 422 timestamp-out-of-range, which the document declares', async () => {
    const phone = randomPhone();
    await subscribe({ phone, consent });
    const future = await interact(phone, { type: 'click', at: '2999-01-01T00:00:00Z' });
    expect(future.response.status).toBe(422);
    expect(future.error?.type).toBe('urn:optline:problem:timestamp-out-of-range');
    expect(future.error?.errors).toEqual([{ field: 'at', message: 'must not be in the future' }]);
  });

  it('answers 404 for an unknown number', async () => {
    const missing = await interact(randomPhone(), { type: 'click' });
    expect(missing.response.status).toBe(404);
    expect(missing.error?.type).toBe('urn:optline:problem:not-found');
  });
});

describe('tenant isolation', () => {
  it("never shows one tenant another tenant's subscriber: a foreign number is 404", async () => {
    const phone = randomPhone();
    const demo = await subscribe({ phone, consent });
    const before = await server.snapshot();

    expect((await getProfile(phone, 'acme')).response.status).toBe(404);
    expect((await patch(phone, { locale: 'en' }, 'acme')).response.status).toBe(404);
    expect((await interact(phone, { type: 'click' }, 'acme')).response.status).toBe(404);
    expect(await server.snapshot()).toEqual(before);

    const acme = await subscribe({ phone, consent }, 'acme');
    expect(acme.response.status).toBe(201);
    expect(acme.data?.subscriberId).not.toBe(demo.data?.subscriberId);
  });
});
