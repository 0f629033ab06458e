import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RecordingMetrics } from '../../lambdas/adapters/powertools-metrics';
import { purgeDayOf } from '../../lambdas/domain/retention';
import { retentionSweepFromPorts } from '../../lambdas/jobs/retention-sweep';
import { testDocumentClient } from './harness/dynamo';
import { startTestServer, type TestServer } from './harness/local-server';

const db = testDocumentClient();
const now = new Date('2029-06-10T04:00:00.000Z');
const DAY = 86_400;
const at = (daysAgo: number) => Math.floor(now.getTime() / 1000) - daysAgo * DAY;
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ clock: () => now });
});
afterAll(async () => {
  await server.close();
  db.destroy();
});

const table = (id: string) => `${server.tablePrefix}${id}`;
const profile = (tenant: string, expiresAt: number) => ({
  pk: `T#${tenant}`,
  sk: `S#${randomUUID()}`,
  phone: '+447400000001',
  lastInteractionAt: '2026-06-01T00:00:00.000Z',
  expiresAt,
  purgeDay: purgeDayOf(expiresAt),
});
const auditEntry = (tenant: string, writtenDaysAgo: number, expiresAt: number) => {
  const written = new Date(now.getTime() - writtenDaysAgo * DAY * 1000).toISOString();
  return {
    pk: `T#${tenant}#D#${written.slice(0, 10)}`,
    sk: `${written}#${randomUUID()}`,
    action: 'purge_summary',
    expiresAt,
  };
};
const fiveYears = 5 * 365 + 1;

describe('retention-sweep', () => {
  beforeAll(async () => {
    // GIVEN items TTL has not removed: overdue beyond the 3-day grace, within it, and live ones.
    await db.send(
      new BatchWriteCommand({
        RequestItems: {
          [table('Subscribers')]: [
            profile('demo', at(5)),
            profile('acme', at(20)),
            profile('demo', at(2)),
            profile('demo', at(-30)),
            // Older than the 35-day window: an earlier weekly sweep has already reported it.
            profile('demo', at(60)),
          ].map((Item) => ({ PutRequest: { Item } })),
          [table('AuditLog')]: [
            auditEntry('demo', fiveYears + 6, at(6)),
            auditEntry('acme', fiveYears + 1, at(1)),
            auditEntry('demo', 10, at(-1800)),
          ].map((Item) => ({ PutRequest: { Item } })),
        },
      }),
    );
  });

  it('counts items more than 3 days past expiresAt and emits the total as RetentionOverdueItems', async () => {
    const metrics = new RecordingMetrics();

    const summary = await retentionSweepFromPorts(
      { db, tables: { Subscribers: table('Subscribers'), AuditLog: table('AuditLog') } },
      ['demo', 'acme'],
      metrics,
    )({ now, remainingMs: () => Number.POSITIVE_INFINITY });

    expect(summary).toMatchObject({
      overdue: 3,
      overdueProfiles: 2,
      overdueAuditEntries: 1,
      bucketsRead: 36,
    });
    expect(metrics.published).toEqual([{ name: 'RetentionOverdueItems', value: 3 }]);
  });

  it('reads with one bounded Query per bucket or partition and never scans', async () => {
    const commands: string[] = [];
    const recording = new Proxy(db, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return (command: { constructor: { name: string } }) => {
          commands.push(command.constructor.name);
          return (target.send as (c: unknown) => Promise<unknown>)(command);
        };
      },
    }) as DynamoDBDocumentClient;

    const summary = await retentionSweepFromPorts(
      { db: recording, tables: { Subscribers: table('Subscribers'), AuditLog: table('AuditLog') } },
      ['demo', 'acme'],
      new RecordingMetrics(),
    )({ now, remainingMs: () => Number.POSITIVE_INFINITY });

    expect(new Set(commands)).toEqual(new Set(['QueryCommand']));
    expect(commands).toHaveLength(Number(summary.bucketsRead) + Number(summary.auditPartitionsRead));
  });

  it('reports nothing overdue when deletion keeps up', async () => {
    const response = await server.request('POST', '/_local/jobs/retention-sweep', {
      as: null,
      body: { now: '2027-01-01T04:00:00.000Z' },
    });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ job: 'retention-sweep', summary: { overdue: 0 } });
    expect(server.metrics.last('RetentionOverdueItems')).toBe(0);
  });

  it('is served locally and finds the same overdue items at the same clock', async () => {
    const response = await server.request('POST', '/_local/jobs/retention-sweep', {
      as: null,
      body: { now: now.toISOString() },
    });

    expect(response.body.summary).toMatchObject({ overdue: 3 });
    expect(server.metrics.last('RetentionOverdueItems')).toBe(3);
  });
});
