import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { CapacityCounter } from '../../bench/capacity';
import { DynamoMarketingHistory } from '../../lambdas/adapters/dynamo/marketing-history';
import type { FrequencyCap } from '../../lambdas/domain/frequency-cap';
import { localClient } from '../../local/dynamodb-local';
import { LOCAL_TENANTS, tenantItem } from '../../local/tenants';
import { testDocumentClient } from './harness/dynamo';
import { randomPhone, startTestServer, type TestServer } from './harness/local-server';

const CAP: FrequencyCap = { messages: 2, days: 7 };
const START = new Date('2026-11-24T12:00:00Z');
const DAY_MS = 86_400_000;

const db = testDocumentClient();
let server: TestServer;
let now = START;

beforeAll(async () => {
  server = await startTestServer({ clock: () => now });
  // GIVEN the demo tenant's Tenants item with a cap of 2 marketing messages in 7 days, stored before any request
  // reads (and caches) the tenant's settings
  const demo = LOCAL_TENANTS.find((tenant) => tenant.tenantId === 'demo')!;
  await db.send(
    new PutCommand({
      TableName: `${server.tablePrefix}Tenants`,
      Item: { ...tenantItem(demo), frequencyCap: CAP },
    }),
  );
});
afterAll(async () => {
  await server.close();
  db.destroy();
});
beforeEach(() => {
  now = START;
});

const subscribe = async () => {
  const phone = randomPhone();
  const { data } = await server.client('demo').POST('/v1/subscribers', {
    body: { phone, consent: { source: 'api', noticeVersion: 'v1' } },
  });
  return { phone, subjectId: data!.subscriberId };
};

const send = (to: string, category: 'marketing' | 'transactional', body = `Offer ${randomUUID()}`) =>
  server.client('demo').POST('/v1/messages', {
    body: { to, body, category },
    params: { header: { 'Idempotency-Key': randomUUID() } },
  });

const outboxFor = async (phone: string) =>
  ((await server.request('GET', '/_local/outbox')).body as Array<{ to: string }>).filter(
    (e) => e.to === phone,
  );

const loggedFor = async (subjectId: string) =>
  (
    await db.send(
      new QueryCommand({
        TableName: `${server.tablePrefix}MessageLog`,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `T#demo#S#${subjectId}` },
        ConsistentRead: true,
      }),
    )
  ).Items ?? [];

describe('POST /v1/messages with a frequency cap of 2 marketing messages in 7 days', () => {
  it('sends marketing under the cap, then answers 422 frequency-cap at it, sending and logging nothing', async () => {
    const { phone, subjectId } = await subscribe();

    // WHEN two marketing messages go out an hour apart
    expect((await send(phone, 'marketing')).response.status).toBe(202);
    now = new Date(START.getTime() + 3_600_000);
    expect((await send(phone, 'marketing')).response.status).toBe(202);

    // AND a third is sent
    const refused = await send(phone, 'marketing');

    // THEN it is refused with the cap in words and numbers, and no personal data
    expect(refused.response.status).toBe(422);
    expect(refused.error).toMatchObject({
      type: 'urn:optline:problem:frequency-cap',
      status: 422,
      frequencyCap: { messages: 2, days: 7 },
    });
    expect(refused.error?.detail).toContain('at most 2 marketing messages in 7 days');
    expect(JSON.stringify(refused.error)).not.toContain(phone.slice(1));
    // AND only the two accepted messages were sent and logged
    expect(await outboxFor(phone)).toHaveLength(2);
    expect(await loggedFor(subjectId)).toHaveLength(2);
  });

  it('never caps a transactional message, and counts none towards the cap', async () => {
    const { phone, subjectId } = await subscribe();
    for (let i = 0; i < 3; i += 1)
      expect((await send(phone, 'transactional', 'Your order has shipped')).response.status).toBe(202);

    // Transactional messages leave the marketing allowance whole
    expect((await send(phone, 'marketing')).response.status).toBe(202);
    expect((await send(phone, 'marketing')).response.status).toBe(202);
    expect((await send(phone, 'marketing')).response.status).toBe(422);

    // And a capped recipient still gets transactional messages
    expect((await send(phone, 'transactional', 'Your code is 1234')).response.status).toBe(202);
    expect(await loggedFor(subjectId)).toHaveLength(6);
  });

  it('does not count marketing messages older than the window', async () => {
    const { phone } = await subscribe();
    expect((await send(phone, 'marketing')).response.status).toBe(202);
    expect((await send(phone, 'marketing')).response.status).toBe(202);

    // A minute before the first leaves the window, both still count
    now = new Date(START.getTime() + 7 * DAY_MS - 60_000);
    expect((await send(phone, 'marketing')).response.status).toBe(422);

    // A minute after both left it, the recipient may get marketing again
    now = new Date(START.getTime() + 7 * DAY_MS + 60_000);
    expect((await send(phone, 'marketing')).response.status).toBe(202);
  });

  it('caps one tenant only: another tenant without a cap sends to the same number', async () => {
    const { phone } = await subscribe();
    await send(phone, 'marketing');
    await send(phone, 'marketing');
    await server.client('acme').POST('/v1/subscribers', {
      body: { phone, consent: { source: 'api', noticeVersion: 'v1' } },
    });

    const acme = await server.client('acme').POST('/v1/messages', {
      body: { to: phone, body: 'Acme offer', category: 'marketing' },
      params: { header: { 'Idempotency-Key': randomUUID() } },
    });

    expect(acme.response.status).toBe(202);
  });
});

describe('DynamoMarketingHistory against DynamoDB Local', () => {
  const counter = new CapacityCounter();
  const low = localClient(process.env.OPTLINE_DYNAMODB_ENDPOINT!);
  counter.attach(low);
  const counted = DynamoDBDocumentClient.from(low);
  afterAll(() => counted.destroy());

  /** Logs outbound messages for one subject, `minutesAgo` before START, in the shape the send path writes. */
  const seed = async (
    subjectId: string,
    messages: Array<{ category: string; minutesAgo: number; status?: string }>,
    body = 'A one-segment marketing body.',
  ) => {
    for (const [index, message] of messages.entries()) {
      const at = new Date(START.getTime() - message.minutesAgo * 60_000).toISOString();
      const messageId = `m-${index}`;
      await db.send(
        new PutCommand({
          TableName: `${server.tablePrefix}MessageLog`,
          Item: {
            pk: `T#demo#S#${subjectId}`,
            sk: `${at}#${messageId}`,
            messageId,
            direction: 'outbound',
            category: message.category,
            status: message.status ?? 'sent',
            body,
            createdAt: at,
            expiresAt: Math.floor(START.getTime() / 1000) + 90 * 86_400,
          },
        }),
      );
    }
  };
  const history = () => new DynamoMarketingHistory(counted, `${server.tablePrefix}MessageLog`, () => START);
  const weekAgo = new Date(START.getTime() - 7 * DAY_MS);

  it('counts outbound marketing in the window, and no failed, transactional or older message', async () => {
    // GIVEN 6 marketing messages in the last 6 days, 1 failed, 3 transactional, and 2 marketing 8 days ago
    const subjectId = `cap-${randomUUID()}`;
    await seed(subjectId, [
      ...[1, 2, 3, 4, 5, 6].map((d) => ({ category: 'marketing', minutesAgo: d * 1440 - 30 })),
      { category: 'marketing', minutesAgo: 10, status: 'failed' },
      ...[11, 12, 13].map((m) => ({ category: 'transactional', minutesAgo: m })),
      { category: 'marketing', minutesAgo: 8 * 1440 },
      { category: 'marketing', minutesAgo: 8 * 1440 + 1 },
    ]);

    expect(await history().countSince('demo', subjectId, weekAgo, 100)).toBe(6);
    expect(await history().countSince('demo', subjectId, weekAgo, 4)).toBe(4);
    expect(await history().countSince('demo', `cap-${randomUUID()}`, weekAgo, 4)).toBe(0);
  });

  it('stops reading at the cap: units follow the cap, not the recipient’s history', async () => {
    // GIVEN 40 marketing messages of about 1 KB each in the window (a 6-segment body)
    const subjectId = `cap-${randomUUID()}`;
    await seed(
      subjectId,
      Array.from({ length: 40 }, (_, i) => ({ category: 'marketing', minutesAgo: 60 + i * 60 })),
      'x'.repeat(900),
    );

    // WHEN counting all of them, and counting up to a cap of 4
    counter.reset();
    expect(await history().countSince('demo', subjectId, weekAgo, 100)).toBe(40);
    const wholeHistory = counter.reads;
    counter.reset();
    expect(await history().countSince('demo', subjectId, weekAgo, 4)).toBe(4);
    const atCap = counter.reads;
    counter.reset();
    expect(await history().countSince('demo', `cap-${randomUUID()}`, weekAgo, 4)).toBe(0);
    const empty = counter.reads;

    // THEN the capped count reads 4 items of about 1 KB (2 strongly consistent units: 4 KB each, rounded up) where
    // the whole history of 40 needs 11; a recipient with no history costs at most the minimum of one Query
    expect({ wholeHistory, atCap }).toEqual({ wholeHistory: 11, atCap: 2 });
    expect(empty).toBeLessThanOrEqual(1);
  });
});
