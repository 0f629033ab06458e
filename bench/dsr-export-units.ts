/**
 * Capacity units of one DSR export (access request) among N subscribers, beside the baseline of building the
 * same export by scanning the tables (DESIGN §8). The worker reads only by the subject's keys, so its units
 * must not grow with N; a scan grows with every item of every table.
 *
 * The measured run is the whole worker path for one request: read the request, mark it in progress, read every
 * category of the subject, write the export (to memory here), complete the request, and the two audit entries.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDsrStore } from '../lambdas/adapters/dynamo/dsr-store';
import { queryOnly } from '../lambdas/adapters/dynamo/query-only';
import { InMemoryProviderOptOutList } from '../lambdas/adapters/optout-list/in-memory-provider-optout-list';
import { dsrWorkerDeps } from '../lambdas/api/dsr-worker';
import { auditRecord } from '../lambdas/domain/audit';
import { receiveDsr } from '../lambdas/domain/dsr';
import type { ExportStore } from '../lambdas/domain/dsr-ports';
import { processDsr } from '../lambdas/domain/dsr-processing';
import { expiresAt, purgeDayOf } from '../lambdas/domain/retention';
import type { TableId } from '../lambdas/shared/env';
import { TABLE_IDS } from '../lib/stacks/data-stack';
import { ensureTables, localClient } from '../local/dynamodb-local';
import { CapacityCounter, seedItems } from './capacity';
import { benchTableDefinitions } from './tables';

export interface DsrExportUnits {
  readonly subscribers: number;
  /** Units of one export, all tables together. */
  readonly units: number;
  readonly perTable: Record<string, number>;
  /** Units to read the same tables by scanning them whole: what an export without the subject's keys costs. */
  readonly scanBaseline: number;
  readonly seedSeconds: number;
}

const TENANT = 'demo';
const NOW = new Date('2026-11-24T12:00:00Z');

type Item = Record<string, unknown>;

const subjectIdOf = (): string => randomBytes(32).toString('base64url').slice(0, 43);

/** One subscriber's items as the platform stores them: profile, consent event, a message, maybe an opt-out. */
function subscriberItems(
  subjectId: string,
  i: number,
  tables: Record<TableId, string>,
): Array<[string, Item]> {
  const at = new Date(NOW.getTime() - (i % 1000) * 60_000).toISOString();
  const phone = `+4474${String(i).padStart(8, '0')}`;
  const expiry = expiresAt('subscriberProfile', new Date(at));
  const items: Array<[string, Item]> = [
    [
      tables.Subscribers,
      {
        pk: `T#${TENANT}`,
        sk: `S#${subjectId}`,
        tenantId: TENANT,
        subjectId,
        phone,
        status: 'active',
        topics: ['offers'],
        createdAt: at,
        lastInteractionAt: at,
        expiresAt: expiry,
        purgeDay: purgeDayOf(expiry),
      },
    ],
    [
      tables.ConsentLedger,
      {
        pk: `T#${TENANT}#S#${subjectId}`,
        sk: `${at}#${randomUUID()}`,
        tenantId: TENANT,
        subjectId,
        eventId: randomUUID(),
        type: 'opt_in',
        at,
        channel: 'sms',
        source: 'web_form',
        scope: 'all',
        evidence: { noticeVersion: '2026-01', ip: '203.0.113.7' },
        expiresAt: expiresAt('consentProof', new Date(at)),
      },
    ],
    [
      tables.MessageLog,
      {
        pk: `T#${TENANT}#S#${subjectId}`,
        sk: `${at}#${randomUUID()}`,
        tenantId: TENANT,
        subjectId,
        messageId: randomUUID(),
        direction: 'outbound',
        category: 'transactional',
        phone,
        body: `Your order ${i} has shipped`,
        channel: 'outbox',
        status: 'delivered',
        segments: 1,
        createdAt: at,
        updatedAt: at,
        expiresAt: expiresAt('messageTraffic', new Date(at)),
      },
    ],
  ];
  if (i % 10 === 0) {
    items.push([
      tables.Suppressions,
      {
        pk: `T#${TENANT}`,
        sk: `S#${subjectId}#all`,
        tenantId: TENANT,
        subjectId,
        scope: 'all',
        since: at,
        source: 'keyword',
      },
    ]);
  }
  return items;
}

export async function measureDsrExportUnits(endpoint: string, subscribers: number): Promise<DsrExportUnits> {
  const prefix = `benchdsr${randomUUID().slice(0, 6)}_`;
  await ensureTables(endpoint, benchTableDefinitions(prefix));
  const tables = Object.fromEntries(TABLE_IDS.map((id) => [id, `${prefix}${id}`])) as Record<TableId, string>;
  const seeding = localClient(endpoint);
  const seedDb = DynamoDBDocumentClient.from(seeding, { marshallOptions: { removeUndefinedValues: true } });

  // GIVEN N subscribers, one of them the subject, with 3 messages, 3 consent events, an opt-out, marketing
  // attributes and an earlier request.
  const started = Date.now();
  const subjectId = subjectIdOf();
  const others: Array<[string, Item]> = [];
  for (let i = 1; i < subscribers; i += 1) others.push(...subscriberItems(subjectIdOf(), i, tables));
  const own = subscriberItems(subjectId, 0, tables);
  own.push(
    [
      tables.Subscribers,
      { pk: `T#${TENANT}`, sk: `S#${subjectId}#MKT`, segments: ['newsletter'], tags: ['spring'] },
    ],
    ...subscriberItems(subjectId, 1, tables).filter(([table]) => table !== tables.Subscribers),
    ...subscriberItems(subjectId, 2, tables).filter(([table]) => table !== tables.Subscribers),
  );
  await seedItems(seedDb, [...others, ...own]);
  const seedSeconds = Math.round((Date.now() - started) / 100) / 10;
  console.error(
    `bench: seeded ${subscribers} subscribers (${others.length + own.length} items) in ${seedSeconds} s`,
  );

  const counter = new CapacityCounter();
  const dynamo = queryOnly(localClient(endpoint));
  counter.attach(dynamo);
  const db = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  const dsrs = new DynamoDsrStore(db, tables);
  const earlier = receiveDsr({
    tenantId: TENANT,
    requestId: randomUUID(),
    type: 'rectification',
    subjectId,
    regime: 'GDPR',
    receivedAt: new Date(NOW.getTime() - 86_400_000),
    verification: { method: 'email', reference: 'r-1' },
    changes: { locale: 'en-GB' },
  });
  await dsrs.create(
    earlier,
    auditRecord({ tenantId: TENANT, actor: 'bench', action: 'seed', outcome: 'ok' }, NOW),
  );
  const request = receiveDsr({
    tenantId: TENANT,
    requestId: randomUUID(),
    type: 'access',
    subjectId,
    regime: 'GDPR',
    receivedAt: NOW,
    verification: { method: 'email', reference: 'r-2' },
  });
  await dsrs.create(
    request,
    auditRecord({ tenantId: TENANT, actor: 'bench', action: 'seed', outcome: 'ok' }, NOW),
  );

  // WHEN the worker carries out the access request
  let written = '';
  const exports: ExportStore = {
    put: async (_key, json) => {
      written = json;
    },
    delete: async () => undefined,
    downloadUrl: async () => '',
  };
  counter.reset();
  const providerOptOuts = new InMemoryProviderOptOutList(() => NOW);
  const deps = dsrWorkerDeps({ dynamo, db, tables, clock: () => NOW, exports, providerOptOuts });
  const outcome = await processDsr(deps, {
    tenantId: TENANT,
    requestId: request.requestId,
  });
  const units = counter.total();
  const perTable = counter.snapshot(prefix);
  const doc = JSON.parse(written) as {
    messages: unknown[];
    consentLedger: unknown[];
    dsrRequests: unknown[];
  };
  if (
    outcome !== 'completed' ||
    doc.messages.length !== 3 ||
    doc.consentLedger.length !== 3 ||
    doc.dsrRequests.length !== 1
  ) {
    throw new Error(`the benchmark export is wrong: ${outcome}, ${doc.messages.length} messages`);
  }

  // THEN compare with reading the same tables whole (bench code may scan; the platform cannot).
  counter.reset();
  const scanning = localClient(endpoint);
  counter.attach(scanning);
  const scanDb = DynamoDBDocumentClient.from(scanning);
  for (const id of ['Subscribers', 'ConsentLedger', 'Suppressions', 'MessageLog', 'DsrRequests'] as const) {
    let startKey: Item | undefined;
    do {
      const page = await scanDb.send(
        new ScanCommand({ TableName: tables[id], ConsistentRead: true, ExclusiveStartKey: startKey }),
      );
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
  const scanBaseline = Math.round(counter.total() * 10) / 10;
  for (const client of [seedDb, db, scanDb]) client.destroy();
  return { subscribers, units, perTable, scanBaseline, seedSeconds };
}
