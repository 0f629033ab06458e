/**
 * Capacity units of the inactivity purge (DESIGN §8): purge K expired subscribers out of N, beside the full Scan
 * that would find the same K, measured in one run against DynamoDB Local.
 *
 * - N subscriber profiles are loaded: K of them expired during the last days, each with two MessageLog items and
 *   a marketing item; the rest expire over the coming 36 months.
 * - The purge job runs as deployed (no watermark yet: its first run walks 30 days back) and its read and write
 *   units are counted separately. Reads are what the design bounds: about 2 units per expired subscriber,
 *   whatever N is (the `ByPurgeDay` index, then the subject's own MessageLog partition).
 * - The baseline is one Scan of the Subscribers table filtered to expired profiles: what finding them would cost
 *   without the index, and it grows with N.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoAuditLog } from '../lambdas/adapters/dynamo/audit-log';
import { DynamoPurgeStore } from '../lambdas/adapters/dynamo/purge-store';
import { DynamoPurgeWatermark } from '../lambdas/adapters/dynamo/purge-watermark';
import { expiresAt, purgeDayOf } from '../lambdas/domain/retention';
import { purgeInactiveJob } from '../lambdas/jobs/purge-inactive';
import type { TableId } from '../lambdas/shared/env';
import { TABLE_IDS } from '../lib/stacks/data-stack';
import { ensureTables, localClient } from '../local/dynamodb-local';
import { CapacityCounter, seedItems } from './capacity';
import { benchTableDefinitions } from './tables';

export interface PurgeUnits {
  readonly total: number;
  readonly expired: number;
  /** Read units of the purge run, all tables. */
  readonly purgeReadUnits: number;
  readonly purgeWriteUnits: number;
  readonly readUnitsPerExpired: number;
  /** Read units of one Scan of Subscribers filtered to expired profiles. */
  readonly scanReadUnits: number;
  readonly purged: number;
  readonly seconds: number;
}

const DAY_MS = 86_400_000;

export async function measurePurgeUnits(
  endpoint: string,
  total: number,
  expired: number,
): Promise<PurgeUnits> {
  const prefix = `purge${randomUUID().slice(0, 6)}_`;
  await ensureTables(endpoint, benchTableDefinitions(prefix));
  const tables = Object.fromEntries(TABLE_IDS.map((id) => [id, `${prefix}${id}`])) as Record<TableId, string>;
  const loader = DynamoDBDocumentClient.from(localClient(endpoint));
  const now = new Date('2029-06-15T03:00:00.000Z');

  // GIVEN N profiles, K of them expired over the last 10 days with their messages and marketing items.
  const profiles: Record<string, unknown>[] = [];
  const messages: Record<string, unknown>[] = [];
  const marketing: Record<string, unknown>[] = [];
  for (let i = 0; i < total; i += 1) {
    const subjectId = `bench${String(i).padStart(8, '0')}${'x'.repeat(30)}`;
    const isExpired = i < expired;
    const lastInteraction = isExpired
      ? new Date(now.getTime() - (36 * 30.5 + 1 + (i % 10)) * DAY_MS)
      : new Date(now.getTime() - (i % (36 * 30)) * DAY_MS);
    const ttl = expiresAt('subscriberProfile', lastInteraction);
    const tenantId = i % 2 === 0 ? 'demo' : 'acme';
    profiles.push({
      pk: `T#${tenantId}`,
      sk: `S#${subjectId}`,
      tenantId,
      subjectId,
      phone: `+4474${String(i).padStart(8, '0')}`,
      status: 'active',
      topics: ['offers', 'order-updates'],
      locale: 'en-GB',
      timeZone: 'Europe/London',
      createdAt: lastInteraction.toISOString(),
      lastInteractionAt: lastInteraction.toISOString(),
      expiresAt: ttl,
      purgeDay: purgeDayOf(ttl),
    });
    if (isExpired) {
      for (let m = 0; m < 2; m += 1) {
        const at = new Date(now.getTime() - (m + 1) * 30 * DAY_MS).toISOString();
        const messageId = randomUUID();
        messages.push({
          pk: `T#${tenantId}#S#${subjectId}`,
          sk: `${at}#${messageId}`,
          messageId,
          tenantId,
          subjectId,
          direction: 'outbound',
          category: 'transactional',
          phone: `+4474${String(i).padStart(8, '0')}`,
          body: 'Your order has shipped and will arrive on Thursday.',
          channel: 'sns',
          status: 'delivered',
          segments: 1,
          createdAt: at,
          updatedAt: at,
          expiresAt: expiresAt('messageTraffic', new Date(at)),
        });
      }
      marketing.push({
        pk: `T#${tenantId}`,
        sk: `S#${subjectId}#MKT`,
        segments: ['vip'],
        tags: ['spring-sale'],
        expiresAt: expiresAt('marketingAttributes', now),
      });
    }
  }
  const seeding = Date.now();
  await seedItems(loader, [
    ...[...profiles, ...marketing].map((item) => [tables.Subscribers, item] as const),
    ...messages.map((item) => [tables.MessageLog, item] as const),
  ]);
  console.error(
    `bench: seeded ${profiles.length} subscribers for the purge ` +
      `(${profiles.length + marketing.length + messages.length} items) in ${(Date.now() - seeding) / 1000} s`,
  );

  const counted = localClient(endpoint);
  const counter = new CapacityCounter();
  counter.attach(counted);
  const db = DynamoDBDocumentClient.from(counted, { marshallOptions: { removeUndefinedValues: true } });

  // The baseline first: one Scan of the same table finds the expired profiles among all N.
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: tables.Subscribers,
        FilterExpression: 'expiresAt <= :now',
        ExpressionAttributeValues: { ':now': Math.floor(now.getTime() / 1000) },
        ExclusiveStartKey: startKey,
      }),
    );
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const scanReadUnits = counter.reads;

  // WHEN the purge runs once
  counter.reset();
  const started = Date.now();
  const summary = await purgeInactiveJob({
    store: new DynamoPurgeStore(db, tables),
    watermark: new DynamoPurgeWatermark(db, tables),
    audit: new DynamoAuditLog(db, tables.AuditLog),
  })({ now, remainingMs: () => Number.POSITIVE_INFINITY });
  const seconds = (Date.now() - started) / 1000;
  const purgeReadUnits = counter.reads;
  const purgeWriteUnits = counter.writes;

  db.destroy();
  loader.destroy();
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return {
    total,
    expired,
    purgeReadUnits: round(purgeReadUnits),
    purgeWriteUnits: round(purgeWriteUnits),
    readUnitsPerExpired: round(purgeReadUnits / expired),
    scanReadUnits: round(scanReadUnits),
    purged: Number(summary.purged),
    seconds: Math.round(seconds * 10) / 10,
  };
}
