import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { InMemoryProviderOptOutList } from '../../lambdas/adapters/optout-list/in-memory-provider-optout-list';
import { doubleOptInRequest, optInConfirmation } from '../../lambdas/domain/replies';
import { LOCAL_TENANTS } from '../../local/tenants';
import { testDocumentClient } from './harness/dynamo';
import { encodePhone, randomPhone, startTestServer, type TestServer } from './harness/local-server';

const db = testDocumentClient();
const demo = LOCAL_TENANTS.find((t) => t.tenantId === 'demo')!;
const DAY_MS = 86_400_000;
let now = new Date('2026-11-24T12:00:00Z');
const clock = () => now;
const provider = new InMemoryProviderOptOutList(clock);
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ clock, providerOptOuts: provider });
});
afterAll(async () => {
  await server.close();
  db.destroy();
});
beforeEach(() => {
  now = new Date('2026-11-24T12:00:00Z');
});

const tick = (ms = 60_000) => {
  now = new Date(now.getTime() + ms);
};

const subscribe = async (phone = randomPhone(), extra: Record<string, unknown> = {}) =>
  server.request('POST', '/v1/subscribers', {
    body: { phone, consent: { source: 'web_form', noticeVersion: 'v2' }, ...extra },
  });
const inbound = (from: string, body: string) =>
  server.request('POST', '/_local/inbound', { as: null, body: { from, body } });
const optOutState = (phone: string) => server.request('GET', `/v1/opt-outs/${encodePhone(phone)}`);
const runJob = (name: string, at: Date) =>
  server.request('POST', `/_local/jobs/${name}`, { as: null, body: { now: at.toISOString() } });

const query = async (table: string, pk: string) =>
  (
    await db.send(
      new QueryCommand({
        TableName: `${server.tablePrefix}${table}`,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
      }),
    )
  ).Items ?? [];
const ledgerTypes = async (subjectId: string) =>
  (await query('ConsentLedger', `T#demo#S#${subjectId}`)).map((event) => event.type as string);
const consentState = async (subjectId: string) =>
  (await query('Suppressions', 'T#demo')).find((item) => item.sk === `C#${subjectId}`);
const outboxFor = async (phone: string) =>
  ((await server.request('GET', '/_local/outbox', { as: null })).body as Array<{ to: string; body: string }>)
    .filter((entry) => entry.to === phone)
    .map((entry) => entry.body);

/** The ledger's last event agrees with the suppression, and the head names that last event. */
async function expectConsistent(phone: string, subjectId: string): Promise<void> {
  const events = await query('ConsentLedger', `T#demo#S#${subjectId}`);
  const suppressed = (await optOutState(phone)).body.suppressed as boolean;
  expect({ suppressed, last: events.at(-1)?.type }).toEqual({
    suppressed: events.at(-1)?.type === 'opt_out',
    last: events.at(-1)?.type,
  });
  expect((await consentState(subjectId))?.head).toBe(events.at(-1)?.sk);
}

describe('a STOP racing a concurrent (re-)subscribe', () => {
  // The clock stands still during each race, so only the consent head can order events that commit together.
  it.each([1, 2, 3, 4, 5, 6])(
    'ends consistent when a first subscribe and a STOP arrive together (round %i)',
    async () => {
      const phone = randomPhone();

      const [created, stopped] = await Promise.all([subscribe(phone), inbound(phone, 'STOP')]);

      expect([created.status, stopped.status]).toEqual([201, 200]);
      await expectConsistent(phone, created.body.subscriberId as string);
    },
  );

  it.each([1, 2, 3, 4, 5, 6])(
    'ends consistent when a re-subscribe, a START and a STOP arrive together (round %i)',
    async () => {
      const phone = randomPhone();
      const subjectId = (await subscribe(phone)).body.subscriberId as string;
      tick();
      await inbound(phone, 'STOP');
      tick();

      const results = await Promise.all([subscribe(phone), inbound(phone, 'START'), inbound(phone, 'STOP')]);

      expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
      await expectConsistent(phone, subjectId);
    },
  );

  it.each([1, 2, 3, 4, 5, 6])(
    'ends consistent when a double opt-in YES and a STOP arrive together (round %i)',
    async () => {
      const phone = randomPhone();
      const subjectId = (await subscribe(phone, { doubleOptIn: true })).body.subscriberId as string;
      tick();

      await Promise.all([inbound(phone, 'YES'), inbound(phone, 'STOP')]);

      await expectConsistent(phone, subjectId);
    },
  );
});

describe('provider opt-out lists', () => {
  it('mirrors a STOP to the provider list and removes the number again on START', async () => {
    const phone = randomPhone();
    await subscribe(phone);
    tick();

    await inbound(phone, 'STOP');
    expect(provider.has(phone)).toBe(true);
    tick();
    await inbound(phone, 'START');

    expect(provider.has(phone)).toBe(false);
    const subjectId = (await subscribe(phone)).body.subscriberId as string;
    expect((await consentState(subjectId))?.providerRemoval).toBeUndefined();
  });

  it('mirrors an opt-out through the API too', async () => {
    const phone = randomPhone();

    const recorded = await server.request('POST', '/v1/opt-outs', { body: { phone } });

    expect(recorded.status).toBe(200);
    expect(provider.has(phone)).toBe(true);
  });

  it('records a refused removal without changing consent, and the reconcile job retries it after 30 days', async () => {
    const phone = randomPhone();
    const subjectId = (await subscribe(phone)).body.subscriberId as string;
    tick();
    await inbound(phone, 'STOP');
    tick();
    await inbound(phone, 'START');
    tick();
    await inbound(phone, 'STOP');
    tick();

    // WHEN the subscriber opts back in again within 30 days of the first removal
    const again = await inbound(phone, 'START');

    // THEN our own state says opted in, and the refusal is kept for a retry
    expect(again.body).toEqual({ action: 'opted_in' });
    expect((await optOutState(phone)).body.suppressed).toBe(false);
    expect(provider.has(phone)).toBe(true);
    const pending = (await consentState(subjectId))?.providerRemoval;
    expect(pending).toMatchObject({ attempts: 1, lastRefusal: 'end-user-messaging:ValidationException' });
    expect(JSON.stringify(pending)).not.toContain(phone.slice(1));

    // AND the reconcile job neither re-imports the listed number nor succeeds before 30 days have passed
    const early = await runJob('optout-reconcile', new Date(now.getTime() + DAY_MS));
    expect(early.status).toBe(200);
    expect((await optOutState(phone)).body.suppressed).toBe(false);
    expect((await consentState(subjectId))?.providerRemoval).toMatchObject({ attempts: 2 });

    now = new Date(now.getTime() + 31 * DAY_MS);
    const later = await runJob('optout-reconcile', now);

    expect(later.body.summary.complete).toBe(true);
    expect(later.body.summary.removalsRetried).toBeGreaterThanOrEqual(1);
    expect(provider.has(phone)).toBe(false);
    expect((await consentState(subjectId))?.providerRemoval).toBeUndefined();
    expect((await optOutState(phone)).body.suppressed).toBe(false);
  });

  it('drops a pending removal when the subscriber opts out again, so the reconcile job leaves the number listed', async () => {
    // GIVEN a subscriber whose second START left a refused provider removal pending
    const phone = randomPhone();
    const subjectId = (await subscribe(phone)).body.subscriberId as string;
    for (const keyword of ['STOP', 'START', 'STOP', 'START']) {
      tick();
      await inbound(phone, keyword);
    }
    expect((await consentState(subjectId))?.providerRemoval).toMatchObject({ attempts: 1 });
    tick();

    // WHEN the subscriber opts out again
    await inbound(phone, 'STOP');

    // THEN nothing is pending any more, and a reconcile run past the 30 days keeps the number on the list
    expect((await consentState(subjectId))?.providerRemoval).toBeUndefined();
    now = new Date(now.getTime() + 31 * DAY_MS);
    const run = await runJob('optout-reconcile', now);
    expect(run.status).toBe(200);
    expect(run.body.summary.removalsRetried).toBe(0);
    expect(provider.has(phone)).toBe(true);
    expect((await optOutState(phone)).body.suppressed).toBe(true);
  });
  it('keeps a STOP listed when it commits and mirrors while an earlier START is still taking the number off', async () => {
    // GIVEN an opted-out subscriber
    const phone = randomPhone();
    const subjectId = (await subscribe(phone)).body.subscriberId as string;
    tick();
    await inbound(phone, 'STOP');
    tick();
    // AND a START whose provider removal runs only after a new STOP has committed and listed the number
    const remove = provider.remove.bind(provider);
    provider.remove = async (e164) => {
      provider.remove = remove;
      tick();
      expect((await inbound(phone, 'STOP')).body).toEqual({ action: 'opted_out' });
      expect(provider.has(phone)).toBe(true);
      return remove(e164);
    };
    try {
      // WHEN the START finishes: the STOP after it has the last word, so it sends no opt-in confirmation
      expect((await inbound(phone, 'START')).body).toEqual({ action: 'none' });
    } finally {
      provider.remove = remove;
    }

    // THEN the later STOP stands, in optline and on the provider list, with no removal pending
    expect((await optOutState(phone)).body.suppressed).toBe(true);
    expect(provider.has(phone)).toBe(true);
    expect((await consentState(subjectId))?.providerRemoval).toBeUndefined();
    await expectConsistent(phone, subjectId);
    expect(await outboxFor(phone)).not.toContain(optInConfirmation(demo.brand, undefined));
  });
});

describe('the optout-reconcile job', () => {
  it('imports a carrier opt-out of a known subscriber as provider_reconcile, once, and ignores unknown numbers', async () => {
    const phone = randomPhone();
    const stranger = randomPhone();
    const subjectId = (await subscribe(phone)).body.subscriberId as string;
    provider.seed(phone, 'sns');
    provider.seed(stranger);
    tick();

    const first = await runJob('optout-reconcile', now);
    const before = await server.snapshot();
    const second = await runJob('optout-reconcile', now);

    expect(first.status).toBe(200);
    expect(first.body.job).toBe('optout-reconcile');
    expect(first.body.summary.imported).toBeGreaterThanOrEqual(1);
    expect(second.body.summary.imported).toBe(0);
    expect(await server.snapshot()).toEqual(before);
    const suppression = (await query('Suppressions', 'T#demo')).find((i) => i.sk === `S#${subjectId}#all`);
    expect(suppression).toMatchObject({ source: 'provider_reconcile' });
    expect((await ledgerTypes(subjectId)).at(-1)).toBe('opt_out');
    expect((await optOutState(stranger)).body.suppressed).toBe(false);
    // An import sends nothing: the subscriber never wrote to us.
    expect(await outboxFor(phone)).toEqual([]);
  });

  it('answers 404 for an unknown job and 400 for a malformed clock, running nothing', async () => {
    const unknown = await server.request('POST', '/_local/jobs/nothing', { as: null, body: {} });
    const malformed = await server.request('POST', '/_local/jobs/optout-reconcile', {
      as: null,
      body: { now: 'tomorrow' },
    });

    expect(unknown.status).toBe(404);
    expect(malformed.status).toBe(400);
    expect(malformed.contentType).toBe('application/problem+json');
  });
});

describe('double opt-in', () => {
  it('sends one "reply YES" request, again on a retried subscribe while pending, and confirms on YES', async () => {
    const phone = randomPhone();

    const created = await subscribe(phone, { doubleOptIn: true, locale: 'fr-FR' });
    const retried = await subscribe(phone, { doubleOptIn: true, locale: 'fr-FR' });

    expect(created.status).toBe(201);
    expect(created.body.status).toBe('pending_confirmation');
    expect(retried.status).toBe(200);
    const request = doubleOptInRequest(demo.brand, 'fr-FR');
    expect(await outboxFor(phone)).toEqual([request, request]);

    tick();
    const answered = await inbound(phone, 'OUI');

    expect(answered.body).toEqual({ action: 'opted_in' });
    expect((await outboxFor(phone)).at(-1)).toBe(optInConfirmation(demo.brand, 'fr-FR'));
    const profile = await server.request('GET', `/v1/subscribers/${encodePhone(phone)}`);
    expect(profile.body.status).toBe('active');
  });

  it('sends no request to a number that did not ask for double opt-in', async () => {
    const phone = randomPhone();

    await subscribe(phone);

    expect(await outboxFor(phone)).toEqual([]);
  });
});

describe('re-subscribing through the API', () => {
  it('lifts an opt-out with the new consent as re_opt_in, keeping the evidence', async () => {
    const phone = randomPhone();
    const subjectId = (await subscribe(phone)).body.subscriberId as string;
    tick();
    await inbound(phone, 'STOP');
    tick();

    const again = await subscribe(phone);

    expect(again.status).toBe(200);
    expect((await optOutState(phone)).body.suppressed).toBe(false);
    const events = await query('ConsentLedger', `T#demo#S#${subjectId}`);
    expect(events.map((e) => e.type)).toEqual(['opt_in', 'opt_out', 're_opt_in']);
    expect(events.at(-1)).toMatchObject({ source: 'web_form', evidence: { noticeVersion: 'v2' } });
  });

  it('keeps an opt-out recorded after the consent an import carries, as proof only', async () => {
    const phone = randomPhone();
    await server.request('POST', '/v1/opt-outs', { body: { phone } });

    const imported = await subscribe(phone, {
      consent: { source: 'import', noticeVersion: 'v1', capturedAt: '2026-01-01T00:00:00Z' },
    });

    expect(imported.status).toBe(201);
    expect((await optOutState(phone)).body.suppressed).toBe(true);
    const subjectId = imported.body.subscriberId as string;
    expect(await ledgerTypes(subjectId)).toEqual(['opt_in', 'opt_out']);
  });

  it('keeps a known subscriber opted out against consent captured before the STOP, and lifts it with later consent', async () => {
    const phone = randomPhone();
    const subjectId = (await subscribe(phone)).body.subscriberId as string;
    tick();
    await inbound(phone, 'STOP');
    const stoppedAt = now.getTime();
    tick();
    const withConsentAt = (at: number) =>
      subscribe(phone, {
        consent: { source: 'import', noticeVersion: 'v1', capturedAt: new Date(at).toISOString() },
      });

    const earlier = await withConsentAt(stoppedAt - 1_000);

    expect(earlier.status).toBe(200);
    expect((await optOutState(phone)).body.suppressed).toBe(true);
    expect(await ledgerTypes(subjectId)).toEqual(['opt_in', 'opt_out']);
    expect(provider.has(phone)).toBe(true);

    const later = await withConsentAt(stoppedAt + 1_000);

    expect(later.status).toBe(200);
    expect((await optOutState(phone)).body.suppressed).toBe(false);
    expect(await ledgerTypes(subjectId)).toEqual(['opt_in', 'opt_out', 're_opt_in']);
    expect(provider.has(phone)).toBe(false);
  });
});
