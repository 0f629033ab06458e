import { randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { RequestBody } from '../../client';
import { DynamoMessageStore, MESSAGE_ID_INDEX } from '../../lambdas/adapters/dynamo/message-store';
import { ProviderThrottledError, type SmsSender } from '../../lambdas/domain/sms';
import { testDocumentClient } from './harness/dynamo';
import { randomPhone, startTestServer, type Tenant, type TestServer } from './harness/local-server';

const db = testDocumentClient();
let server: TestServer;
let now = new Date('2026-11-24T12:00:00Z');
let throttling = false;
let unloggable = false;

beforeAll(async () => {
  server = await startTestServer({
    clock: () => now,
    // The "provider" throttles while the flag is up, as SNS or End User Messaging would.
    wrapSender: (outbox): SmsSender => ({
      send: async (message, config) => {
        if (throttling) throw new ProviderThrottledError(2);
        const receipt = await outbox.send(message, config);
        // A receipt too large for a DynamoDB item: the message went out, and its log write fails.
        return unloggable ? { ...receipt, providerMessageId: 'x'.repeat(410_000) } : receipt;
      },
    }),
  });
});
afterAll(async () => {
  await server.close();
  db.destroy();
});
beforeEach(() => {
  now = new Date('2026-11-24T12:00:00Z');
  throttling = false;
  unloggable = false;
});

type SubscribeExtras = Omit<RequestBody<'createSubscriber'>, 'phone' | 'consent'>;
type SendRequest = RequestBody<'sendMessage'>;

const subscribe = async (extra: SubscribeExtras = {}, as: Tenant = 'demo') => {
  const phone = randomPhone();
  const { data } = await server.client(as).POST('/v1/subscribers', {
    body: { phone, consent: { source: 'api', noticeVersion: 'v1' }, ...extra },
  });
  return { phone, subjectId: data!.subscriberId };
};

/** Sends through the typed client; the answer is `{ data }` on 202 and `{ error }` (the problem) otherwise. */
const send = (body: SendRequest, key: string = randomUUID(), as: Tenant = 'demo') =>
  server.client(as).POST('/v1/messages', { body, params: { header: { 'Idempotency-Key': key } } });

const getMessage = (messageId: string, as: Tenant = 'demo') =>
  server.client(as).GET('/v1/messages/{messageId}', { params: { path: { messageId } } });

const tablesOf = (test: TestServer) => ({
  Subscribers: `${test.tablePrefix}Subscribers`,
  Suppressions: `${test.tablePrefix}Suppressions`,
  MessageLog: `${test.tablePrefix}MessageLog`,
  DailyStats: `${test.tablePrefix}DailyStats`,
});

const outboxFor = async (phone: string) =>
  ((await server.request('GET', '/_local/outbox')).body as Array<{ to: string; body: string }>).filter(
    (e) => e.to === phone,
  );

const loggedMessages = async (tenant: string, subjectId: string) =>
  (
    await db.send(
      new QueryCommand({
        TableName: `${server.tablePrefix}MessageLog`,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `T#${tenant}#S#${subjectId}` },
      }),
    )
  ).Items ?? [];

describe('POST /v1/messages', () => {
  it('sends through the tenant channel, logs the message with a 6-month TTL, and reports its status', async () => {
    const { phone, subjectId } = await subscribe();

    const accepted = await send({ to: phone, body: 'Your order has shipped', category: 'transactional' });

    expect(accepted.response.status).toBe(202);
    expect(accepted.data).toEqual({ messageId: expect.any(String), status: 'sent' });
    const messageId = accepted.data!.messageId;
    expect(await outboxFor(phone)).toEqual([
      expect.objectContaining({
        messageId,
        body: 'Your order has shipped',
        category: 'transactional',
      }),
    ]);
    const [logged] = await loggedMessages('demo', subjectId);
    expect(logged).toMatchObject({
      direction: 'outbound',
      status: 'sent',
      channel: 'outbox',
      segments: 1,
      expiresAt: Date.parse('2027-05-24T12:00:00Z') / 1000,
    });
    expect(String(logged?.pk) + String(logged?.sk)).not.toContain(phone.slice(1));
    const status = await getMessage(messageId);
    expect(status.data).toMatchObject({
      messageId,
      status: 'sent',
      category: 'transactional',
    });
  });

  it("answers 404 for another tenant's message id", async () => {
    const { phone } = await subscribe();
    const accepted = await send({ to: phone, body: 'hello', category: 'transactional' });
    const foreign = await getMessage(accepted.data!.messageId, 'acme');
    expect(foreign.response.status).toBe(404);
    expect(foreign.error?.type).toBe('urn:optline:problem:not-found');
    expect((await getMessage(randomUUID())).response.status).toBe(404);
  });

  it('replays the same response for the same key and body, with exactly one outbox entry', async () => {
    const { phone } = await subscribe();
    const key = randomUUID();
    const message = { to: phone, body: 'Code 1234', category: 'transactional' } as const;

    const first = await send(message, key);
    const second = await send(message, key);

    expect(second.response.status).toBe(202);
    expect(second.data).toEqual(first.data);
    expect(await outboxFor(phone)).toHaveLength(1);
  });

  it('answers 409 when a key is reused with another body, and 400 without a key', async () => {
    const { phone } = await subscribe();
    const key = randomUUID();
    await send({ to: phone, body: 'first', category: 'transactional' }, key);

    const conflict = await send({ to: phone, body: 'second', category: 'transactional' }, key);
    // No Idempotency-Key: a request the typed client would not send.
    const missing = await server.request('POST', '/v1/messages', {
      body: { to: phone, body: 'third', category: 'transactional' },
    });

    expect(conflict.response.status).toBe(409);
    expect(conflict.error?.type).toBe('urn:optline:problem:conflict');
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
    expect(await outboxFor(phone)).toHaveLength(1);
  });

  it('refuses an opted-out recipient with 422 recipient-opted-out and sends nothing', async () => {
    const { phone, subjectId } = await subscribe();
    await db.send(
      new PutCommand({
        TableName: `${server.tablePrefix}Suppressions`,
        Item: { pk: 'T#demo', sk: `S#${subjectId}#all`, since: now.toISOString(), source: 'keyword' },
      }),
    );
    const refused = await send({ to: phone, body: 'hello', category: 'transactional' });
    expect(refused.response.status).toBe(422);
    expect(refused.response.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.error?.type).toBe('urn:optline:problem:recipient-opted-out');
    expect(await outboxFor(phone)).toEqual([]);
  });

  it('refuses marketing on a topic the recipient opted out of, but not another topic', async () => {
    const { phone, subjectId } = await subscribe();
    await db.send(
      new PutCommand({
        TableName: `${server.tablePrefix}Suppressions`,
        Item: { pk: 'T#demo', sk: `S#${subjectId}#offers`, since: now.toISOString(), source: 'api' },
      }),
    );
    expect(
      (await send({ to: phone, body: 'Sale!', category: 'marketing', topic: 'offers' })).error?.type,
    ).toBe('urn:optline:problem:recipient-opted-out');
    expect(
      (await send({ to: phone, body: 'News', category: 'marketing', topic: 'news' })).response.status,
    ).toBe(202);
  });

  it('refuses a number with no consent, and a double opt-in not yet confirmed, with 422 no-consent', async () => {
    const unknown = await send({ to: randomPhone(), body: 'hello', category: 'transactional' });
    const pending = await subscribe({ doubleOptIn: true });
    const unconfirmed = await send({ to: pending.phone, body: 'hello', category: 'transactional' });
    expect(unknown.error?.type).toBe('urn:optline:problem:no-consent');
    expect(unconfirmed.error?.type).toBe('urn:optline:problem:no-consent');
  });

  it('refuses a restricted subscriber with 422 processing-restricted', async () => {
    const { phone, subjectId } = await subscribe();
    await db.send(
      new UpdateCommand({
        TableName: `${server.tablePrefix}Subscribers`,
        Key: { pk: 'T#demo', sk: `S#${subjectId}` },
        UpdateExpression: 'SET #s = :r',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':r': 'restricted' },
      }),
    );
    const refused = await send({ to: phone, body: 'hello', category: 'transactional' });
    expect(refused.response.status).toBe(422);
    expect(refused.error?.type).toBe('urn:optline:problem:processing-restricted');
  });

  it("refuses marketing in the recipient's night with retryAt, while transactional goes out", async () => {
    const { phone } = await subscribe({ timeZone: 'Europe/London' });
    now = new Date('2026-11-24T02:30:00Z');

    const marketing = await send({ to: phone, body: 'Flash sale', category: 'marketing' });
    const transactional = await send({ to: phone, body: 'Your code is 5521', category: 'transactional' });

    expect(marketing.response.status).toBe(422);
    expect(marketing.error).toMatchObject({
      type: 'urn:optline:problem:quiet-hours',
      retryAt: '2026-11-24T08:00:00.000Z',
    });
    expect(transactional.response.status).toBe(202);
    expect((await outboxFor(phone)).map((e) => e.body)).toEqual(['Your code is 5521']);
  });

  it.each([
    ['an empty body', '   ', 'demo'],
    ['more than 10 segments', 'x'.repeat(1531), 'demo'],
    ['a body far over 10 segments', 'x'.repeat(5000), 'demo'],
    ["a link shortener on the tenant's deny list", 'See https://bit.ly/abc', 'acme'],
  ] as const)('refuses %s with 422 content-rejected', async (_label, body, tenant) => {
    const { phone } = await subscribe({}, tenant);
    const refused = await send({ to: phone, body, category: 'transactional' }, randomUUID(), tenant);
    expect(refused.response.status).toBe(422);
    expect(refused.error?.type).toBe('urn:optline:problem:content-rejected');
    expect(refused.error?.errors[0]).toMatchObject({ field: 'body' });
  });

  it('applies the checks in contract order: suppression, restriction, quiet hours, then content', async () => {
    // GIVEN a recipient who fails every check at once: opted out, restricted, at night, and a body too long
    const { phone, subjectId } = await subscribe({ timeZone: 'Europe/London' });
    const subscriberKey = { pk: 'T#demo', sk: `S#${subjectId}` };
    const suppressionKey = { pk: 'T#demo', sk: `S#${subjectId}#all` };
    const table = (id: string) => `${server.tablePrefix}${id}`;
    const setStatus = (status: string) =>
      db.send(
        new UpdateCommand({
          TableName: table('Subscribers'),
          Key: subscriberKey,
          UpdateExpression: 'SET #s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': status },
        }),
      );
    await db.send(
      new PutCommand({
        TableName: table('Suppressions'),
        Item: { ...suppressionKey, since: now.toISOString(), source: 'api' },
      }),
    );
    await setStatus('restricted');
    now = new Date('2026-11-24T02:30:00Z');
    const long = 'x'.repeat(2000);
    const problem = async (body: string) =>
      (await send({ to: phone, body, category: 'marketing' })).error?.type;

    // WHEN the failures are taken away one at a time, THEN each answer names the first that remains
    expect(await problem(long)).toBe('urn:optline:problem:recipient-opted-out');
    await db.send(new DeleteCommand({ TableName: table('Suppressions'), Key: suppressionKey }));
    expect(await problem(long)).toBe('urn:optline:problem:processing-restricted');
    await setStatus('active');
    expect(await problem(long)).toBe('urn:optline:problem:quiet-hours');
    now = new Date('2026-11-24T12:00:00Z');
    expect(await problem(long)).toBe('urn:optline:problem:content-rejected');
    expect((await send({ to: phone, body: 'Sale!', category: 'marketing' })).response.status).toBe(202);
  });

  it('answers 503 with Retry-After while the provider throttles, and logs and sends once on retry', async () => {
    const { phone, subjectId } = await subscribe();
    const key = randomUUID();
    const message = { to: phone, body: 'Your code is 7788', category: 'transactional' } as const;
    throttling = true;

    const busy = await send(message, key);
    expect(busy.response.status).toBe(503);
    expect(busy.error).toMatchObject({
      type: 'urn:optline:problem:service-unavailable',
      retryAfterSeconds: 2,
    });
    expect(busy.response.headers.get('retry-after')).toBe('2');
    expect(await loggedMessages('demo', subjectId)).toEqual([]);

    throttling = false;
    const retried = await send(message, key);
    const replayed = await send(message, key);

    expect(retried.response.status).toBe(202);
    expect(replayed.data).toEqual(retried.data);
    expect(await loggedMessages('demo', subjectId)).toHaveLength(1);
    expect(await outboxFor(phone)).toHaveLength(1);
  });

  it('finds a message its id index does not show yet, as straight after the 202 on AWS', async () => {
    const { phone } = await subscribe();
    const accepted = await send({ to: phone, body: 'Your code is 6611', category: 'transactional' });
    const messageId = accepted.data!.messageId;
    // DynamoDB Local's indexes are consistent at once; the first two index reads here come back empty.
    let missedIndexReads = 0;
    const lagging = {
      send: async (command: Parameters<typeof db.send>[0]) => {
        const input = command.input as { IndexName?: string };
        if (input.IndexName === MESSAGE_ID_INDEX && missedIndexReads < 2) {
          missedIndexReads += 1;
          return { Items: [] };
        }
        return db.send(command);
      },
    } as unknown as DynamoDBDocumentClient;
    const store = new DynamoMessageStore(lagging, tablesOf(server), () => now);

    const found = await store.findById('demo', messageId, now);

    expect(missedIndexReads).toBe(2);
    expect(found).toMatchObject({ messageId, status: 'sent' });
    expect(await store.findById('demo', randomUUID(), now)).toBeUndefined();
  });

  it('answers 202 and sends once when the provider took the message but its log write failed', async () => {
    const { phone, subjectId } = await subscribe();
    const key = randomUUID();
    const message = { to: phone, body: 'Your code is 4455', category: 'transactional' } as const;
    unloggable = true;

    const accepted = await send(message, key);
    unloggable = false;
    const retried = await send(message, key);

    expect(accepted.response.status).toBe(202);
    expect(accepted.data).toEqual({ messageId: expect.any(String), status: 'sent' });
    expect(retried.response.status).toBe(202);
    expect(retried.data).toEqual(accepted.data);
    expect(await outboxFor(phone)).toHaveLength(1);
    expect(await loggedMessages('demo', subjectId)).toEqual([]);
  });

  it('never accepts optline-internal categories from the API', async () => {
    const { phone } = await subscribe();
    // An internal category is outside the document's enum: a request the typed client would not send.
    const refused = await server.request('POST', '/v1/messages', {
      body: { to: phone, body: 'You are unsubscribed', category: 'opt_out_confirmation' },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'category' })]);
    expect(await outboxFor(phone)).toEqual([]);
  });
});
