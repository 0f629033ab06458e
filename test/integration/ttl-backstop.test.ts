import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { DynamoAuditLog } from '../../lambdas/adapters/dynamo/audit-log';
import { DynamoPurgeStore } from '../../lambdas/adapters/dynamo/purge-store';
import { ttlBackstopHandler, type TtlBackstopDeps } from '../../lambdas/api/ttl-backstop';
import type { PurgeStore } from '../../lambdas/domain/purge';
import { testDocumentClient } from './harness/dynamo';
import { startTestServer, type TestServer } from './harness/local-server';
import { RetentionFixtures, type Fixture } from './helpers/retention-fixtures';

const db = testDocumentClient();
const START = new Date('2026-05-04T10:00:00.000Z');
let now = START;
let server: TestServer;
let fx: RetentionFixtures;
let store: PurgeStore;

beforeAll(async () => {
  server = await startTestServer({ clock: () => now });
  fx = new RetentionFixtures(server, db);
  store = new DynamoPurgeStore(db, {
    Subscribers: fx.table('Subscribers'),
    MessageLog: fx.table('MessageLog'),
  });
});
afterAll(async () => {
  await server.close();
  db.destroy();
});
beforeEach(() => {
  now = START;
});

const silent = { info: () => undefined, warn: () => undefined };
const backstop = (overrides: Partial<TtlBackstopDeps> = {}) =>
  ttlBackstopHandler({
    store,
    audit: new DynamoAuditLog(db, fx.table('AuditLog')),
    clock: () => now,
    logger: silent,
    ...overrides,
  });

let sequence = 1000;
/** A stream record as DynamoDB sends it for a KEYS_ONLY stream; TTL deletes carry the service identity. */
function removeRecord(
  keys: { pk: string; sk: string },
  by: 'ttl' | 'user' = 'ttl',
  eventName: 'REMOVE' | 'MODIFY' = 'REMOVE',
  deletedAt: Date = now,
): DynamoDBRecord {
  sequence += 1;
  return {
    eventID: `e${sequence}`,
    eventName,
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-1',
    dynamodb: {
      // Whole seconds, as DynamoDB Streams reports it by default.
      ApproximateCreationDateTime: Math.floor(deletedAt.getTime() / 1000),
      Keys: marshall(keys) as NonNullable<DynamoDBRecord['dynamodb']>['Keys'],
      SequenceNumber: String(sequence),
      StreamViewType: 'KEYS_ONLY',
    },
    ...(by === 'ttl' ? { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } } : {}),
  };
}
const event = (...records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });
const profileKey = (f: Fixture, tenant = 'demo') => ({ pk: `T#${tenant}`, sk: `S#${f.subjectId}` });

/** What DynamoDB TTL does before the record reaches the stream: the profile item is gone. */
async function ttlDelete(f: Fixture, tenant = 'demo'): Promise<void> {
  await db.send(new DeleteCommand({ TableName: fx.table('Subscribers'), Key: profileKey(f, tenant) }));
}

async function subscriberWithData(): Promise<Fixture> {
  const f = await fx.subscribe('2023-06-01T08:00:00.000Z');
  await fx.sendMessages(f, 2);
  await fx.putMarketingItem(f, now);
  await fx.optOutOfTopic(f, 'offers');
  // TTL deletes the profile some time after all this was written.
  now = new Date(now.getTime() + 1_000);
  return f;
}

describe('the TTL backstop', () => {
  it('cascades a TTL delete to the marketing item and the MessageLog, keeps ledger and suppressions, and audits counts', async () => {
    const f = await subscriberWithData();
    expect(await fx.messages(f)).toBe(2);
    const ledgerBefore = await fx.ledger(f);
    await ttlDelete(f);

    const response = await backstop()(event(removeRecord(profileKey(f))));

    expect(response.batchItemFailures).toEqual([]);
    expect(await fx.marketingItem(f)).toBeUndefined();
    expect(await fx.messages(f)).toBe(0);
    expect(await fx.ledger(f)).toBe(ledgerBefore);
    expect(ledgerBefore).toBeGreaterThanOrEqual(2);
    expect(await fx.suppressionScopes(f)).toEqual(['offers']);
    const entries = (await fx.audit('2026-05-04')).filter((e) => e.action === 'ttl_cascade');
    expect(entries.at(-1)).toMatchObject({
      actor: 'ttl-backstop',
      outcome: 'completed',
      counts: { profiles: 1, resubscribed: 0, marketingDeleted: 1, messagesDeleted: 2 },
    });
    expect(JSON.stringify(entries)).not.toContain(f.subjectId);
    expect(JSON.stringify(entries)).not.toContain(f.phone.slice(1));
  });

  it('ignores deletes made by anyone but TTL, other event types, and the marketing item expiring on its own', async () => {
    const f = await subscriberWithData();
    const audited = (await fx.audit('2026-05-04')).length;

    const response = await backstop()(
      event(
        removeRecord(profileKey(f), 'user'),
        removeRecord(profileKey(f), 'ttl', 'MODIFY'),
        removeRecord({ pk: 'T#demo', sk: `S#${f.subjectId}#MKT` }),
      ),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(await fx.messages(f)).toBe(2);
    expect(await fx.marketingItem(f)).toBeDefined();
    expect((await fx.audit('2026-05-04')).length).toBe(audited);
  });

  it('takes what the old profile left and keeps what a subscription made after the TTL delete wrote', async () => {
    const f = await subscriberWithData();
    const deletedAt = now;
    await ttlDelete(f);
    // Before the stream record arrives, the subject subscribes again and gets a message and a marketing item.
    now = new Date(START.getTime() + 120_000);
    await fx.resubscribeWithData(f, now);

    const response = await backstop()(event(removeRecord(profileKey(f), 'ttl', 'REMOVE', deletedAt)));

    expect(response.batchItemFailures).toEqual([]);
    expect(await fx.messages(f)).toBe(1);
    expect(await fx.marketingItem(f)).toMatchObject({ updatedAt: now.toISOString() });
    expect(await fx.profile(f)).toBeDefined();
    const last = (await fx.audit('2026-05-04')).filter((e) => e.action === 'ttl_cascade').at(-1);
    expect(last).toMatchObject({
      counts: { profiles: 0, resubscribed: 1, marketingDeleted: 0, messagesDeleted: 2 },
    });
  });

  it('reports only the failing record, so the rest of the batch is not retried, and a retry completes it', async () => {
    const ok = await subscriberWithData();
    const failing = await subscriberWithData();
    await ttlDelete(ok);
    await ttlDelete(failing);
    let fail = true;
    const flaky: PurgeStore = {
      ...store,
      hasLiveProfile: (s, at) => store.hasLiveProfile(s, at),
      leaveAudiences: (s) => store.leaveAudiences(s),
      cascade: async (s, endedAt) => {
        if (fail && s.subjectId === failing.subjectId) throw new Error('throttled');
        return store.cascade(s, endedAt);
      },
    };
    const records = [removeRecord(profileKey(ok)), removeRecord(profileKey(failing))];

    const first = await backstop({ store: flaky })(event(...records));

    expect(first.batchItemFailures).toEqual([{ itemIdentifier: records[1]!.dynamodb!.SequenceNumber }]);
    expect(await fx.messages(ok)).toBe(0);
    expect(await fx.messages(failing)).toBe(2);
    fail = false;
    const retry = await backstop({ store: flaky })(event(records[1]!));
    expect(retry.batchItemFailures).toEqual([]);
    expect(await fx.messages(failing)).toBe(0);
    expect(await fx.marketingItem(failing)).toBeUndefined();
  });
});
