import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { addCalendarMonths } from '../../lambdas/domain/retention';
import { parseCells } from '../../lib/config';
import { testDocumentClient } from './harness/dynamo';
import { randomPhone, startTestServer, type TestServer } from './harness/local-server';

// GIVEN a GDPR cell that keeps message traffic 24 months, as MessageBird 7.1 allows, served locally like
// `npm start --cell long` would serve it
const CELLS = parseCells([
  {
    name: 'long',
    region: 'eu-west-3',
    regime: 'GDPR',
    tenants: ['demo', 'acme'],
    retentionOverrides: {
      messageTraffic: {
        period: { count: 24, unit: 'months' },
        source: 'MessageBird/Bird privacy policy §7.1: telecommunication retention "may be up to two years"',
      },
    },
  },
]);
const NOW = new Date('2026-12-02T09:30:00.000Z');
const db = testDocumentClient();
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ cell: 'long', cells: CELLS, clock: () => NOW });
});
afterAll(async () => {
  await server.close();
  db.destroy();
});

const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

async function itemsOf(table: string, pk: string): Promise<Array<Record<string, unknown>>> {
  const { Items = [] } = await db.send(
    new QueryCommand({
      TableName: `${server.tablePrefix}${table}`,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
    }),
  );
  return Items;
}

describe('a cell with a 24-month message-traffic override', () => {
  let subjectId: string;
  let phone: string;

  beforeAll(async () => {
    phone = randomPhone();
    const { data } = await server.client().POST('/v1/subscribers', {
      body: { phone, consent: { source: 'api', noticeVersion: 'v1' } },
    });
    subjectId = data!.subscriberId;
  });

  it('logs a sent message with an expiresAt 24 months after it was sent', async () => {
    // WHEN the tenant sends a message
    const { data, response } = await server.client().POST('/v1/messages', {
      body: { to: phone, body: 'Your order has shipped', category: 'transactional' },
      params: { header: { 'Idempotency-Key': randomUUID() } },
    });
    expect(response.status).toBe(202);

    // THEN its MessageLog item expires 24 months on, not after the schedule's 6
    const [logged] = (await itemsOf('MessageLog', `T#demo#S#${subjectId}`)).filter(
      (item) => item.messageId === data!.messageId,
    );
    expect(logged?.expiresAt).toBe(epochSeconds(addCalendarMonths(NOW, 24)));
  });

  it('logs an inbound SMS with the same 24 months', async () => {
    const { status } = await server.request('POST', '/_local/inbound', {
      as: null,
      body: { from: phone, body: 'Thanks, see you Friday' },
    });
    expect(status).toBe(200);

    const inbound = (await itemsOf('MessageLog', `T#demo#S#${subjectId}`)).filter(
      (item) => item.direction === 'inbound',
    );
    expect(inbound).toHaveLength(1);
    expect(inbound[0]!.expiresAt).toBe(epochSeconds(addCalendarMonths(NOW, 24)));
  });

  it('keeps every category it does not override on the schedule: the profile 36 months, consent 5 years', async () => {
    const [profile] = (await itemsOf('Subscribers', 'T#demo')).filter((item) => item.sk === `S#${subjectId}`);
    expect(profile?.expiresAt).toBe(epochSeconds(addCalendarMonths(NOW, 36)));
    const consent = await itemsOf('ConsentLedger', `T#demo#S#${subjectId}`);
    expect(consent[0]?.expiresAt).toBe(epochSeconds(addCalendarMonths(NOW, 60)));
  });
});
