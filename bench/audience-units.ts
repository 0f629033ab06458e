/**
 * Capacity units to read a campaign audience (DESIGN §10, issue 18): a K-recipient topic audience among N
 * subscribers, read through the audience index in pages, beside the floor (the index entries' own bytes) and
 * beside a Scan of the Subscribers table filtered to the same audience, measured in one run against DynamoDB
 * Local.
 *
 * - N active profiles are loaded with their index entries (`A#<subjectId>` for every one, `M#<topic>#<subjectId>`
 *   per topic) as the subscribe transaction writes them; K of them chose the measured topic, the rest others.
 * - The reader pages through the topic with eventually consistent Queries. The floor is what those bytes cost:
 *   a Query is charged its items' bytes in 4 KB units, halved when eventually consistent, so K entries of E
 *   bytes cost about K·E / 4096 / 2 units, whatever N is.
 * - The baseline is one Scan of Subscribers filtered to profiles with the topic: it reads every item of every
 *   subscriber to find the same K.
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { allMembersKey, topicMemberKey } from '../lambdas/adapters/dynamo/audience-index';
import { DynamoAudienceReader } from '../lambdas/adapters/dynamo/audience-store';
import { expiresAt, purgeDayOf } from '../lambdas/domain/retention';
import type { TableId } from '../lambdas/shared/env';
import { TABLE_IDS } from '../lib/stacks/data-stack';
import { ensureTables, localClient } from '../local/dynamodb-local';
import { CapacityCounter, seedItems } from './capacity';
import { benchTableDefinitions } from './tables';

export interface AudienceUnits {
  readonly total: number;
  readonly audience: number;
  /** Subject ids the reader returned (must equal `audience`). */
  readonly read: number;
  readonly pages: number;
  readonly readUnits: number;
  readonly unitsPerRecipient: number;
  /** The index entries' own bytes in eventually consistent 4 KB units, per recipient. */
  readonly floorPerRecipient: number;
  readonly scanReadUnits: number;
  readonly scanUnitsPerRecipient: number;
  /** Profiles the Scan found (must equal `audience`). */
  readonly scanFound: number;
}

const TENANT = 'demo';
const TOPIC = 'spring-sale';
/** The dispatcher's page: large enough that per-page rounding is negligible, small enough for one queue message. */
const PAGE_SIZE = 1_000;

/** DynamoDB's item size: attribute names and string values in UTF-8 bytes. */
const itemBytes = (item: Record<string, unknown>): number =>
  Object.entries(item).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(String(value)),
    0,
  );

export async function measureAudienceUnits(
  endpoint: string,
  total: number,
  audience: number,
): Promise<AudienceUnits> {
  const prefix = `aud${randomUUID().slice(0, 6)}_`;
  await ensureTables(endpoint, benchTableDefinitions(prefix));
  const tables = Object.fromEntries(TABLE_IDS.map((id) => [id, `${prefix}${id}`])) as Record<TableId, string>;
  const loader = DynamoDBDocumentClient.from(localClient(endpoint));
  const now = new Date('2029-06-15T03:00:00.000Z');
  const ttl = expiresAt('subscriberProfile', now);

  // GIVEN N active subscribers, K of them in the topic, each with its index entries.
  const items: Array<Record<string, unknown>> = [];
  let floorBytes = 0;
  for (let i = 0; i < total; i += 1) {
    // 43 characters, as a base64url HMAC-SHA256 subject id is.
    const subjectId = `bench${String(i).padStart(8, '0')}${'x'.repeat(30)}`;
    const topics = i % Math.round(total / audience) === 0 ? [TOPIC, 'news'] : ['news', 'order-updates'];
    items.push({
      pk: `T#${TENANT}`,
      sk: `S#${subjectId}`,
      tenantId: TENANT,
      subjectId,
      phone: `+4474${String(i).padStart(8, '0')}`,
      status: 'active',
      topics,
      locale: 'en-GB',
      timeZone: 'Europe/London',
      createdAt: now.toISOString(),
      lastInteractionAt: now.toISOString(),
      expiresAt: ttl,
      purgeDay: purgeDayOf(ttl),
    });
    items.push({ ...allMembersKey(TENANT, subjectId), topics, rev: 1 });
    for (const topic of topics) {
      const entry = topicMemberKey(TENANT, topic, subjectId);
      items.push(entry);
      if (topic === TOPIC) floorBytes += itemBytes(entry);
    }
  }
  const members = items.filter((item) => String(item.sk).startsWith(`M#${TOPIC}#`)).length;
  const seeding = Date.now();
  await seedItems(
    loader,
    items.map((item) => [tables.Subscribers, item] as const),
  );
  console.error(
    `bench: seeded ${total} subscribers for the audience read (${items.length} items) in ` +
      `${(Date.now() - seeding) / 1000} s`,
  );

  const counted = localClient(endpoint);
  const counter = new CapacityCounter();
  counter.attach(counted);
  const db = DynamoDBDocumentClient.from(counted);

  // WHEN the audience is read through the index, page by page, as the campaign fan-out does
  const reader = new DynamoAudienceReader(db, tables.Subscribers);
  let read = 0;
  let pages = 0;
  let cursor: string | undefined;
  do {
    const page = await reader.readAudience(TENANT, TOPIC, cursor, PAGE_SIZE);
    read += page.subjectIds.length;
    pages += 1;
    cursor = page.cursor;
  } while (cursor !== undefined);
  const readUnits = counter.reads;

  // …and, as the baseline, found with a Scan of the whole table filtered to the topic.
  counter.reset();
  let scanFound = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: tables.Subscribers,
        FilterExpression: '#status = :active AND contains(topics, :topic) AND begins_with(sk, :profile)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':active': 'active', ':topic': TOPIC, ':profile': 'S#' },
        ExclusiveStartKey: startKey,
      }),
    );
    scanFound += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const scanReadUnits = counter.reads;

  // Its ~400,000 items would otherwise stay in DynamoDB Local's heap for the rest of the run.
  for (const table of Object.values(tables)) await loader.send(new DeleteTableCommand({ TableName: table }));
  db.destroy();
  loader.destroy();
  const round = (value: number) => Math.round(value * 10_000) / 10_000;
  return {
    total,
    audience: members,
    read,
    pages,
    readUnits: round(readUnits),
    unitsPerRecipient: round(readUnits / members),
    floorPerRecipient: round(floorBytes / 4096 / 2 / members),
    scanReadUnits: round(scanReadUnits),
    scanUnitsPerRecipient: round(scanReadUnits / members),
    scanFound,
  };
}

/** Reading the audience may cost at most this multiple of its floor (a page's bytes are rounded up to 4 KB). */
const MAX_UNITS_OVER_FLOOR = 1.5;

/**
 * The bench rows: units per recipient beside the floor and beside the Scan, at N = 100,000 with a 10,000-recipient
 * topic (`--quick`: 5,000 and 500; the ratio to the floor does not depend on N). Fails when the reader misses a
 * recipient or costs more than {@link MAX_UNITS_OVER_FLOOR} times the floor.
 */
export async function audienceRows(
  endpoint: string,
  quick: boolean,
  failures: string[],
): Promise<Array<{ figure: string; value: number; baseline?: number; unit: string }>> {
  const m = await measureAudienceUnits(endpoint, quick ? 5_000 : 100_000, quick ? 500 : 10_000);
  const label = `audience of ${m.audience.toLocaleString('en')} among ${m.total.toLocaleString('en')}`;
  if (m.read !== m.audience || m.scanFound !== m.audience) {
    failures.push(`${label}: the index read ${m.read} and the Scan found ${m.scanFound}`);
  }
  if (m.unitsPerRecipient > m.floorPerRecipient * MAX_UNITS_OVER_FLOOR) {
    failures.push(
      `${label}: ${m.unitsPerRecipient} RCU per recipient, above ${MAX_UNITS_OVER_FLOOR}× the floor of ${m.floorPerRecipient}`,
    );
  }
  return [
    { figure: `${label}: read units (index)`, value: m.readUnits, baseline: m.scanReadUnits, unit: 'RCU' },
    {
      figure: '  units per recipient, beside the floor',
      value: m.unitsPerRecipient,
      baseline: m.floorPerRecipient,
      unit: 'RCU',
    },
    {
      figure: '  units per recipient, beside a Scan',
      value: m.unitsPerRecipient,
      baseline: m.scanUnitsPerRecipient,
      unit: 'RCU',
    },
    { figure: `  pages of ${PAGE_SIZE}`, value: m.pages, unit: 'Query' },
  ];
}
