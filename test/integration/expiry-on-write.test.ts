/**
 * Every table write leaves its item with an `expiresAt` (DESIGN §2), except a subscriber under legal hold and a
 * standing opt-out suppression; and every function makes exactly the table writes IAM grants it
 * (lambdas/api/function-tables.ts), so a grant can neither be missing nor unused.
 *
 * How: every write path of lambdas/ runs against DynamoDB Local, each function's through its own document client,
 * which records each write command with the function that sent it and, once it has run, reads back every item it
 * put or updated and checks it. Two guards keep the check honest as the code grows:
 * - every `new PutCommand(` / `UpdateCommand(` / `DeleteCommand(` / `TransactWriteCommand(` /
 *   `BatchWriteCommand(` in lambdas/, and every write through the generic query-only table layer (`.put(`,
 *   `.update(`, `.delete(`, `.deleteAll(`, `.transactWrite(` in the modules built on it), must have been reached
 *   by the scenario (matched by the calling line in the stack), so a new write path fails this test until the
 *   scenario below exercises it. A site is matched once, by whichever function reached it: a store shared by
 *   several functions is exercised through each of them below, but nothing forces that for a new one;
 * - at the end, every item of every table is read (tests may scan): writes made through libraries, such as the
 *   Powertools idempotency records, are checked too.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  type BatchWriteCommandInput,
  type PutCommandInput,
  type TransactWriteCommandInput,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord } from 'aws-lambda';
import { DynamoAudienceReader } from '../../lambdas/adapters/dynamo/audience-store';
import { DynamoAuditLog } from '../../lambdas/adapters/dynamo/audit-log';
import { DynamoCampaignStore } from '../../lambdas/adapters/dynamo/campaign-store';
import { DynamoOpenDsrIndex } from '../../lambdas/adapters/dynamo/dsr-store';
import { DynamoIncidentStore } from '../../lambdas/adapters/dynamo/incident-store';
import { DynamoMessageStatusStore } from '../../lambdas/adapters/dynamo/message-status-store';
import { DynamoPurgeStore } from '../../lambdas/adapters/dynamo/purge-store';
import { DynamoPurgeWatermark } from '../../lambdas/adapters/dynamo/purge-watermark';
import { DynamoRetentionSweepStore } from '../../lambdas/adapters/dynamo/retention-sweep-store';
import { LocalSubjectIdDeriver } from '../../lambdas/adapters/local-subject-id';
import { InMemoryProviderOptOutList } from '../../lambdas/adapters/optout-list/in-memory-provider-optout-list';
import { RecordingMetrics } from '../../lambdas/adapters/powertools-metrics';
import { OutboxSender } from '../../lambdas/adapters/sms/outbox-sender';
import { scheduledSender } from '../../lambdas/adapters/sms/rate-limited-sender';
import type { ApiRequest, RouteAction } from '../../lambdas/api/api-handler';
import { campaignWorkerDeps, campaignWorkerHandler } from '../../lambdas/api/campaign-worker';
import { campaignActions } from '../../lambdas/api/campaigns-api';
import { sendDeps } from '../../lambdas/api/domain-deps';
import { dsrActions } from '../../lambdas/api/dsr-api';
import { dsrWorkerDeps, dsrWorkerHandler } from '../../lambdas/api/dsr-worker';
import {
  FUNCTION_TABLE_ACCESS,
  type FunctionName,
  type FunctionTables,
} from '../../lambdas/api/function-tables';
import { inboundDeps } from '../../lambdas/api/inbound-sms';
import { incidentActions } from '../../lambdas/api/incidents-api';
import { messageActions } from '../../lambdas/api/messages-api';
import { optOutActions } from '../../lambdas/api/optouts-api';
import { ROUTES, SCOPES } from '../../lambdas/api/routes';
import { subscriberActions } from '../../lambdas/api/subscribers-api';
import { ttlBackstopHandler } from '../../lambdas/api/ttl-backstop';
import { processInbound } from '../../lambdas/domain/inbound';
import type { IncidentNotifier } from '../../lambdas/domain/incidents';
import { purgeDayOf } from '../../lambdas/domain/retention';
import { SLOT_POLICIES } from '../../lambdas/domain/send-slot';
import { dsrDeadlinesJob } from '../../lambdas/jobs/dsr-deadlines';
import { incidentDeadlinesJob } from '../../lambdas/jobs/incident-deadlines';
import { optOutReconcileJob } from '../../lambdas/jobs/optout-reconcile';
import { purgeInactiveJob } from '../../lambdas/jobs/purge-inactive';
import { retentionSweepJob } from '../../lambdas/jobs/retention-sweep';
import { writesOf, type TableId } from '../../lambdas/shared/env';
import { logger } from '../../lambdas/shared/powertools';
import { TABLE_IDS } from '../../lib/stacks/data-stack';
import { LocalCampaignQueue } from '../../local/campaigns';
import { LocalDsrQueue, LocalExportStore } from '../../local/dsr';
import { ensureTables, localClient } from '../../local/dynamodb-local';
import { localTableDefinitions } from '../../local/table-definitions';
import { LOCAL_TENANTS, tenantItem } from '../../local/tenants';

const ROOT = join(__dirname, '..', '..');
const WRITE_COMMAND = /new (PutCommand|UpdateCommand|DeleteCommand|TransactWriteCommand|BatchWriteCommand)\(/;
/** No retention period is longer than 10 years (tenant accounts); a bigger value is milliseconds by mistake. */
const LONGEST_SECONDS = (10 * 366 + 1) * 86_400;

type Key = Record<string, unknown>;
interface Violation {
  readonly table: string;
  readonly sk: unknown;
  readonly problem: string;
  readonly site: string;
}

const prefix = `exp${randomUUID().slice(0, 6)}_`;
const tables = Object.fromEntries(TABLE_IDS.map((id) => [id, `${prefix}${id}`])) as Record<TableId, string>;
const tableIdOf = (name: string): TableId => name.slice(prefix.length) as TableId;
const keyAttributes: Partial<Record<TableId, readonly string[]>> = {
  Tenants: ['tenantId'],
  Idempotency: ['id'],
};
const keyOf = (table: string, item: Key): Key =>
  Object.fromEntries((keyAttributes[tableIdOf(table)] ?? ['pk', 'sk']).map((name) => [name, item[name]]));

/** One item-level operation of a write command: the DynamoDB action IAM checks, and the item's key when it writes one. */
interface Operation {
  readonly table: string;
  readonly action: string;
  /** The key of the item a put or an update leaves behind; deletes and condition checks leave nothing to check. */
  readonly key?: Key;
}

/** The operations of a write command, one per item (IAM checks a BatchWriteItem as one action). */
function operationsOf(name: string, input: unknown): Operation[] {
  switch (name) {
    case 'PutCommand': {
      const { TableName, Item } = input as PutCommandInput;
      return [{ table: TableName!, action: 'PutItem', key: keyOf(TableName!, Item!) }];
    }
    case 'UpdateCommand': {
      const { TableName, Key: key } = input as UpdateCommandInput;
      return [{ table: TableName!, action: 'UpdateItem', key: key! }];
    }
    case 'DeleteCommand':
      return [{ table: (input as { TableName: string }).TableName, action: 'DeleteItem' }];
    case 'TransactWriteCommand':
      return ((input as TransactWriteCommandInput).TransactItems ?? []).flatMap((item): Operation[] => {
        if (item.Put) {
          const { TableName, Item } = item.Put;
          return [{ table: TableName!, action: 'PutItem', key: keyOf(TableName!, Item!) }];
        }
        if (item.Update)
          return [{ table: item.Update.TableName!, action: 'UpdateItem', key: item.Update.Key! }];
        if (item.Delete) return [{ table: item.Delete.TableName!, action: 'DeleteItem' }];
        if (item.ConditionCheck)
          return [{ table: item.ConditionCheck.TableName!, action: 'ConditionCheckItem' }];
        return [];
      });
    case 'BatchWriteCommand':
      return Object.entries((input as BatchWriteCommandInput).RequestItems ?? {}).flatMap(
        ([table, requests]) =>
          requests.map((r) => ({
            table,
            action: 'BatchWriteItem',
            ...(r.PutRequest ? { key: keyOf(table, r.PutRequest.Item!) } : {}),
          })),
      );
    default:
      return [];
  }
}

/** Why an item breaks the rule, or undefined when it keeps it. */
function expiryProblem(table: string, item: Key, now: Date): string | undefined {
  const id = tableIdOf(table);
  const sk = String(item.sk ?? '');
  // A standing opt-out is kept while it stands (CTIA/FCC); other Suppressions items expire like the rest.
  if (id === 'Suppressions' && /^S#/.test(sk)) return undefined;
  // The audience index (DESIGN §10) has no TTL of its own: it lives as long as the active profile it lists, and
  // every write that ends the profile deletes it (audience-index.ts). The last test below holds it to that.
  if (id === 'Subscribers' && /^[AM]#/.test(sk)) {
    return item.expiresAt === undefined && item.purgeDay === undefined
      ? undefined
      : 'an audience index entry has a TTL of its own';
  }
  const isProfile = id === 'Subscribers' && /^S#[^#]+$/.test(sk);
  if (isProfile && item.legalHold !== undefined) {
    return item.expiresAt === undefined && item.purgeDay === undefined
      ? undefined
      : 'a held subscriber keeps expiresAt or purgeDay';
  }
  if (typeof item.expiresAt !== 'number') return 'no numeric expiresAt';
  if (item.expiresAt > now.getTime() / 1000 + LONGEST_SECONDS) return 'expiresAt is not in epoch seconds';
  if (isProfile && item.purgeDay !== purgeDayOf(item.expiresAt))
    return 'purgeDay is not the day of expiresAt';
  return undefined;
}

/** The `lambdas/` frames of a stack, as `path:line`. */
const lambdaFrames = (stack: string): string[] =>
  [...stack.matchAll(/\(?([^\s()]+\/lambdas\/[^\s():]+\.ts):(\d+):\d+\)?/g)].map(
    ([, file, line]) => `${relative(ROOT, file!)}:${line}`,
  );

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The generic table layer (KeyedTable, QueryOnlyDb): its callers are the write paths, not its own methods. */
const GENERIC_LAYER = join('lambdas', 'adapters', 'dynamo', 'query-only.ts');
/** A write through that layer, in a module built on it. */
const LAYER_WRITE = /\.(put|update|delete|deleteAll|transactWrite)\(/;

/**
 * Every write in lambdas/, as `path:line`: each `new …Command(` that writes, except inside the generic layer,
 * and each call of the layer's write methods in the modules that import it.
 */
const writeSites = (): string[] =>
  sourceFiles(join(ROOT, 'lambdas')).flatMap((file) => {
    const path = relative(ROOT, file);
    if (path === GENERIC_LAYER) return [];
    const text = readFileSync(file, 'utf8');
    const onLayer = /from '\.\/query-only'/.test(text);
    return text
      .split('\n')
      .flatMap((line, i) =>
        WRITE_COMMAND.test(line) || (onLayer && LAYER_WRITE.test(line)) ? [`${path}:${i + 1}`] : [],
      );
  });

describe('expiresAt and the granted writes on every write path', () => {
  const dynamo = localClient(process.env.OPTLINE_DYNAMODB_ENDPOINT!);
  const plain = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  let now = new Date('2026-03-02T10:00:00.000Z');
  const reachedLines = new Set<string>();
  const writtenTables = new Set<TableId>();
  /** Deployed function → table → the write actions its code was seen to make. */
  const writesByFunction = new Map<FunctionName, Map<TableId, Set<string>>>();
  const violations: Violation[] = [];

  /**
   * The document client the stores of function `fn` get: it runs each command, records the write actions as
   * that function's, then checks what a write left behind.
   */
  const recordingAs = (fn: FunctionName) =>
    new Proxy(plain, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return async (command: { constructor: { name: string }; input: unknown }) => {
          const name = command.constructor.name;
          const operations = operationsOf(name, command.input);
          const byTable = writesByFunction.get(fn) ?? new Map<TableId, Set<string>>();
          writesByFunction.set(fn, byTable);
          for (const { table, action } of operations) {
            const id = tableIdOf(table);
            byTable.set(id, (byTable.get(id) ?? new Set()).add(action));
          }
          const written = operations.flatMap(({ table, key }) => (key ? [{ table, key }] : []));
          const frames =
            written.length > 0 || /Write|Put|Update|Delete/.test(name)
              ? lambdaFrames(new Error().stack ?? '')
              : [];
          for (const frame of frames) reachedLines.add(frame);
          try {
            return await (target.send as (c: unknown) => Promise<unknown>)(command);
          } finally {
            for (const { table, key } of written) {
              writtenTables.add(tableIdOf(table));
              const { Item } = await plain.send(
                new GetCommand({ TableName: table, Key: key, ConsistentRead: true }),
              );
              const problem = Item && expiryProblem(table, Item, now);
              if (problem)
                violations.push({ table: tableIdOf(table), sk: Item.sk, problem, site: frames[0] ?? '?' });
            }
          }
        };
      },
    });

  const outbox = new OutboxSender({ clock: () => now });
  const providerOptOuts = new InMemoryProviderOptOutList(() => now);
  /**
   * The ports of function `fn`, as its entry point builds them, with its own recording client: its sends take a
   * slot on the cell-wide send schedule through that client, as deployed.
   */
  const portsOf = (fn: FunctionName) => {
    const db = recordingAs(fn);
    return {
      dynamo,
      db,
      tables,
      subjectIds: new LocalSubjectIdDeriver('expiry-test-key'),
      clock: () => now,
      sender: scheduledSender(outbox, { db, tables, rates: { cell: 1000 }, policy: SLOT_POLICIES.oneToOne }),
      providerOptOuts,
    };
  };
  const request = (operationId: string, body?: unknown, params: Record<string, string> = {}): ApiRequest => ({
    route: ROUTES.find((r) => r.operationId === operationId)!,
    caller: { tenantId: 'demo', scopes: [...SCOPES], principal: 'local:demo' },
    pathParameters: params,
    headers: { 'idempotency-key': randomUUID() },
    body,
    query: {},
    requestId: randomUUID(),
  });
  const call = async (
    actions: Record<string, RouteAction>,
    operationId: string,
    ...args: Parameters<typeof request> extends [string, ...infer R] ? R : never
  ) => {
    const result = await actions[operationId]!(request(operationId, ...args));
    expect({ operationId, status: result.statusCode }).toEqual({ operationId, status: expect.any(Number) });
    expect(result.statusCode).toBeLessThan(300);
    return result;
  };

  beforeAll(async () => {
    await ensureTables(process.env.OPTLINE_DYNAMODB_ENDPOINT!, localTableDefinitions('eu', prefix));
    for (const tenant of LOCAL_TENANTS) {
      await plain.send(new PutCommand({ TableName: tables.Tenants, Item: tenantItem(tenant) }));
    }
  });
  afterAll(() => {
    plain.destroy();
  });

  it('holds on every write path of the API, inbound SMS, delivery status, DSR work, the purge, the backstop and the sweep', async () => {
    const subscribers = subscriberActions(portsOf('subscribers'));
    const messaging = messageActions(portsOf('messages'));
    messaging.idempotencyConfig.registerLambdaContext({ getRemainingTimeInMillis: () => 10_000 } as Context);
    const optouts = optOutActions(portsOf('optouts'));
    const inbound = inboundDeps(portsOf('inbound-sms'));
    const phone = (n: number) => `+4474001${String(n).padStart(5, '0')}`;
    const path = (n: number) => ({ phone: encodeURIComponent(phone(n)) });
    const consent = { source: 'api', noticeVersion: 'v1' };

    // Subscribers: create, change, interact, hold, interact while held, release (also with a past expiry).
    await call(subscribers, 'createSubscriber', { phone: phone(1), consent, topics: ['offers'] });
    await call(subscribers, 'patchSubscriber', { locale: 'fr-FR' }, path(1));
    // A change of topics moves the audience index: `offers` is left, `news` joined.
    await call(subscribers, 'patchSubscriber', { topics: ['news'] }, path(1));
    await call(subscribers, 'recordInteraction', { type: 'click' }, path(1));
    await call(subscribers, 'setLegalHold', { reason: 'Case 1' }, path(1));
    now = new Date('2026-03-02T11:00:00.000Z');
    await call(subscribers, 'recordInteraction', { type: 'click' }, path(1));
    await call(subscribers, 'clearLegalHold', undefined, path(1));
    await call(subscribers, 'createSubscriber', {
      phone: phone(2),
      consent: { ...consent, capturedAt: '2023-03-10T00:00:00Z' },
    });
    await call(subscribers, 'setLegalHold', { reason: 'Case 2' }, path(2));
    await call(messaging.actions, 'sendMessage', { to: phone(2), body: 'Held', category: 'transactional' });
    await call(subscribers, 'createSubscriber', {
      phone: phone(3),
      consent,
      doubleOptIn: true,
      topics: ['offers'],
    });

    // Messages, opt-outs, inbound keywords (STOP, START twice, YES for a double opt-in) and a delivery receipt.
    const sent = await call(messaging.actions, 'sendMessage', {
      to: phone(1),
      body: 'Your order shipped',
      category: 'transactional',
    });
    await call(optouts, 'recordOptOut', { phone: phone(1), scope: 'offers' });
    await call(optouts, 'recordOptOut', { phone: phone(4) });
    // Subscribing again after an opt-out clears the suppression.
    await call(subscribers, 'createSubscriber', { phone: phone(4), consent });
    for (const [n, body] of [
      [1, 'STOP'],
      [1, 'START'],
      // A second removal from the provider list within 30 days is refused, and recorded for a retry.
      [1, 'STOP'],
      [1, 'START'],
      [3, 'YES'],
      [1, 'HELP'],
    ] as const) {
      // Each message is sent a second after the previous one: an opt-in sent before a standing opt-out is void.
      now = new Date(now.getTime() + 1_000);
      await processInbound(inbound, {
        messageId: randomUUID(),
        tenantId: 'demo',
        from: phone(n),
        body,
        at: now,
      });
    }
    // The reconcile job imports a carrier opt-out of a subscriber and retries the provider removal refused above.
    providerOptOuts.seed(phone(2));
    await optOutReconcileJob(portsOf('optout-reconcile'), ['demo'])({
      now,
      remainingMs: () => Number.POSITIVE_INFINITY,
    });
    const status = new DynamoMessageStatusStore(recordingAs('delivery-status'), tables);
    const messageId = (sent.body as { messageId: string }).messageId;
    expect(
      await status.applyDelivery(
        { messageId, tenantId: 'demo', status: 'delivered', at: now, providerStatus: 'TEXT_DELIVERED' },
        now,
      ),
    ).toBe('updated');

    // Campaigns: one to `news` (phone(1) chose it), fanned out and dispatched by the campaign worker; one
    // cancelled while it waits for its sendAt.
    const campaignQueue = new LocalCampaignQueue((event) => campaignHandler(event));
    const campaignHandler = campaignWorkerHandler(
      campaignWorkerDeps({
        ...portsOf('campaign-worker'),
        queue: campaignQueue,
        audience: new DynamoAudienceReader(recordingAs('campaign-worker'), tables.Subscribers),
        send: sendDeps(portsOf('campaign-worker')),
      }),
      logger,
    );
    const campaigns = campaignActions({ ...portsOf('campaigns'), starter: campaignQueue });
    const news = await call(campaigns, 'createCampaign', { topic: 'news', body: 'News of the week' });
    await campaignQueue.idle();
    const newsId = (news.body as { campaignId: string }).campaignId;
    expect((await call(campaigns, 'getCampaign', undefined, { id: newsId })).body).toMatchObject({
      status: 'completed',
      counts: { targeted: 1, sent: 1 },
    });
    const later = await call(campaigns, 'createCampaign', {
      body: 'Later',
      sendAt: new Date(now.getTime() + 3_600_000).toISOString(),
    });
    await call(campaigns, 'cancelCampaign', undefined, {
      id: (later.body as { campaignId: string }).campaignId,
    });
    campaignQueue.stop();
    // The claim moves a real dispatch takes only in quiet hours or on a fault, which wait minutes: a recipient is
    // claimed, deferred, claimed again when due, deferred again, and released, through the worker's store.
    const claims = new DynamoCampaignStore(recordingAs('campaign-worker'), tables);
    const claimAs = async (token: string) => {
      const claimed = await claims.claim('demo', newsId, 'deferred-subject', token, now);
      if (claimed.kind !== 'claimed') throw new Error(`claim ${token}: ${claimed.kind}`);
      return { tenantId: 'demo', campaignId: newsId, subjectId: 'deferred-subject', token, ...claimed };
    };
    await claims.defer(await claimAs('t1'), now, now);
    await claims.defer(await claimAs('t2'), now, now);
    await claims.release(await claimAs('t3'), now);

    // Data-subject requests of every type, worked by the DSR worker, one extended, and the deadline job.
    await call(subscribers, 'createSubscriber', { phone: phone(5), consent, topics: ['offers'] });
    await call(messaging.actions, 'sendMessage', { to: phone(5), body: 'Hello', category: 'transactional' });
    const exportFiles = new LocalExportStore({ baseUrl: () => 'http://127.0.0.1', clock: () => now });
    const dsrQueue = new LocalDsrQueue(
      dsrWorkerHandler(dsrWorkerDeps({ ...portsOf('dsr-worker'), exports: exportFiles }), logger),
    );
    const dsr = dsrActions({ ...portsOf('dsr'), queue: dsrQueue, exports: exportFiles, regime: 'GDPR' });
    const verification = { method: 'sms_otp', reference: 'otp-1' };
    // One request whose enqueue is lost stays open, so it can be extended.
    const lost = dsrActions({
      ...portsOf('dsr'),
      queue: { enqueue: async () => undefined },
      exports: exportFiles,
      regime: 'GDPR',
    });
    const open = await call(lost, 'createDsr', { type: 'access', phone: phone(5), verification });
    await call(
      dsr,
      'extendDsr',
      { reason: 'Large export' },
      { id: (open.body as { requestId: string }).requestId },
    );
    for (const type of ['access', 'portability', 'rectification', 'restriction', 'objection', 'erasure']) {
      const opened = await call(dsr, 'createDsr', {
        type,
        phone: phone(5),
        verification,
        ...(type === 'rectification' ? { changes: { locale: 'de-DE', topics: ['news'] } } : {}),
      });
      expect(opened.statusCode).toBe(202);
      await dsrQueue.idle();
    }
    // A rectification of the locale alone changes the live profile and no audience.
    await call(dsr, 'createDsr', {
      type: 'rectification',
      phone: phone(4),
      verification,
      changes: { locale: 'en-GB' },
    });
    await dsrQueue.idle();
    expect(dsrQueue.deadLetters).toEqual([]);
    await dsrDeadlinesJob({
      dsrs: new DynamoOpenDsrIndex(recordingAs('dsr-deadlines'), tables.DsrRequests),
      queue: dsrQueue,
      metrics: new RecordingMetrics(),
    })({ now, remainingMs: () => Number.POSITIVE_INFINITY });
    await dsrQueue.idle();

    // The hold on phone(2) is released long after its 36 months: the watermark is moved back for it.
    now = new Date('2026-04-02T10:00:00.000Z');
    await call(subscribers, 'clearLegalHold', undefined, path(2));

    // Retention: the purge (claim, cascade, delete, watermark, summary), the TTL backstop and the sweep.
    const purged = await purgeInactiveJob({
      store: new DynamoPurgeStore(recordingAs('purge-inactive'), tables),
      watermark: new DynamoPurgeWatermark(recordingAs('purge-inactive'), tables),
      audit: new DynamoAuditLog(recordingAs('purge-inactive'), tables.AuditLog),
    })({ now, remainingMs: () => Number.POSITIVE_INFINITY });
    expect(purged).toMatchObject({ purged: 1, messagesDeleted: 1 });
    // TTL removes phone(3)'s profile, then its stream record arrives.
    const gone = await new LocalSubjectIdDeriver('expiry-test-key').derive('demo', phone(3));
    await plain.send(
      new DeleteCommand({ TableName: tables.Subscribers, Key: { pk: 'T#demo', sk: `S#${gone}` } }),
    );
    const keys = marshall({ pk: 'T#demo', sk: `S#${gone}` }) as NonNullable<
      DynamoDBRecord['dynamodb']
    >['Keys'];
    const backstop = await ttlBackstopHandler({
      store: new DynamoPurgeStore(recordingAs('ttl-backstop'), tables),
      audit: new DynamoAuditLog(recordingAs('ttl-backstop'), tables.AuditLog),
      clock: () => now,
      logger: { info: () => undefined, warn: () => undefined },
    })({
      Records: [
        {
          eventName: 'REMOVE',
          userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
          dynamodb: { Keys: keys, SequenceNumber: '1' },
        },
      ],
    });
    expect(backstop.batchItemFailures).toEqual([]);
    await retentionSweepJob({
      store: new DynamoRetentionSweepStore(recordingAs('retention-sweep'), tables),
      metrics: new RecordingMetrics(),
      tenants: ['demo'],
    })({ now, remainingMs: () => Number.POSITIVE_INFINITY });

    // Incidents (DESIGN §12): the operator records one while demo's channel fails (claimed, then released), the
    // deadline job delivers it (claimed, marked notified with its audit entry), and demo acknowledges it.
    let channelDown = true;
    const notifier: IncidentNotifier = {
      notify: () => (channelDown ? Promise.reject(new Error('channel down')) : Promise.resolve()),
    };
    const incidents = incidentActions({ ...portsOf('incidents'), notifier, cellTenants: ['demo'] });
    const recorded = await incidents.operatorActions.recordIncident!({
      ...request('recordIncident', {
        detectedAt: now.toISOString(),
        summary: 'Logs exposed',
        window: { from: '2026-03-02T00:00:00Z', to: '2026-03-03T00:00:00Z' },
        categories: ['messageTraffic'],
        measures: 'Access revoked',
        contact: 'privacy@operator.example',
      }),
      caller: { kind: 'operator', scopes: ['incidents.manage'], principal: 'local:operator' },
    });
    expect(recorded.body).toMatchObject({ affectedTenants: 1 });
    channelDown = false;
    const deadlines = await incidentDeadlinesJob({
      incidents: new DynamoIncidentStore(recordingAs('incident-deadlines'), tables),
      notifier,
      metrics: new RecordingMetrics(),
    })({ now, remainingMs: () => Number.POSITIVE_INFINITY });
    expect(deadlines).toMatchObject({ delivered: 1 });
    await call(incidents.actions, 'acknowledgeIncidentNotification', undefined, {
      id: (recorded.body as { incidentId: string }).incidentId,
    });

    // THEN no write left an item without expiresAt…
    expect(violations).toEqual([]);
    // …the scenario wrote to every table the platform writes…
    expect([...writtenTables].sort()).toEqual(
      [
        'AuditLog',
        'Campaigns',
        'ConsentLedger',
        'DailyStats',
        'DsrRequests',
        'Idempotency',
        'Incidents',
        'MessageLog',
        'Subscribers',
        'Suppressions',
      ].sort(),
    );
    // …only ever put new events into the append-only consent ledger (IAM grants no other write on it)…
    // …each function made exactly the writes it is granted (lambdas/api/function-tables.ts), so no grant is
    // missing or unused; the idempotency records are Powertools' own (test/infra/table-access.test.ts)…
    const made = (fn: FunctionName) =>
      Object.fromEntries(
        // Idempotency grants cover Powertools' own writes too, which bypass this client: table-access.test.ts.
        [...(writesByFunction.get(fn) ?? [])]
          .filter(([id]) => id !== 'Idempotency')
          .map(([id, actions]) => [id, [...actions].filter((a) => a !== 'ConditionCheckItem').sort()]),
      );
    const granted = (fn: FunctionName) =>
      Object.fromEntries(
        Object.entries(FUNCTION_TABLE_ACCESS[fn] as FunctionTables)
          .filter(([id, access]) => id !== 'Idempotency' && writesOf(access!).length > 0)
          .map(([id, access]) => [id, [...writesOf(access!)].sort()]),
      );
    const functions = Object.keys(FUNCTION_TABLE_ACCESS) as FunctionName[];
    expect(Object.fromEntries(functions.map((fn) => [fn, made(fn)]))).toEqual(
      Object.fromEntries(functions.map((fn) => [fn, granted(fn)])),
    );
    // …and reached every write command in lambdas/ (a new one must be added to this scenario).
    const unreached = writeSites().filter((site) => {
      const [file, line] = site.split(':') as [string, string];
      return ![0, 1, 2].some((back) => reachedLines.has(`${file}:${Number(line) - back}`));
    });
    expect(unreached).toEqual([]);
  }, 60_000);

  it('leaves no item without expiresAt in any table once every path has run, library writes included', async () => {
    const offenders: Array<{ table: TableId; sk: unknown; problem: string }> = [];
    const subscriberItems: Key[] = [];
    for (const id of TABLE_IDS) {
      let startKey: Key | undefined;
      do {
        const page = await plain.send(
          new ScanCommand({ TableName: tables[id], ConsistentRead: true, ExclusiveStartKey: startKey }),
        );
        for (const item of page.Items ?? []) {
          // Tenant settings are configuration seeded outside lambdas/, which never writes the Tenants table.
          if (id === 'Tenants') continue;
          if (id === 'Subscribers') subscriberItems.push(item);
          const problem = expiryProblem(tables[id], item, now);
          if (problem) offenders.push({ table: id, sk: item.sk ?? item.id, problem });
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }
    expect(offenders).toEqual([]);
    expect(writtenTables.has('Tenants')).toBe(false);
    // Every audience index entry left lists a profile that is there and active, under one of its topics: none
    // outlived what it indexes (the entries have no TTL to fall back on).
    const profiles = new Map(
      subscriberItems
        .filter((item) => /^S#[^#]+$/.test(String(item.sk)))
        .map((item) => [String(item.sk).slice(2), item]),
    );
    const entries = subscriberItems.filter((item) => /^[AM]#/.test(String(item.sk)));
    const stray = entries.filter((item) => {
      const sk = String(item.sk);
      const [kind, topic, subject] = sk.startsWith('A#') ? ['A', undefined, sk.slice(2)] : sk.split('#');
      const profile = profiles.get(String(subject));
      if (profile?.status !== 'active') return true;
      return kind === 'M' && !(profile.topics as string[]).includes(String(topic));
    });
    expect(stray).toEqual([]);
    // The scenario leaves active subscribers with topics, so the check above had entries to hold.
    expect(entries.length).toBeGreaterThan(1);
  });
});
