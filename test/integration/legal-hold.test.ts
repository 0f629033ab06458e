import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PURGE_WATERMARK_KEY } from '../../lambdas/adapters/dynamo/purge-watermark';
import { DynamoSubscriberStore } from '../../lambdas/adapters/dynamo/subscriber-store';
import { expiresAt, purgeDayOf } from '../../lambdas/domain/retention';
import { testDocumentClient } from './harness/dynamo';
import {
  encodePhone,
  randomPhone,
  startTestServer,
  type Tenant,
  type TestServer,
} from './harness/local-server';

const consent = { source: 'web_form', noticeVersion: '2026-01' } as const;
const db = testDocumentClient();
// GIVEN a server whose clock the test sets
let now = new Date('2026-03-10T09:00:00.000Z');
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ clock: () => now });
});
afterAll(async () => {
  await server.close();
  db.destroy();
});

const table = (id: string) => `${server.tablePrefix}${id}`;
const rawSubscriber = async (subjectId: string, tenant = 'demo') =>
  (
    await db.send(
      new GetCommand({
        TableName: table('Subscribers'),
        Key: { pk: `T#${tenant}`, sk: `S#${subjectId}` },
        ConsistentRead: true,
      }),
    )
  ).Item;
const auditEntries = async (day: string, tenant = 'demo') =>
  (
    await db.send(
      new QueryCommand({
        TableName: table('AuditLog'),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `T#${tenant}#D#${day}` },
        ConsistentRead: true,
      }),
    )
  ).Items ?? [];
const inPurgeBucket = async (day: string, subjectId: string) =>
  (
    await db.send(
      new QueryCommand({
        TableName: table('Subscribers'),
        IndexName: 'ByPurgeDay',
        KeyConditionExpression: 'purgeDay = :day',
        ExpressionAttributeValues: { ':day': day },
      }),
    )
  ).Items?.some((item) => item.sk === `S#${subjectId}`) ?? false;

async function subscribe(capturedAt?: string): Promise<{ phone: string; subjectId: string }> {
  const phone = randomPhone();
  const created = await server.client().POST('/v1/subscribers', {
    body: { phone, consent: { ...consent, ...(capturedAt ? { capturedAt } : {}) } },
  });
  expect(created.response.status).toBe(201);
  return { phone, subjectId: created.data!.subscriberId };
}
const hold = (phone: string, reason: string, as: Tenant = 'demo') =>
  server
    .client(as)
    .PUT('/v1/subscribers/{phone}/legal-hold', { params: { path: { phone } }, body: { reason } });
const clearHold = (phone: string, as: Tenant = 'demo') =>
  server.client(as).DELETE('/v1/subscribers/{phone}/legal-hold', { params: { path: { phone } } });
const getProfile = (phone: string) =>
  server.client().GET('/v1/subscribers/{phone}', { params: { path: { phone } } });
/** For requests the document does not allow, which the typed client cannot send. */
const holdPath = (phone: string) => `/v1/subscribers/${encodePhone(phone)}/legal-hold`;

describe('PUT /v1/subscribers/{phone}/legal-hold', () => {
  it('holds the subscriber: no expiresAt, no purgeDay, out of the purge index, with reason, holder and start', async () => {
    const { phone, subjectId } = await subscribe();
    const oldDay = purgeDayOf(expiresAt('subscriberProfile', now));
    expect(await inPurgeBucket(oldDay, subjectId)).toBe(true);

    const held = await hold(phone, 'Case 2026-114');

    expect(held.response.status).toBe(200);
    expect(held.data).toEqual({
      subscriberId: subjectId,
      legalHold: { reason: 'Case 2026-114', heldBy: 'local:demo', since: now.toISOString() },
      expiresAt: null,
    });
    const item = await rawSubscriber(subjectId);
    expect(item).toMatchObject({
      legalHold: { reason: 'Case 2026-114', heldBy: 'local:demo', since: now.toISOString() },
    });
    expect(item).not.toHaveProperty('expiresAt');
    expect(item).not.toHaveProperty('purgeDay');
    expect(await inPurgeBucket(oldDay, subjectId)).toBe(false);
    const profile = await getProfile(phone);
    expect(profile.response.status).toBe(200);
    expect(profile.data?.legalHold).toEqual({ reason: 'Case 2026-114', since: now.toISOString() });
    expect(profile.data).not.toHaveProperty('expiresAt');
  });

  it('audits the hold with the holder, the subject id and the outcome, and never the reason or the number', async () => {
    const { phone, subjectId } = await subscribe();

    await hold(phone, 'Dispute DX-9');
    await hold(phone, 'Dispute DX-9, appeal');

    const entries = (await auditEntries(now.toISOString().slice(0, 10))).filter(
      (e) => e.subjectId === subjectId,
    );
    expect(entries.map((e) => [e.action, e.outcome, e.actor])).toEqual([
      ['legal_hold_set', 'set', 'local:demo'],
      ['legal_hold_set', 'replaced', 'local:demo'],
    ]);
    for (const entry of entries) {
      expect(entry.expiresAt).toBe(expiresAt('auditEvents', now));
      expect(JSON.stringify(entry)).not.toContain('DX-9');
      expect(JSON.stringify(entry)).not.toContain(phone.slice(1));
    }
    expect((await rawSubscriber(subjectId))?.legalHold.reason).toBe('Dispute DX-9, appeal');
  });

  it('refuses a missing, empty or unknown-field body with 400 and changes nothing', async () => {
    const { phone } = await subscribe();
    const before = await server.snapshot();

    for (const body of [{}, { reason: '' }, { reason: '   ' }, { reason: 'x', until: '2030-01-01' }]) {
      const refused = await server.request('PUT', holdPath(phone), { body });
      expect({ status: refused.status, type: refused.body.type }).toEqual({
        status: 400,
        type: 'urn:optline:problem:invalid-input',
      });
    }
    const noBody = await server.request('PUT', holdPath(phone));
    expect(noBody.status).toBe(400);
    const badPhone = await server.request('PUT', holdPath('12'), { body: { reason: 'x' } });
    expect(badPhone.status).toBe(400);
    expect(await server.snapshot()).toEqual(before);
  });

  it("answers 404 for an unknown number and for another tenant's subscriber, storing nothing", async () => {
    const { phone } = await subscribe();
    const before = await server.snapshot();

    const unknown = await hold(randomPhone(), 'x');
    const foreign = await hold(phone, 'x', 'acme');
    const foreignClear = await clearHold(phone, 'acme');

    expect([unknown, foreign, foreignClear].map((answer) => answer.response.status)).toEqual([404, 404, 404]);
    expect(unknown.response.headers.get('content-type')).toBe('application/problem+json');
    expect(unknown.error?.type).toBe('urn:optline:problem:not-found');
    expect(await server.snapshot()).toEqual(before);
  });

  it('answers 404 for a subscriber past its expiry that TTL has not removed yet', async () => {
    const { phone } = await subscribe('2023-03-11T09:00:00.000Z');
    const saved = now;
    now = new Date('2026-03-12T09:00:00.000Z');
    try {
      const refused = await hold(phone, 'too late');
      expect(refused.response.status).toBe(404);
    } finally {
      now = saved;
    }
  });
});

describe('DELETE /v1/subscribers/{phone}/legal-hold', () => {
  it('restores expiresAt and purgeDay from lastInteractionAt, including interactions made while held', async () => {
    const { phone, subjectId } = await subscribe('2025-01-15T10:00:00.000Z');
    await hold(phone, 'Case 7');
    const interaction = await server.client().POST('/v1/subscribers/{phone}/interactions', {
      params: { path: { phone } },
      body: { type: 'click', at: '2026-02-01T12:00:00.000Z' },
    });
    expect(interaction.response.status).toBe(204);
    expect(await rawSubscriber(subjectId)).not.toHaveProperty('expiresAt');

    const cleared = await clearHold(phone);

    expect(cleared.response.status).toBe(204);
    const ttl = expiresAt('subscriberProfile', new Date('2026-02-01T12:00:00.000Z'));
    const item = await rawSubscriber(subjectId);
    expect(item).toMatchObject({
      expiresAt: ttl,
      purgeDay: '2029-02-01',
      lastInteractionAt: '2026-02-01T12:00:00.000Z',
    });
    expect(item).not.toHaveProperty('legalHold');
    expect(await inPurgeBucket('2029-02-01', subjectId)).toBe(true);
    const entries = (await auditEntries(now.toISOString().slice(0, 10))).filter(
      (e) => e.subjectId === subjectId && e.action === 'legal_hold_cleared',
    );
    expect(entries).toEqual([
      expect.objectContaining({ actor: 'local:demo', outcome: 'released', tenantId: 'demo' }),
    ]);
  });

  it('moves the expiry forward for an interaction whose held write finds the hold released meanwhile', async () => {
    const { phone, subjectId } = await subscribe('2025-01-15T10:00:00.000Z');
    await hold(phone, 'Case 8');
    // The hold is released between the interaction's first write (refused: held) and its held write.
    let sends = 0;
    const racing = {
      send: async (command: Parameters<typeof db.send>[0]) => {
        sends += 1;
        if (sends === 2) expect((await clearHold(phone)).response.status).toBe(204);
        return db.send(command);
      },
    } as unknown as DynamoDBDocumentClient;
    const store = new DynamoSubscriberStore(racing, {
      Subscribers: table('Subscribers'),
      ConsentLedger: table('ConsentLedger'),
      Suppressions: table('Suppressions'),
      DailyStats: table('DailyStats'),
    });
    const at = new Date('2026-03-01T12:00:00.000Z');

    const outcome = await store.recordInteraction('demo', subjectId, at, now);

    expect(outcome).toBe('recorded');
    expect(await rawSubscriber(subjectId)).toMatchObject({
      lastInteractionAt: at.toISOString(),
      expiresAt: expiresAt('subscriberProfile', at),
      purgeDay: '2029-03-01',
    });
  });

  it('answers 204 and writes nothing to the subscriber when there is no hold', async () => {
    const { phone, subjectId } = await subscribe();
    const item = await rawSubscriber(subjectId);

    const cleared = await clearHold(phone);

    expect(cleared.response.status).toBe(204);
    expect(await rawSubscriber(subjectId)).toEqual(item);
  });

  it('answers 404 for an unknown number', async () => {
    const response = await clearHold(randomPhone());
    expect(response.response.status).toBe(404);
    expect(response.error?.type).toBe('urn:optline:problem:not-found');
  });

  it('moves the purge watermark back when the restored expiry has already passed, so the purge still finds it', async () => {
    const { phone, subjectId } = await subscribe('2023-04-01T08:00:00.000Z');
    await hold(phone, 'Litigation');
    const saved = now;
    now = new Date('2026-06-01T08:00:00.000Z');
    try {
      const cleared = await clearHold(phone);

      expect(cleared.response.status).toBe(204);
      expect(await rawSubscriber(subjectId)).toMatchObject({ purgeDay: '2026-04-01' });
      expect((await getProfile(phone)).response.status).toBe(404);
      const { Item } = await db.send(
        new GetCommand({ TableName: table('AuditLog'), Key: PURGE_WATERMARK_KEY, ConsistentRead: true }),
      );
      expect(Item?.throughDay).toBe('2026-03-31');
      expect(Item?.expiresAt).toBe(expiresAt('auditEvents', now));
    } finally {
      now = saved;
    }
  });

  it('moves back a watermark that a purge at a later clock has pushed past the restored day', async () => {
    // GIVEN a purge that has walked to 2030 (a run at a later clock), and a held subscriber due in 2029
    const watermark = { TableName: table('AuditLog'), Key: PURGE_WATERMARK_KEY, ConsistentRead: true };
    await db.send(
      new PutCommand({
        TableName: table('AuditLog'),
        Item: { ...PURGE_WATERMARK_KEY, throughDay: '2030-01-01' },
      }),
    );
    const { phone, subjectId } = await subscribe('2026-03-01T08:00:00.000Z');
    await hold(phone, 'Litigation');

    // WHEN the hold is lifted, though the restored expiry is still ahead of the server's clock
    expect((await clearHold(phone)).response.status).toBe(204);

    // THEN the purge walks the restored day again
    expect(await rawSubscriber(subjectId)).toMatchObject({ purgeDay: '2029-03-01' });
    expect((await db.send(new GetCommand(watermark))).Item?.throughDay).toBe('2029-02-28');
  });

  it('leaves a watermark that has not reached the restored day where it is', async () => {
    const watermark = { TableName: table('AuditLog'), Key: PURGE_WATERMARK_KEY, ConsistentRead: true };
    await db.send(
      new PutCommand({
        TableName: table('AuditLog'),
        Item: { ...PURGE_WATERMARK_KEY, throughDay: '2026-03-09' },
      }),
    );
    const { phone } = await subscribe('2026-03-01T08:00:00.000Z');
    await hold(phone, 'Litigation');

    expect((await clearHold(phone)).response.status).toBe(204);

    expect((await db.send(new GetCommand(watermark))).Item?.throughDay).toBe('2026-03-09');
  });
});
