import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { subscriberKey } from '../../lambdas/adapters/dynamo/keys';
import type { CampaignView } from '../../lambdas/shared/campaign-schemas';
import { LOCAL_TENANTS, tenantItem } from '../../local/tenants';
import { testDocumentClient } from './harness/dynamo';
import { startTestServer, type TestServer } from './harness/local-server';

/**
 * Campaigns end to end through the local server (DESIGN §10): the same fan-out and dispatch code the deployed
 * worker runs, on DynamoDB Local, with the outbox as the channel. The server's clock is fixed at noon UTC, so
 * a UK number is in its sending window and a New Zealand one (01:00) is in quiet hours.
 */
const NOW = new Date('2026-12-02T12:00:00.000Z');
const consent = { source: 'api', noticeVersion: 'v1' } as const;
const db = testDocumentClient();
let server: TestServer;
let now = NOW;
let nextNumber = 0;
/** Distinct valid UK mobile numbers, so 200 subscribers never collide. */
const newPhone = () => `+447400${String((nextNumber += 1)).padStart(6, '0')}`;

beforeAll(async () => {
  // A fast schedule: the pacing is the bench's subject (bench/campaign-rate.ts), not this test's.
  server = await startCampaignServer();
  current = server;
});

/** A server with a fast send schedule (the pacing is bench/campaign-rate.ts's subject) and a capped demo tenant. */
async function startCampaignServer(): Promise<TestServer> {
  const started = await startTestServer({ clock: () => now, sendRateMps: 1000 });
  const demo = LOCAL_TENANTS.find((tenant) => tenant.tenantId === 'demo')!;
  await db.send(
    new PutCommand({
      TableName: `${started.tablePrefix}Tenants`,
      Item: { ...tenantItem(demo), frequencyCap: { messages: 2, days: 7 } },
    }),
  );
  return started;
}
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  now = NOW;
  current = server;
});

/** The server the helpers talk to: the shared one, or a test's own. */
let current: TestServer;
const client = () => current.client('demo');

async function subscribe(
  topics: string[],
  extra: { timeZone?: 'Pacific/Auckland'; capturedAt?: string } = {},
) {
  const phone = newPhone();
  const { data, response } = await client().POST('/v1/subscribers', {
    body: {
      phone,
      topics,
      consent: { ...consent, ...(extra.capturedAt ? { capturedAt: extra.capturedAt } : {}) },
      ...(extra.timeZone ? { timeZone: extra.timeZone } : {}),
    },
  });
  expect(response.status).toBe(201);
  return { phone, subjectId: data!.subscriberId };
}

async function createCampaign(body: { topic?: string; body: string; sendAt?: string }, key = randomUUID()) {
  return client().POST('/v1/campaigns', { body, params: { header: { 'Idempotency-Key': key } } });
}

const view = async (campaignId: string): Promise<CampaignView> =>
  (await client().GET('/v1/campaigns/{id}', { params: { path: { id: campaignId } } })).data!;

/** Waits until every targeted recipient is sent, failed, skipped or deferred (deferred ones stay pending). */
async function settled(campaignId: string, targeted: number): Promise<CampaignView> {
  for (let i = 0; i < 300; i += 1) {
    const current = await view(campaignId);
    const { counts } = current;
    const skipped = Object.values(counts.skipped).reduce((a, b) => a + b, 0);
    if (counts.targeted === targeted && counts.sent + counts.failed + skipped + counts.deferred === targeted)
      return current;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`campaign ${campaignId} did not settle: ${JSON.stringify(await view(campaignId))}`);
}

const outboxWith = async (body: string) =>
  ((await current.request('GET', '/_local/outbox')).body as Array<{ to: string; body: string }>).filter(
    (entry) => entry.body === body,
  );

describe('a campaign to a topic', () => {
  it('gives exact counts for a mix of sendable, opted-out, expired, restricted, night-zone and capped recipients', async () => {
    // Its own server: its deferred recipients wait on that server's queue for hours.
    const own = await startCampaignServer();
    current = own;
    try {
      await exactCounts(own);
    } finally {
      await own.close();
    }
  }, 120_000);

  it('sends nobody twice when the same page and recipients are delivered again, and completes', async () => {
    const topic = `t${randomUUID().slice(0, 6)}`;
    const members = await Promise.all(Array.from({ length: 25 }, () => subscribe([topic])));
    const body = `Redelivery check ${randomUUID().slice(0, 8)}`;
    const created = await createCampaign({ topic, body });
    const campaignId = created.data!.campaignId;
    await settled(campaignId, 25);

    // WHEN the first page and every recipient are delivered again (an SQS redelivery)
    await server.campaignQueue.send([{ kind: 'page', tenantId: 'demo', campaignId, page: 0 }]);
    await server.campaignQueue.send([
      {
        kind: 'recipients',
        tenantId: 'demo',
        campaignId,
        subjectIds: members.slice(0, 10).map((m) => m.subjectId),
      },
    ]);
    await server.campaignQueue.idle();

    // THEN each member got it once, and the counts did not move
    const result = await view(campaignId);
    expect(result.counts.targeted).toBe(25);
    expect(result.counts.sent).toBe(25);
    expect(result.status).toBe('completed');
    expect(result.completedAt).toEqual(expect.any(String));
    expect((await outboxWith(body)).length).toBe(25);
  });

  it('sends each recipient once when the same pages are delivered several times at once', async () => {
    const topic = `c${randomUUID().slice(0, 6)}`;
    const members = await Promise.all(Array.from({ length: 30 }, () => subscribe([topic])));
    const body = `Concurrent check ${randomUUID().slice(0, 8)}`;
    const created = await createCampaign({ topic, body });
    const campaignId = created.data!.campaignId;
    // Two more deliveries of the first page, racing the one the create queued: their recipients race too.
    const page = { kind: 'page', tenantId: 'demo', campaignId, page: 0 } as const;
    await server.campaignQueue.send([page, page]);

    const result = await settled(campaignId, 30);
    expect(result.counts.sent).toBe(30);
    const sentTo = (await outboxWith(body)).map((entry) => entry.to).sort();
    expect(sentTo).toEqual(members.map((m) => m.phone).sort());
  });

  it("lists the campaign's message, with its campaignId, in the recipient's DSR export", async () => {
    const topic = `e${randomUUID().slice(0, 6)}`;
    const [member] = await Promise.all([subscribe([topic])]);
    const created = await createCampaign({ topic, body: 'Export me' });
    await settled(created.data!.campaignId, 1);

    const opened = await client().POST('/v1/dsr', {
      body: { type: 'access', phone: member!.phone, verification: { method: 'sms_otp', reference: 'otp-9' } },
    });
    await server.dsrQueue.idle();
    const done = await client().GET('/v1/dsr/{id}', { params: { path: { id: opened.data!.requestId } } });
    const exported = (await (await fetch(done.data!.result!.downloadUrl!)).json()) as { messages: unknown[] };

    expect(exported.messages).toEqual([
      expect.objectContaining({
        body: 'Export me',
        category: 'marketing',
        campaignId: created.data!.campaignId,
      }),
    ]);
  });

  it('answers a retry with the same key with the same campaign, and the key with another body with 409', async () => {
    const key = randomUUID();
    const first = await createCampaign({ topic: 'none-here', body: 'Hello once' }, key);
    const again = await createCampaign({ topic: 'none-here', body: 'Hello once' }, key);
    const other = await createCampaign({ topic: 'none-here', body: 'Hello twice' }, key);

    expect(again.data!.campaignId).toBe(first.data!.campaignId);
    expect(other.response.status).toBe(409);
    expect(other.error!.type).toBe('urn:optline:problem:conflict');
  });

  it('refuses a body the content policy refuses with 422, storing nothing', async () => {
    const refused = await createCampaign({ body: '   ' });
    expect(refused.response.status).toBe(422);
    expect(refused.error!.type).toBe('urn:optline:problem:content-rejected');
  });
});

/** A server whose sender calls `onSend` before each campaign message of `body` goes out. */
async function serverWithSendHook(body: () => string, onSend: (count: number) => Promise<void>) {
  let count = 0;
  const own = await startTestServer({
    clock: () => now,
    sendRateMps: 1000,
    wrapSender: (inner) => ({
      async send(message, channel) {
        if (message.body === body()) await onSend((count += 1));
        return inner.send(message, channel);
      },
    }),
  });
  return own;
}

describe('what happens during dispatch', () => {
  it('honours a STOP that arrives between two audience pages', async () => {
    let body = '';
    let stopped: { phone: string } | undefined;
    const own = await serverWithSendHook(
      () => body,
      async (count) => {
        // At the first send, a subscriber of the second page replies STOP.
        if (count === 1 && stopped) {
          const reply = await own.request('POST', '/_local/inbound', {
            as: null,
            body: { from: stopped.phone, body: 'STOP' },
          });
          expect(reply.body).toEqual({ action: 'opted_out' });
        }
      },
    );
    current = own;
    try {
      const topic = 'weekly';
      // 110: a first page of 100 and a second of 10.
      const members = await Promise.all(Array.from({ length: 110 }, () => subscribe([topic])));
      // Audience pages follow the subject ids' order: the largest is on the second page of 100.
      stopped = [...members].sort((a, b) => (a.subjectId < b.subjectId ? -1 : 1)).at(-1);
      body = `Weekly ${randomUUID().slice(0, 8)}`;
      const created = await createCampaign({ topic, body });

      const result = await settled(created.data!.campaignId, 110);
      expect(result.counts.sent).toBe(109);
      expect(result.counts.skipped.optedOut).toBe(1);
      expect((await outboxWith(body)).map((entry) => entry.to)).not.toContain(stopped!.phone);
    } finally {
      await own.close();
    }
  }, 120_000);

  it('stops dispatch at a cancel: nothing is sent after it, and the counts still add up', async () => {
    let body = '';
    let campaignId = '';
    let sendsBeforeCancel = 0;
    const own = await serverWithSendHook(
      () => body,
      async (count) => {
        if (count === 5) {
          const cancelled = await own
            .client('demo')
            .POST('/v1/campaigns/{id}/cancel', { params: { path: { id: campaignId } } });
          expect(cancelled.data).toEqual({ status: 'cancelled' });
          sendsBeforeCancel = count;
        }
      },
    );
    current = own;
    try {
      const topic = 'daily';
      await Promise.all(Array.from({ length: 30 }, () => subscribe([topic])));
      body = `Daily ${randomUUID().slice(0, 8)}`;
      const created = await createCampaign({ topic, body });
      campaignId = created.data!.campaignId;
      await own.campaignQueue.idle();

      const result = await view(campaignId);
      expect(result.status).toBe('cancelled');
      // Three dispatch messages of ten run at once: each may finish the send it had begun when the cancel
      // landed, and none starts another.
      const sent = (await outboxWith(body)).length;
      expect(sent).toBeGreaterThanOrEqual(sendsBeforeCancel);
      expect(sent).toBeLessThanOrEqual(sendsBeforeCancel + 3);
      const { counts } = result;
      const skipped = Object.values(counts.skipped).reduce((a, b) => a + b, 0);
      expect(counts.sent).toBe(sent);
      expect(counts.sent + counts.failed + skipped).toBeLessThan(counts.targeted);
    } finally {
      await own.close();
    }
  }, 60_000);
});

describe('a scheduled campaign, and a cancel', () => {
  it('stays scheduled until sendAt, and a cancel before then means nobody is sent anything', async () => {
    const topic = `s${randomUUID().slice(0, 6)}`;
    await Promise.all(Array.from({ length: 3 }, () => subscribe([topic])));
    const body = `Scheduled ${randomUUID().slice(0, 8)}`;
    const created = await createCampaign({ topic, body, sendAt: '2026-12-02T12:00:01.500Z' });
    expect(created.data!.status).toBe('scheduled');

    const cancelled = await client().POST('/v1/campaigns/{id}/cancel', {
      params: { path: { id: created.data!.campaignId } },
    });
    expect(cancelled.data).toEqual({ status: 'cancelled' });
    await server.campaignQueue.idle();

    const result = await view(created.data!.campaignId);
    expect(result.status).toBe('cancelled');
    expect(result.counts.targeted).toBe(0);
    expect(await outboxWith(body)).toEqual([]);
    // A repeat answers the same.
    const repeat = await client().POST('/v1/campaigns/{id}/cancel', {
      params: { path: { id: created.data!.campaignId } },
    });
    expect(repeat.data).toEqual({ status: 'cancelled' });
  });

  it("answers 404 for another tenant's campaign and for an id that is not one", async () => {
    const created = await createCampaign({ topic: 'nobody', body: 'Private' });
    const foreign = await server
      .client('acme')
      .GET('/v1/campaigns/{id}', { params: { path: { id: created.data!.campaignId } } });
    expect(foreign.response.status).toBe(404);
    const cancelForeign = await server
      .client('acme')
      .POST('/v1/campaigns/{id}/cancel', { params: { path: { id: created.data!.campaignId } } });
    expect(cancelForeign.response.status).toBe(404);
    expect((await server.request('GET', '/v1/campaigns/not-an-id')).status).toBe(404);
  });
});

async function exactCounts(own: TestServer): Promise<void> {
  const topic = 'offers';
  // GIVEN 200 subscribers of the topic, and 5 of another topic who are not in the audience
  const plain = await Promise.all(Array.from({ length: 130 }, () => subscribe([topic])));
  const optedOut = await Promise.all(Array.from({ length: 20 }, () => subscribe([topic])));
  // Consent captured 36 months before a date just ahead: their profiles expire before dispatch.
  const expiring = await Promise.all(
    Array.from({ length: 10 }, () => subscribe([topic], { capturedAt: '2023-12-03T11:00:00.000Z' })),
  );
  const restricted = await Promise.all(Array.from({ length: 10 }, () => subscribe([topic])));
  const night = await Promise.all(
    Array.from({ length: 20 }, () => subscribe([topic], { timeZone: 'Pacific/Auckland' })),
  );
  const capped = await Promise.all(Array.from({ length: 10 }, () => subscribe([topic])));
  await Promise.all(Array.from({ length: 5 }, () => subscribe(['news'])));
  for (const { phone } of optedOut) await client().POST('/v1/opt-outs', { body: { phone, scope: topic } });
  for (const { phone } of capped) {
    for (const n of [1, 2]) {
      const sent = await client().POST('/v1/messages', {
        body: { to: phone, body: `Earlier offer ${n}`, category: 'marketing' },
        params: { header: { 'Idempotency-Key': randomUUID() } },
      });
      expect(sent.response.status).toBe(202);
    }
  }
  // A restriction that lands after the audience was indexed: the dispatch check, not the index, refuses them.
  for (const { subjectId } of restricted) {
    await db.send(
      new UpdateCommand({
        TableName: `${own.tablePrefix}Subscribers`,
        Key: subscriberKey('demo', subjectId),
        UpdateExpression: 'SET #status = :restricted',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':restricted': 'restricted' },
      }),
    );
  }
  now = new Date('2026-12-03T12:00:00.000Z');

  // WHEN a campaign goes to the topic now
  const body = `Demo Shop: 20% off this weekend ${randomUUID().slice(0, 8)}`;
  const created = await createCampaign({ topic, body });
  expect(created.response.status).toBe(202);
  expect(created.data!.status).toBe('dispatching');

  // THEN every recipient is accounted for exactly once
  const result = await settled(created.data!.campaignId, 200);
  expect(result.counts).toEqual({
    targeted: 200,
    sent: 130,
    failed: 0,
    deferred: 20,
    skipped: { optedOut: 20, noConsent: 10, restricted: 10, frequencyCap: 10 },
  });
  // Deferred recipients are still pending: the campaign is not completed yet.
  expect(result.status).toBe('dispatching');
  const sentTo = (await outboxWith(body)).map((entry) => entry.to).sort();
  expect(sentTo).toEqual(plain.map((s) => s.phone).sort());
  // Each message is logged with its campaign.
  const [first] = plain;
  const { Items = [] } = await db.send(
    new QueryCommand({
      TableName: `${own.tablePrefix}MessageLog`,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `T#demo#S#${first!.subjectId}` },
    }),
  );
  expect(Items.filter((item) => item.body === body)).toEqual([
    expect.objectContaining({ campaignId: created.data!.campaignId, category: 'marketing' }),
  ]);
  expect(night.length + expiring.length).toBe(30);
}
