import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoAuditLog } from '../../lambdas/adapters/dynamo/audit-log';
import { DynamoPurgeStore } from '../../lambdas/adapters/dynamo/purge-store';
import { DynamoPurgeWatermark, PURGE_WATERMARK_KEY } from '../../lambdas/adapters/dynamo/purge-watermark';
import { addCalendarMonths } from '../../lambdas/domain/retention';
import { purgeInactiveJob, type PurgeInactiveDeps } from '../../lambdas/jobs/purge-inactive';
import { testDocumentClient } from './harness/dynamo';
import { encodePhone, startTestServer, type TestServer } from './harness/local-server';
import { RetentionFixtures } from './helpers/retention-fixtures';

const db = testDocumentClient();
let now: Date;
let server: TestServer;
let fx: RetentionFixtures;
let deps: PurgeInactiveDeps;

// Every test gets tables of its own: the purge walks whole buckets, across tenants.
beforeEach(async () => {
  now = new Date('2026-01-10T09:00:00.000Z');
  server = await startTestServer({ clock: () => now });
  fx = new RetentionFixtures(server, db);
  const tables = {
    Subscribers: fx.table('Subscribers'),
    MessageLog: fx.table('MessageLog'),
    AuditLog: fx.table('AuditLog'),
  };
  deps = {
    store: new DynamoPurgeStore(db, tables),
    watermark: new DynamoPurgeWatermark(db, tables),
    audit: new DynamoAuditLog(db, tables.AuditLog),
  };
});
afterEach(() => server.close());
afterAll(() => db.destroy());

const months = (from: string, n: number, plusDays = 0) =>
  new Date(addCalendarMonths(new Date(from), n).getTime() + plusDays * 86_400_000);
const run = (at: Date, remainingMs: () => number = () => Number.POSITIVE_INFINITY, extra = {}) =>
  purgeInactiveJob({ ...deps, ...extra })({ now: at, remainingMs });
const watermark = async () =>
  (
    await db.send(
      new GetCommand({ TableName: fx.table('AuditLog'), Key: PURGE_WATERMARK_KEY, ConsistentRead: true }),
    )
  ).Item;

describe('purge-inactive', () => {
  it('purges due profiles with their marketing item and messages, keeps ledger and suppressions, and audits counts per tenant', async () => {
    const due = await fx.subscribe();
    const dueAcme = await fx.subscribe(undefined, 'acme');
    await fx.sendMessages(due, 3);
    await fx.putMarketingItem(due, now);
    await fx.optOutOfTopic(due, 'offers');
    now = new Date('2026-02-20T09:00:00.000Z');
    const later = await fx.subscribe();
    const ledger = await fx.ledger(due);

    now = months('2026-01-10T09:00:00.000Z', 36, 1);
    const summary = await run(now);

    expect(summary).toMatchObject({
      done: true,
      due: 2,
      purged: 2,
      skipped: 0,
      marketingDeleted: 1,
      messagesDeleted: 3,
    });
    expect(await fx.profile(due)).toBeUndefined();
    expect(await fx.profile(dueAcme, 'acme')).toBeUndefined();
    expect(await fx.marketingItem(due)).toBeUndefined();
    expect(await fx.messages(due)).toBe(0);
    expect(await fx.ledger(due)).toBe(ledger);
    expect(await fx.suppressionScopes(due)).toEqual(['offers']);
    expect(await fx.profile(later)).toBeDefined();
    const day = now.toISOString().slice(0, 10);
    expect((await fx.audit(day)).filter((e) => e.action === 'purge_summary')).toEqual([
      expect.objectContaining({
        actor: 'job:purge-inactive',
        outcome: 'completed',
        counts: { purged: 1, skipped: 0, marketingDeleted: 1, messagesDeleted: 3 },
      }),
    ]);
    expect((await fx.audit(day, 'acme')).filter((e) => e.action === 'purge_summary')).toEqual([
      expect.objectContaining({ counts: { purged: 1, skipped: 0, marketingDeleted: 0, messagesDeleted: 0 } }),
    ]);
    expect(JSON.stringify(await fx.audit(day))).not.toContain(due.subjectId);
    expect(await watermark()).toMatchObject({ throughDay: '2029-01-10' });
  });

  it('does no harm when run again: nothing more is deleted and nothing is written', async () => {
    const first = await fx.subscribe();
    now = new Date('2026-01-11T09:00:00.000Z');
    const second = await fx.subscribe();
    now = months('2026-01-10T09:00:00.000Z', 36, 0.5);
    await run(now);
    expect(await fx.profile(first)).toBeUndefined();
    const before = await server.snapshot();

    const again = await run(now);

    expect(again).toMatchObject({ done: true, due: 0, purged: 0, skipped: 0 });
    expect(await server.snapshot()).toEqual(before);
    expect(await fx.profile(second)).toBeDefined();
  });

  it('never purges a subscriber under legal hold, however long it has been inactive', async () => {
    const held = await fx.subscribe();
    const hold = await server.request('PUT', `/v1/subscribers/${encodePhone(held.phone)}/legal-hold`, {
      body: { reason: 'Case 12' },
    });
    expect(hold.status).toBe(200);

    const summary = await run(months('2026-01-10T09:00:00.000Z', 40));

    expect(summary).toMatchObject({ purged: 0, due: 0 });
    expect(await fx.profile(held)).toMatchObject({ legalHold: { reason: 'Case 12' } });
  });

  it('claims nothing that is live or held, even when asked about it directly', async () => {
    const live = await fx.subscribe();
    const held = await fx.subscribe();
    await server.request('PUT', `/v1/subscribers/${encodePhone(held.phone)}/legal-hold`, {
      body: { reason: 'x' },
    });
    const later = months('2026-01-10T09:00:00.000Z', 37);

    expect(await deps.store.claim({ tenantId: 'demo', subjectId: live.subjectId }, now)).toBe(false);
    expect(await deps.store.claim({ tenantId: 'demo', subjectId: held.subjectId }, later)).toBe(false);
    expect(await deps.store.remove({ tenantId: 'demo', subjectId: held.subjectId }, later)).toBe(false);
    expect(await fx.profile(live)).not.toHaveProperty('purgeClaimedAt');
    expect(await fx.profile(held)).toBeDefined();
  });

  it('completes a purge that stopped after its cascade: the next run deletes the claimed profile', async () => {
    const f = await fx.subscribe();
    await fx.sendMessages(f, 2);
    const at = months('2026-01-10T09:00:00.000Z', 36, 2);
    const subscriber = { tenantId: 'demo', subjectId: f.subjectId };
    expect(await deps.store.claim(subscriber, at)).toBe(true);
    expect(await deps.store.cascade(subscriber, at)).toEqual({ marketingDeleted: 0, messagesDeleted: 2 });
    expect(await fx.profile(f)).toBeDefined();

    const summary = await run(at);

    expect(summary).toMatchObject({ purged: 1, messagesDeleted: 0 });
    expect(await fx.profile(f)).toBeUndefined();
  });

  it('leaves alone a subscription that replaced a profile after the purge claimed it, and takes what the old one left', async () => {
    const f = await fx.subscribe();
    await fx.sendMessages(f, 2);
    await fx.putMarketingItem(f, now);
    const at = months('2026-01-10T09:00:00.000Z', 36, 2);
    // The subject subscribes again, and gets a message and a marketing item, between the claim and the cascade.
    const resubscribingStore: PurgeInactiveDeps['store'] = {
      due: (day, when, cursor) => deps.store.due(day, when, cursor),
      claim: async (subscriber, when) => {
        const claimed = await deps.store.claim(subscriber, when);
        now = new Date(at.getTime() + 60_000);
        await fx.resubscribeWithData(f, now);
        return claimed;
      },
      cascade: (subscriber, endedAt) => deps.store.cascade(subscriber, endedAt),
      remove: (subscriber, when) => deps.store.remove(subscriber, when),
      leaveAudiences: (subscriber) => deps.store.leaveAudiences(subscriber),
      hasLiveProfile: (subscriber, when) => deps.store.hasLiveProfile(subscriber, when),
    };

    const summary = await run(at, undefined, { store: resubscribingStore });

    expect(summary).toMatchObject({ due: 1, purged: 0, skipped: 1, marketingDeleted: 0, messagesDeleted: 2 });
    expect(await fx.profile(f)).toMatchObject({ status: 'active' });
    expect(await fx.profile(f)).not.toHaveProperty('purgeClaimedAt');
    expect(await fx.messages(f)).toBe(1);
    expect(await fx.marketingItem(f)).toMatchObject({ updatedAt: now.toISOString() });
  });

  it('stops before its time runs out and finishes a backlog of many days in the next invocations', async () => {
    const subscribers = [];
    for (let day = 0; day < 12; day += 1) {
      now = new Date(Date.parse('2026-01-10T09:00:00.000Z') + day * 86_400_000);
      subscribers.push(await fx.subscribe());
    }
    await deps.watermark.advance(undefined, '2029-01-08', now);
    const at = months('2026-01-10T09:00:00.000Z', 36, 20);
    // Each run may take four pages before the clock says stop.
    const budget = () => {
      let pages = 0;
      return () => (pages++ < 4 ? 60_000 : 1_000);
    };

    const first = await run(at, budget());

    expect(first).toMatchObject({ done: false });
    expect(Number(first.purged)).toBeGreaterThan(0);
    expect(Number(first.purged)).toBeLessThan(12);
    const stoppedAt = (await watermark())?.throughDay as string;
    expect(stoppedAt >= '2029-01-11' && stoppedAt < '2029-01-21').toBe(true);
    expect((await fx.audit(at.toISOString().slice(0, 10))).at(-1)).toMatchObject({ outcome: 'continues' });

    let total = Number(first.purged);
    let last = first;
    for (let hop = 0; hop < 10 && last.done === false; hop += 1) {
      last = await run(at, budget());
      total += Number(last.purged);
    }

    expect(last.done).toBe(true);
    expect(total).toBe(12);
    for (const f of subscribers) expect(await fx.profile(f)).toBeUndefined();
    expect((await watermark())?.throughDay).toBe('2029-01-29');
  });

  it('starts a first run 30 days back and walks again a bucket a hold release moved the watermark behind', async () => {
    now = new Date('2023-05-01T08:00:00.000Z');
    const released = await fx.subscribe();
    await server.request('PUT', `/v1/subscribers/${encodePhone(released.phone)}/legal-hold`, {
      body: { reason: 'Case 3' },
    });
    const at = new Date('2026-07-01T08:00:00.000Z');

    const first = await run(at);
    expect(first).toMatchObject({ days: 31, purged: 0, throughDay: '2026-06-30' });

    now = at;
    expect(
      (await server.request('DELETE', `/v1/subscribers/${encodePhone(released.phone)}/legal-hold`)).status,
    ).toBe(204);
    expect((await watermark())?.throughDay).toBe('2026-04-30');

    const next = await run(new Date('2026-07-01T10:00:00.000Z'));

    expect(next).toMatchObject({ purged: 1, throughDay: '2026-06-30' });
    expect(await fx.profile(released)).toBeUndefined();
  });

  it('restarts from a watermark rewound while it ran, instead of overwriting it', async () => {
    await deps.watermark.advance(undefined, '2026-06-20', now);
    await deps.watermark.rewindTo('2026-06-10', now);
    // A run that read the watermark before the rewind cannot move it on.
    expect(await deps.watermark.advance('2026-06-20', '2026-06-21', now)).toBe(false);
    expect((await watermark())?.throughDay).toBe('2026-06-09');
    await db.send(new DeleteCommand({ TableName: fx.table('AuditLog'), Key: PURGE_WATERMARK_KEY }));
    expect(await deps.watermark.read(now)).toBeUndefined();
  });
});
