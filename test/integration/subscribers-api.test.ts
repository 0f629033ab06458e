import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { expiresAt, purgeDayOf } from '../../lambdas/domain/retention';
import { testDocumentClient } from './harness/dynamo';
import { encodePhone, randomPhone, startTestServer, type TestServer } from './harness/local-server';

const consent = { source: 'web_form', noticeVersion: '2026-01', ip: '203.0.113.7', userAgent: 'test-agent' };
const db = testDocumentClient();
let server: TestServer;

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
  it('subscribes a number given in a common format and answers 201 with a pseudonymous id', async () => {
    const phone = randomPhone();
    const spaced = `${phone.slice(0, 3)} ${phone.slice(3, 7)} ${phone.slice(7)}`;

    const created = await server.request('POST', '/v1/subscribers', { body: { phone: spaced, consent } });

    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      subscriberId: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      status: 'active',
    });
    expect(JSON.stringify(created.body)).not.toContain(phone.slice(1));
    const profile = await server.request('GET', `/v1/subscribers/${encodePhone(phone)}`);
    expect(profile.body).toMatchObject({ phone, status: 'active', subscriberId: created.body.subscriberId });
  });

  it('writes the subscriber and an opt_in ledger entry with its evidence, and no phone number in the ledger', async () => {
    const phone = randomPhone();
    const capturedAt = '2025-06-30T08:00:00.000Z';

    const created = await server.request('POST', '/v1/subscribers', {
      body: {
        phone,
        consent: { ...consent, capturedAt },
        topics: ['offers'],
        locale: 'fr-FR',
        timeZone: 'Europe/Paris',
      },
    });

    const subjectId = created.body.subscriberId as string;
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
    await server.request('POST', '/v1/subscribers', { body: { phone, consent } });
    const before = await server.snapshot();

    const again = await server.request('POST', '/v1/subscribers', { body: { phone, consent, locale: 'de' } });

    expect(again.status).toBe(200);
    expect(await server.snapshot()).toEqual(before);
  });

  it('refuses a subscriber under 16 with 422 age-restriction and stores nothing', async () => {
    const before = await server.snapshot();
    const tooYoung = await server.request('POST', '/v1/subscribers', {
      body: {
        phone: randomPhone(),
        consent: { ...consent, capturedAt: '2026-01-10T00:00:00Z' },
        birthDate: '2010-01-11',
      },
    });

    expect(tooYoung.status).toBe(422);
    expect(tooYoung.contentType).toBe('application/problem+json');
    expect(tooYoung.body).toMatchObject({ type: 'urn:optline:problem:age-restriction', status: 422 });
    expect(await server.snapshot()).toEqual(before);
  });

  it('accepts a subscriber who turned 16 on the day consent was captured', async () => {
    const created = await server.request('POST', '/v1/subscribers', {
      body: {
        phone: randomPhone(),
        consent: { ...consent, capturedAt: '2026-01-10T00:00:00Z' },
        birthDate: '2010-01-10',
      },
    });
    expect(created.status).toBe(201);
  });

  it('clears a standing suppression for the scope when the number subscribes again', async () => {
    const phone = randomPhone();
    const first = await server.request('POST', '/v1/subscribers', { body: { phone, consent } });
    const subjectId = first.body.subscriberId as string;
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

    const again = await server.request('POST', '/v1/subscribers', { body: { phone, consent } });

    expect(again.status).toBe(201);
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
    const created = await server.request('POST', '/v1/subscribers', {
      body: { phone: randomPhone(), consent, doubleOptIn: true },
    });
    expect(created.body.status).toBe('pending_confirmation');
  });
});

describe('GET and PATCH /v1/subscribers/{phone}', () => {
  it('answers 404 problem+json for an unknown number', async () => {
    const missing = await server.request('GET', `/v1/subscribers/${encodePhone(randomPhone())}`);
    expect(missing.status).toBe(404);
    expect(missing.body.type).toBe('urn:optline:problem:not-found');
  });

  it('treats a subscriber past expiresAt as absent even before TTL deletes it', async () => {
    const phone = randomPhone();
    const created = await server.request('POST', '/v1/subscribers', { body: { phone, consent } });
    const item = await rawSubscriber(created.body.subscriberId);
    await db.send(
      new PutCommand({ TableName: `${server.tablePrefix}Subscribers`, Item: { ...item, expiresAt: 1000 } }),
    );

    expect((await server.request('GET', `/v1/subscribers/${encodePhone(phone)}`)).status).toBe(404);
    expect(
      (await server.request('PATCH', `/v1/subscribers/${encodePhone(phone)}`, { body: { locale: 'en' } }))
        .status,
    ).toBe(404);
  });

  it('changes locale, time zone and topics and returns the new profile', async () => {
    const phone = randomPhone();
    await server.request('POST', '/v1/subscribers', { body: { phone, consent, topics: ['offers'] } });

    const patched = await server.request('PATCH', `/v1/subscribers/${encodePhone(phone)}`, {
      body: { locale: 'nl-NL', timeZone: 'Europe/Amsterdam', topics: ['news', 'offers'] },
    });

    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      locale: 'nl-NL',
      timeZone: 'Europe/Amsterdam',
      topics: ['news', 'offers'],
    });
    expect((await server.request('GET', `/v1/subscribers/${encodePhone(phone)}`)).body.timeZone).toBe(
      'Europe/Amsterdam',
    );
  });

  it('refuses an empty patch and an unknown time zone with 400, changing nothing', async () => {
    const phone = randomPhone();
    await server.request('POST', '/v1/subscribers', { body: { phone, consent } });
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
    const path = `/v1/subscribers/${encodePhone(phone)}/interactions`;
    const created = await server.request('POST', '/v1/subscribers', {
      body: { phone, consent: { ...consent, capturedAt: '2025-01-31T12:00:00Z' } },
    });

    const forward = await server.request('POST', path, {
      body: { type: 'click', at: '2026-03-31T12:00:00Z' },
    });
    expect(forward.status).toBe(204);
    const moved = await rawSubscriber(created.body.subscriberId);
    expect(moved).toMatchObject({
      lastInteractionAt: '2026-03-31T12:00:00.000Z',
      expiresAt: Date.parse('2029-03-31T12:00:00Z') / 1000,
      purgeDay: '2029-03-31',
    });

    const backwards = await server.request('POST', path, {
      body: { type: 'inbound_reply', at: '2025-12-01T00:00:00Z' },
    });
    expect(backwards.status).toBe(204);
    expect(await rawSubscriber(created.body.subscriberId)).toEqual(moved);
  });

  it('refuses an interaction in the future with 400', async () => {
    const phone = randomPhone();
    await server.request('POST', '/v1/subscribers', { body: { phone, consent } });
    const future = await server.request('POST', `/v1/subscribers/${encodePhone(phone)}/interactions`, {
      body: { type: 'click', at: '2999-01-01T00:00:00Z' },
    });
    expect(future.status).toBe(400);
    expect(future.body.errors).toEqual([{ field: 'at', message: 'must not be in the future' }]);
  });

  it('answers 404 for an unknown number', async () => {
    const missing = await server.request(
      'POST',
      `/v1/subscribers/${encodePhone(randomPhone())}/interactions`,
      {
        body: { type: 'click' },
      },
    );
    expect(missing.status).toBe(404);
  });
});

describe('tenant isolation', () => {
  it("never shows one tenant another tenant's subscriber: a foreign number is 404", async () => {
    const phone = randomPhone();
    const path = `/v1/subscribers/${encodePhone(phone)}`;
    const demo = await server.request('POST', '/v1/subscribers', { body: { phone, consent } });
    const before = await server.snapshot();

    expect((await server.request('GET', path, { as: 'acme' })).status).toBe(404);
    expect((await server.request('PATCH', path, { as: 'acme', body: { locale: 'en' } })).status).toBe(404);
    expect(
      (await server.request('POST', `${path}/interactions`, { as: 'acme', body: { type: 'click' } })).status,
    ).toBe(404);
    expect(await server.snapshot()).toEqual(before);

    const acme = await server.request('POST', '/v1/subscribers', { as: 'acme', body: { phone, consent } });
    expect(acme.status).toBe(201);
    expect(acme.body.subscriberId).not.toBe(demo.body.subscriberId);
  });
});
