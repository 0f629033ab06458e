import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { RequestBody } from '../../client';
import { InMemoryProviderOptOutList } from '../../lambdas/adapters/optout-list/in-memory-provider-optout-list';
import type { DsrQueue } from '../../lambdas/domain/dsr-ports';
import {
  containsMessageBodies,
  exportDocumentSchema,
  type ExportDocument,
} from '../../lambdas/domain/export-document';
import { testDocumentClient } from './harness/dynamo';
import { randomPhone, startTestServer, type Tenant, type TestServer } from './harness/local-server';

/**
 * Data-subject requests end to end through the local server: the same route actions, the same SQS batch
 * handler of the worker (fed by an in-process queue) and DynamoDB Local.
 */
const db = testDocumentClient();
let server: TestServer;
const START = new Date('2026-11-24T12:00:00Z');
let now = START;
let failEnqueues = 0;
/** The provider opt-out list, made to fail its next `failures` additions as a throttled provider would. */
class FlakyOptOutList extends InMemoryProviderOptOutList {
  failures = 0;
  override async add(e164: string): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('provider unavailable');
    }
    return super.add(e164);
  }
}
const optOutList = new FlakyOptOutList(() => now);

beforeAll(async () => {
  server = await startTestServer({
    clock: () => now,
    providerOptOuts: optOutList,
    // Lets a test make the queue unreachable, as if the process died between the write and the send.
    wrapDsrQueue: (queue): DsrQueue => ({
      enqueue: async (item) => {
        if (failEnqueues > 0) {
          failEnqueues -= 1;
          throw new Error('queue unreachable');
        }
        return queue.enqueue(item);
      },
    }),
  });
});
afterAll(async () => {
  await server.close();
  db.destroy();
});
beforeEach(() => {
  now = START;
  failEnqueues = 0;
  optOutList.failures = 0;
});

const verification = { method: 'sms_otp', reference: 'ticket-4711' } as const;

type DsrBody = RequestBody<'createDsr'>;

const subscribe = async (extra: Omit<RequestBody<'createSubscriber'>, 'phone' | 'consent'> = {}) => {
  const phone = randomPhone();
  const created = await server.client().POST('/v1/subscribers', {
    body: { phone, consent: { source: 'api', noticeVersion: 'v1' }, topics: ['offers'], ...extra },
  });
  expect(created.response.status).toBe(201);
  return { phone, subjectId: created.data!.subscriberId };
};

const sendMessage = async (
  to: string,
  body: string,
  category: RequestBody<'sendMessage'>['category'] = 'transactional',
) =>
  server.client().POST('/v1/messages', {
    body: { to, body, category },
    params: { header: { 'Idempotency-Key': randomUUID() } },
  });

const profileOf = (phone: string) =>
  server.client().GET('/v1/subscribers/{phone}', { params: { path: { phone } } });
const optOutStateOf = (phone: string) =>
  server.client().GET('/v1/opt-outs/{phone}', { params: { path: { phone } } });

// A local-only route: it is not in the OpenAPI document.
const inbound = (from: string, body: string) =>
  server.request('POST', '/_local/inbound', { as: null, body: { from, body } });

const createDsr = (body: DsrBody, as: Tenant = 'demo') => server.client(as).POST('/v1/dsr', { body });
const getDsr = (id: string, as: Tenant = 'demo') =>
  server.client(as).GET('/v1/dsr/{id}', { params: { path: { id } } });
const extendDsr = (id: string, reason: string, as: Tenant = 'demo') =>
  server.client(as).POST('/v1/dsr/{id}/extend', { params: { path: { id } }, body: { reason } });

/** Opens a request, lets the worker handle it, and returns the final GET. */
async function dsr(
  type: DsrBody['type'],
  phone: string,
  extra: Pick<DsrBody, 'changes'> = {},
  as: Tenant = 'demo',
) {
  const accepted = await createDsr({ type, phone, verification, ...extra }, as);
  expect(accepted.response.status).toBe(202);
  await server.dsrQueue.idle();
  const requestId = accepted.data!.requestId;
  const view = await getDsr(requestId, as);
  return { requestId, accepted, view };
}

/** The download URL of a completed export; fails the test when the answer has none. */
function downloadUrlOf(answer: Awaited<ReturnType<typeof getDsr>>): string {
  const url = answer.data?.result?.downloadUrl;
  if (url === undefined) throw new Error(`no downloadUrl in ${JSON.stringify(answer.data ?? answer.error)}`);
  return url;
}

/** Downloads an export through the URL a GET returned. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests inspect arbitrary JSON
async function download(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url);
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) };
}

async function exportOf(phone: string): Promise<ExportDocument> {
  const { view } = await dsr('access', phone);
  expect(view.data).toMatchObject({ status: 'completed' });
  const file = await download(downloadUrlOf(view));
  expect(file.status).toBe(200);
  return exportDocumentSchema.parse(file.body);
}

const auditEntries = async (tenant = 'demo', day = START.toISOString().slice(0, 10)) =>
  (
    await db.send(
      new QueryCommand({
        TableName: `${server.tablePrefix}AuditLog`,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `T#${tenant}#D#${day}` },
      }),
    )
  ).Items ?? [];

describe('POST /v1/dsr', () => {
  it('accepts a request with the GDPR deadline of the eu cell, stores the verification evidence, and queues it', async () => {
    const { phone, subjectId } = await subscribe();

    const accepted = await createDsr({ type: 'access', phone, verification });

    expect(accepted.response.status).toBe(202);
    expect(accepted.data).toEqual({
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 'received',
      dueAt: '2026-12-24T12:00:00.000Z',
    });
    await server.dsrQueue.idle();
    const items = (await server.snapshot()).DsrRequests!.map((item) => JSON.parse(item as string));
    const stored = items.find((item) => item.requestId === accepted.data?.requestId);
    expect(stored).toMatchObject({
      tenantId: 'demo',
      subjectId,
      type: 'access',
      regime: 'GDPR',
      verification,
      receivedAt: START.toISOString(),
    });
    expect(JSON.stringify(stored)).not.toContain(phone.slice(1));
  });

  it('accepts a request for a number that was never subscribed: the export is empty but complete', async () => {
    const doc = await exportOf(randomPhone());

    expect(doc.profile).toBeNull();
    expect(doc.marketingAttributes).toBeNull();
    expect(doc.consentLedger).toEqual([]);
    expect(doc.messages).toEqual([]);
  });
});

describe('access and portability', () => {
  it('exports every category as one versioned document, behind a fresh presigned URL of at most 15 minutes', async () => {
    const { phone, subjectId } = await subscribe({ locale: 'en-GB' });
    await sendMessage(phone, 'Your order has shipped');

    const { requestId, view } = await dsr('portability', phone);

    expect(view.response.status).toBe(200);
    expect(view.response.headers.get('cache-control')).toBe('no-store');
    expect(view.data).toEqual({
      status: 'completed',
      dueAt: '2026-12-24T12:00:00.000Z',
      completedAt: START.toISOString(),
      result: {
        downloadUrl: expect.stringContaining(`/_local/exports/dsr/demo/${requestId}.json?`),
        expiresAt: new Date(START.getTime() + 15 * 60_000).toISOString(),
        retained: [],
      },
    });
    const doc = exportDocumentSchema.parse((await download(downloadUrlOf(view))).body);
    expect(doc).toMatchObject({
      schemaVersion: '1.0',
      requestId,
      controller: { tenantId: 'demo' },
      subject: { subjectId },
      profile: { phone, status: 'active', topics: ['offers'], locale: 'en-GB' },
      consentLedger: [expect.objectContaining({ type: 'opt_in', source: 'api' })],
      suppressions: [],
      messages: [expect.objectContaining({ body: 'Your order has shipped', direction: 'outbound' })],
    });
    expect(JSON.stringify(doc)).not.toMatch(/"(pk|sk)"/);
  });

  it('lists exactly the 3 messages of a subject that has 3', async () => {
    const { phone } = await subscribe();
    const other = await subscribe();
    for (const body of ['one', 'two', 'three']) {
      expect((await sendMessage(phone, body)).response.status).toBe(202);
    }
    await sendMessage(other.phone, 'not yours');

    const doc = await exportOf(phone);

    expect(doc.messages.map((m: { body: string }) => m.body).sort()).toEqual(['one', 'three', 'two']);
    expect(doc.messages).toHaveLength(3);
  });

  it('holds the opt-in, the opt-out and the re-opt-in after STOP and START', async () => {
    const { phone } = await subscribe();
    expect((await inbound(phone, 'STOP')).body).toEqual({ action: 'opted_out' });
    now = new Date(START.getTime() + 60_000);
    expect((await inbound(phone, 'START')).body).toEqual({ action: 'opted_in' });
    now = new Date(START.getTime() + 120_000);

    const doc = await exportOf(phone);

    expect(doc.consentLedger.map((e: { type: string }) => e.type)).toEqual([
      'opt_in',
      'opt_out',
      're_opt_in',
    ]);
    expect(doc.consentLedger[1]).toMatchObject({ source: 'keyword', evidence: { keyword: 'STOP' } });
    expect(doc.suppressions).toEqual([]);
  });

  it('lists earlier requests of the subject, without the verification reference', async () => {
    const { phone } = await subscribe();
    const first = await dsr('restriction', phone);

    const doc = await exportOf(phone);

    expect(doc.dsrRequests).toEqual([
      expect.objectContaining({ requestId: first.requestId, type: 'restriction', status: 'completed' }),
    ]);
    expect(JSON.stringify(doc)).not.toContain('ticket-4711');
  });

  it('issues a new URL on each GET until the file expires after 7 days; an old URL stops working', async () => {
    const { phone } = await subscribe();
    const { requestId, view } = await dsr('access', phone);
    const firstUrl = downloadUrlOf(view);

    now = new Date(START.getTime() + 10 * 60_000);
    const again = await getDsr(requestId);
    const againUrl = downloadUrlOf(again);
    expect(againUrl).not.toBe(firstUrl);
    expect(again.data?.result?.expiresAt).toBe(new Date(now.getTime() + 15 * 60_000).toISOString());
    expect((await download(firstUrl)).status).toBe(200);

    now = new Date(START.getTime() + 16 * 60_000);
    const expired = await download(firstUrl);
    expect(expired.status).toBe(403);
    expect(expired.body.type).toBe('urn:optline:problem:forbidden');
    expect((await download(againUrl)).status).toBe(200);

    // The last GET before the file goes gets a URL that ends with the file, not after it.
    now = new Date(START.getTime() + 7 * 86_400_000 - 60_000);
    const late = await getDsr(requestId);
    expect(late.data?.result?.expiresAt).toBe(new Date(START.getTime() + 7 * 86_400_000).toISOString());

    now = new Date(START.getTime() + 7 * 86_400_000);
    const gone = await getDsr(requestId);
    expect(gone.data).toEqual({
      status: 'completed',
      dueAt: '2026-12-24T12:00:00.000Z',
      completedAt: START.toISOString(),
      result: { retained: [] },
    });
    expect((await download(againUrl)).status).toBe(403);
  });

  it('refuses a tampered download URL', async () => {
    const { phone } = await subscribe();
    const { view } = await dsr('access', phone);
    const url = new URL(downloadUrlOf(view));
    url.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));

    const response = await download(url.toString());

    expect(response.status).toBe(403);
  });
});

/** The request as DsrRequests stores it, read directly. */
const storedRequest = async (requestId: string) =>
  (
    await db.send(
      new GetCommand({
        TableName: `${server.tablePrefix}DsrRequests`,
        Key: { pk: 'T#demo', sk: `R#${requestId}` },
        ConsistentRead: true,
      }),
    )
  ).Item;

describe('erasure', () => {
  it('deletes profile, marketing, messages and earlier exports, keeps ledger and suppression, and says why', async () => {
    const { phone, subjectId } = await subscribe();
    await sendMessage(phone, 'Secret body 123');
    await inbound(phone, 'STOP');
    // A marketing item, written after the STOP (which deletes it): segments and tags of the subject.
    await db.send(
      new PutCommand({
        TableName: `${server.tablePrefix}Subscribers`,
        Item: {
          pk: 'T#demo',
          sk: `S#${subjectId}#MKT`,
          segments: ['segment-3b9d'],
          updatedAt: now.toISOString(),
        },
      }),
    );
    now = new Date(START.getTime() + 60_000);
    const earlier = await dsr('access', phone);
    const earlierUrl = downloadUrlOf(earlier.view);
    const earlierFile = await download(earlierUrl);
    expect(earlierFile.status).toBe(200);
    expect(exportDocumentSchema.parse(earlierFile.body).marketingAttributes).toEqual({
      segments: ['segment-3b9d'],
      updatedAt: START.toISOString(),
    });

    const { view, requestId } = await dsr('erasure', phone);

    expect(view.data).toMatchObject({ status: 'completed', result: { retained: expect.any(Array) } });
    expect(view.data?.result).not.toHaveProperty('downloadUrl');
    const retained = view.data?.result?.retained ?? [];
    expect(retained.map((r) => r.category)).toEqual(['consentProof', 'optOutSuppression']);
    for (const entry of retained) expect(entry.reason).toMatch(/GDPR Art\./);

    expect((await profileOf(phone)).response.status).toBe(404);
    expect((await optOutStateOf(phone)).data).toMatchObject({ suppressed: true, scopes: ['all'] });
    expect((await download(earlierUrl)).status).toBe(404);
    expect((await getDsr(earlier.requestId)).data?.result).toEqual({ retained: [] });

    const after = await exportOf(phone);
    expect(containsMessageBodies(after)).toBe(false);
    expect(after.messages).toEqual([]);
    expect(after.profile).toBeNull();
    expect(after.consentLedger.map((e: { type: string }) => e.type)).toEqual(['opt_in', 'opt_out']);
    expect(after.suppressions).toEqual([expect.objectContaining({ scope: 'all', source: 'keyword' })]);

    expect(after.marketingAttributes).toBeNull();
    expect((await storedRequest(requestId))?.result.counts).toMatchObject({ marketingItemsDeleted: 1 });

    const snapshot = JSON.stringify(await server.snapshot());
    expect(snapshot).not.toContain('Secret body 123');
    expect(snapshot).not.toContain('segment-3b9d');
    expect(snapshot).not.toContain(phone);
    expect(snapshot).toContain(`S#${subjectId}#all`);
  });

  it('erases the changes of an earlier rectification but keeps the request as the record', async () => {
    // GIVEN a subject whose time zone was rectified
    const { phone } = await subscribe();
    const rectification = await dsr('rectification', phone, {
      changes: { locale: 'fr-FR', timeZone: 'Pacific/Chatham' },
    });
    expect(rectification.view.data?.status).toBe('completed');
    expect(await storedRequest(rectification.requestId)).toHaveProperty('changes');

    // WHEN the subject asks for erasure
    const { view } = await dsr('erasure', phone);

    // THEN the rectification stays completed, without the changes it carried
    expect(view.data?.status).toBe('completed');
    expect(await storedRequest(rectification.requestId)).toMatchObject({ status: 'completed' });
    expect(await storedRequest(rectification.requestId)).not.toHaveProperty('changes');
    expect(JSON.stringify(await server.snapshot())).not.toContain('Pacific/Chatham');
  });

  it('rejects a rectification that waited through an erasure, without its changes', async () => {
    // GIVEN a rectification that never reached the queue, then an erasure that did
    const { phone } = await subscribe();
    failEnqueues = 1;
    const accepted = await createDsr({
      type: 'rectification',
      phone,
      verification,
      changes: { timeZone: 'Pacific/Chatham' },
    });
    expect(accepted.response.status).toBe(202);
    const requestId = accepted.data!.requestId;
    await dsr('erasure', phone);

    // WHEN the waiting rectification is re-queued and carried out
    now = new Date(START.getTime() + 5 * 60_000);
    await getDsr(requestId);
    await server.dsrQueue.idle();

    // THEN it is rejected, and its changes are gone
    expect((await getDsr(requestId)).data?.status).toBe('rejected');
    const stored = await storedRequest(requestId);
    expect(stored).toMatchObject({
      rejectionReason: expect.stringMatching(/erased before this rectification/),
    });
    expect(stored).not.toHaveProperty('changes');
  });

  it('keeps the profile and messages of a subscriber under legal hold, and says why', async () => {
    const { phone } = await subscribe();
    await sendMessage(phone, 'Evidence');
    const hold = await server.client().PUT('/v1/subscribers/{phone}/legal-hold', {
      params: { path: { phone } },
      body: { reason: 'Litigation 2026-17' },
    });
    expect(hold.response.status).toBe(200);

    const { view } = await dsr('erasure', phone);

    expect(view.data?.result?.retained.map((r) => r.category)).toEqual([
      'consentProof',
      'optOutSuppression',
      'subscriberProfile',
      'messageTraffic',
    ]);
    expect((await profileOf(phone)).response.status).toBe(200);
    expect(containsMessageBodies(await exportOf(phone))).toBe(true);
  });
});

describe('rectification, restriction and objection', () => {
  it('rectification applies the validated changes to the profile', async () => {
    const { phone } = await subscribe();

    const { view } = await dsr('rectification', phone, {
      changes: { locale: 'fr-FR', timeZone: 'Europe/Paris', topics: [] },
    });

    expect(view.data?.status).toBe('completed');
    expect((await profileOf(phone)).data).toMatchObject({
      locale: 'fr-FR',
      timeZone: 'Europe/Paris',
      topics: [],
    });
  });

  it('rejects a rectification of a subject that has no profile, and changes nothing', async () => {
    const phone = randomPhone();

    const { view } = await dsr('rectification', phone, { changes: { locale: 'de' } });

    expect(view.data).toMatchObject({ status: 'rejected', completedAt: START.toISOString() });
    expect((await profileOf(phone)).response.status).toBe(404);
  });

  it('restriction keeps the data but marks the profile restricted, so sends are refused', async () => {
    const { phone } = await subscribe();

    const { view } = await dsr('restriction', phone);

    expect(view.data?.status).toBe('completed');
    expect((await profileOf(phone)).data).toMatchObject({ status: 'restricted', phone });
    const refused = await sendMessage(phone, 'Your order has shipped');
    expect(refused.response.status).toBe(422);
    expect(refused.error?.type).toBe('urn:optline:problem:processing-restricted');
  });

  it('objection is a marketing opt-out: the number is suppressed and recorded in the ledger', async () => {
    const { phone } = await subscribe();

    const { view } = await dsr('objection', phone);

    expect(view.data?.status).toBe('completed');
    expect((await optOutStateOf(phone)).data).toMatchObject({ suppressed: true, scopes: ['all'] });
    const refused = await sendMessage(phone, 'Spring sale', 'marketing');
    expect(refused.error?.type).toBe('urn:optline:problem:recipient-opted-out');
    const doc = await exportOf(phone);
    expect(doc.consentLedger.map((e: { type: string; source: string }) => [e.type, e.source])).toEqual([
      ['opt_in', 'api'],
      ['opt_out', 'api'],
    ]);
  });
});

describe('POST /v1/dsr/{id}/extend', () => {
  it('extends a GDPR request once, to 2 months from receipt, and refuses a second extension with 409', async () => {
    const { phone } = await subscribe();
    failEnqueues = 1; // keep it open
    const accepted = await createDsr({ type: 'erasure', phone, verification });
    const requestId = accepted.data!.requestId;

    now = new Date(START.getTime() + 86_400_000);
    const extended = await extendDsr(requestId, 'Large volume of data');
    const again = await extendDsr(requestId, 'Still more');

    expect(extended.response.status).toBe(200);
    expect(extended.data).toEqual({ extendedUntil: '2027-01-24T12:00:00.000Z' });
    expect(again.response.status).toBe(409);
    expect(again.response.headers.get('content-type')).toBe('application/problem+json');
    expect(again.error?.type).toBe('urn:optline:problem:conflict');
    const view = await getDsr(requestId);
    expect(view.data).toMatchObject({
      dueAt: '2026-12-24T12:00:00.000Z',
      extendedUntil: '2027-01-24T12:00:00.000Z',
    });
    await server.dsrQueue.idle();
  });

  it('refuses to extend a completed request with 409', async () => {
    const { phone } = await subscribe();
    const { requestId } = await dsr('restriction', phone);

    const response = await extendDsr(requestId, 'late');

    expect(response.response.status).toBe(409);
  });
});

describe('tenant isolation', () => {
  it("answers another tenant's request id with 404, on GET and on extend", async () => {
    const { phone } = await subscribe();
    const { requestId } = await dsr('access', phone);

    const get = await getDsr(requestId, 'acme');
    const extend = await extendDsr(requestId, 'x', 'acme');

    expect(get.response.status).toBe(404);
    expect(get.error?.type).toBe('urn:optline:problem:not-found');
    expect(extend.response.status).toBe(404);
    expect((await getDsr(randomUUID())).response.status).toBe(404);
    expect((await getDsr('not-an-id')).response.status).toBe(404);
  });

  it("exports only the calling tenant's data for the same number", async () => {
    const { phone } = await subscribe();
    await sendMessage(phone, 'demo only');

    const { view } = await dsr('access', phone, {}, 'acme');
    const doc = exportDocumentSchema.parse((await download(downloadUrlOf(view))).body);

    expect(doc.controller.tenantId).toBe('acme');
    expect(doc.profile).toBeNull();
    expect(doc.messages).toEqual([]);
  });
});

describe('crash safety and redelivery', () => {
  it('re-queues a request that never reached the queue when it is read after 5 minutes', async () => {
    const { phone } = await subscribe();
    failEnqueues = 1;
    const accepted = await createDsr({ type: 'restriction', phone, verification });
    expect(accepted.response.status).toBe(202);
    await server.dsrQueue.idle();
    const requestId = accepted.data!.requestId;
    expect((await getDsr(requestId)).data?.status).toBe('received');

    now = new Date(START.getTime() + 5 * 60_000);
    await getDsr(requestId);
    await server.dsrQueue.idle();

    expect((await getDsr(requestId)).data?.status).toBe('completed');
  });

  it('counts the opt-out of an objection whose first run recorded it but could not mirror it', async () => {
    const { phone } = await subscribe();
    optOutList.failures = 1;

    const { requestId } = await dsr('objection', phone);

    expect((await storedRequest(requestId))?.result.counts).toEqual({ optOutsRecorded: 1 });
    expect(optOutList.has(phone)).toBe(true);
    expect(server.dsrQueue.deadLetters).toEqual([]);
  });

  it('handles a redelivered message once: no second completion, no second audit entry', async () => {
    const { phone, subjectId } = await subscribe();
    const { requestId } = await dsr('objection', phone);

    await server.dsrQueue.enqueue({ tenantId: 'demo', requestId });
    await server.dsrQueue.enqueue({ tenantId: 'demo', requestId });
    await server.dsrQueue.idle();

    const entries = (await auditEntries()).filter((e) => e.requestId === requestId);
    expect(entries.map((e) => e.action).sort()).toEqual(['dsr_completed', 'dsr_received', 'dsr_started']);
    const ledger = await db.send(
      new QueryCommand({
        TableName: `${server.tablePrefix}ConsentLedger`,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `T#demo#S#${subjectId}` },
      }),
    );
    expect(ledger.Items?.filter((e) => e.type === 'opt_out')).toHaveLength(1);
    expect(server.dsrQueue.deadLetters).toEqual([]);
  });
});

describe('audit', () => {
  it('records every state change with ids, actions and counts, never a phone number', async () => {
    const { phone, subjectId } = await subscribe();
    const accepted = await createDsr({ type: 'access', phone, verification });
    const requestId = accepted.data!.requestId;
    await extendDsr(requestId, 'Complex request');
    await server.dsrQueue.idle();

    const entries = (await auditEntries()).filter((e) => e.requestId === requestId);

    expect(entries.map((e) => [e.action, e.actor, e.outcome]).sort()).toEqual([
      ['dsr_completed', 'dsr-worker', 'completed'],
      ['dsr_extended', 'api', 'extended'],
      ['dsr_received', 'api', 'received'],
      ['dsr_started', 'dsr-worker', 'in_progress'],
    ]);
    for (const entry of entries) expect(entry).toMatchObject({ tenantId: 'demo', subjectId });
    expect(entries.find((e) => e.action === 'dsr_completed')?.counts).toMatchObject({ consentEvents: 1 });
    expect(JSON.stringify(entries)).not.toContain(phone.slice(1));
  });
});

describe('bad input', () => {
  let before: Record<string, unknown[]>;
  beforeAll(async () => {
    await server.dsrQueue.idle();
    before = await server.snapshot();
  });

  it.each([
    ['an unknown type', { type: 'deletion', phone: '+447400123456', verification }],
    ['no type', { phone: '+447400123456', verification }],
    ['no verification', { type: 'access', phone: '+447400123456' }],
    [
      'an empty verification reference',
      { type: 'access', phone: '+447400123456', verification: { method: 'email', reference: ' ' } },
    ],
    [
      'an unknown verification method',
      { type: 'access', phone: '+447400123456', verification: { method: 'fax', reference: 'x' } },
    ],
    ['an invalid phone number', { type: 'access', phone: '12', verification }],
    ['a phone number that is no number', { type: 'access', phone: '+44 1', verification }],
    [
      'changes on an access request',
      { type: 'access', phone: '+447400123456', verification, changes: { locale: 'de' } },
    ],
    ['a rectification without changes', { type: 'rectification', phone: '+447400123456', verification }],
    [
      'a rectification of the phone number',
      { type: 'rectification', phone: '+447400123456', verification, changes: { phone: '+447400000000' } },
    ],
    ['an unknown field', { type: 'access', phone: '+447400123456', verification, extra: true }],
  ])('refuses %s with 400 problem+json', async (_label, body) => {
    const response = await server.request('POST', '/v1/dsr', { body });

    expect(response.status).toBe(400);
    expect(response.contentType).toBe('application/problem+json');
    expect(response.body).toMatchObject({
      type: 'urn:optline:problem:invalid-input',
      errors: expect.any(Array),
    });
    expect(response.body.errors.length).toBeGreaterThan(0);
  });

  it('refuses malformed JSON with 400 and an extension without a reason with 400', async () => {
    const malformed = await server.request('POST', '/v1/dsr', { rawBody: '{"type":"access",' });
    const noReason = await server.request('POST', `/v1/dsr/${randomUUID()}/extend`, {
      body: { reason: '  ' },
    });

    expect(malformed.status).toBe(400);
    expect(malformed.body.type).toBe('urn:optline:problem:invalid-input');
    expect(noReason.status).toBe(400);
  });

  it('refuses a request without credentials with 401', async () => {
    const response = await server.request('POST', '/v1/dsr', {
      as: null,
      body: { type: 'access', phone: '+447400123456', verification },
    });
    expect(response.status).toBe(401);
  });

  it('stored nothing for any of them', async () => {
    await server.dsrQueue.idle();
    expect(await server.snapshot()).toEqual(before);
  });
});

describe('the us cell', () => {
  let us: TestServer;
  beforeAll(async () => {
    // A queue that never delivers keeps the request open, so it can be extended.
    us = await startTestServer({
      cell: 'us',
      clock: () => START,
      wrapDsrQueue: () => ({ enqueue: async () => {} }),
    });
  });
  afterAll(() => us.close());

  it('sets the CCPA deadline of 45 days, extended once by 45 more', async () => {
    const api = us.client();
    const accepted = await api.POST('/v1/dsr', {
      body: { type: 'access', phone: '+12025550123', verification },
    });
    expect(accepted.data?.dueAt).toBe('2027-01-08T12:00:00.000Z');

    const extended = await api.POST('/v1/dsr/{id}/extend', {
      params: { path: { id: accepted.data!.requestId } },
      body: { reason: 'Verification pending' },
    });
    expect(extended.response.status).toBe(200);
    expect(extended.data?.extendedUntil).toBe('2027-02-22T12:00:00.000Z');
  });
});
