/**
 * The local server (`npm start`): the same route actions and API handler the Lambda functions run, behind
 * node:http, with DynamoDB Local for storage, node:crypto for subject ids, and an outbox instead of SMS.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { DynamoAudienceReader } from '../lambdas/adapters/dynamo/audience-store';
import { DynamoMessageStatusStore } from '../lambdas/adapters/dynamo/message-status-store';
import { queryOnly } from '../lambdas/adapters/dynamo/query-only';
import { LocalSubjectIdDeriver } from '../lambdas/adapters/local-subject-id';
import { InMemoryProviderOptOutList } from '../lambdas/adapters/optout-list/in-memory-provider-optout-list';
import { RecordingMetrics } from '../lambdas/adapters/powertools-metrics';
import {
  OutboxSender,
  type OutboxEntry,
  type OutboxSenderOptions,
} from '../lambdas/adapters/sms/outbox-sender';
import { scheduledSender } from '../lambdas/adapters/sms/rate-limited-sender';
import {
  createApiHandler,
  MAX_BODY_BYTES,
  type ApiHandler,
  type OperatorRouteAction,
  type RouteAction,
} from '../lambdas/api/api-handler';
import { bearerTokenCaller } from '../lambdas/api/callers';
import { campaignWorkerDeps, campaignWorkerHandler } from '../lambdas/api/campaign-worker';
import { campaignActions } from '../lambdas/api/campaigns-api';
import { consoleResponse, type ConsoleFiles } from '../lambdas/api/console-assets';
import { deliveryStatusHandler } from '../lambdas/api/delivery-status';
import { sendDeps } from '../lambdas/api/domain-deps';
import { dsrActions } from '../lambdas/api/dsr-api';
import { dsrWorkerDeps, dsrWorkerHandler } from '../lambdas/api/dsr-worker';
import { inboundDeps } from '../lambdas/api/inbound-sms';
import { incidentActions } from '../lambdas/api/incidents-api';
import { messageActions } from '../lambdas/api/messages-api';
import { buildOpenApiDocument } from '../lambdas/api/openapi';
import { optOutActions } from '../lambdas/api/optouts-api';
import type { ConsentPorts } from '../lambdas/api/ports';
import { API_FUNCTIONS, ROUTES, type ApiFunction } from '../lambdas/api/routes';
import { statsActions } from '../lambdas/api/stats-api';
import { subscriberActions } from '../lambdas/api/subscribers-api';
import type { DsrQueue } from '../lambdas/domain/dsr-ports';
import { processInbound } from '../lambdas/domain/inbound';
import type { IncidentNotifier } from '../lambdas/domain/incidents';
import { periodsOf, useCellPeriods } from '../lambdas/domain/retention';
import { CELL_WIDE_IDENTITY } from '../lambdas/domain/send-rate';
import { SLOT_POLICIES, type SlotPolicy } from '../lambdas/domain/send-slot';
import type { SmsSender } from '../lambdas/domain/sms';
import { JOB_NAMES, type JobName } from '../lambdas/jobs/registry';
import type { TableId } from '../lambdas/shared/env';
import { logger } from '../lambdas/shared/powertools';
import {
  fromZodError,
  InvalidInputError,
  NotFoundError,
  PayloadTooLargeError,
  toProblemResponse,
  UnsupportedMediaTypeError,
} from '../lambdas/shared/problem';
import { phoneInBody } from '../lambdas/shared/schemas';
import * as z from '../lambdas/shared/zod';
import { CELLS_CONTEXT_KEY, cellsFromContext, sendRatesOf, type CellConfig } from '../lib/config';
import { newOptlineApp } from '../lib/optline-app';
import { TABLE_IDS } from '../lib/stacks/data-stack';
import { LocalCampaignQueue } from './campaigns';
import { LocalDsrQueue, LocalExportStore } from './dsr';
import { faultInjectingClient, type DynamoFaultInjector } from './dynamo-faults';
import { ensureTables, localClient, startDynamoDbLocal, type RunningDynamoDbLocal } from './dynamodb-local';
import { localJobs } from './jobs';
import { LocalQueue } from './local-queue';
import { LocalNotificationOutbox } from './notifications';
import { localTableDefinitions } from './table-definitions';
import { credentialByToken, LOCAL_TENANTS, tenantItem } from './tenants';
import { answerClientError, decodePathSegment, requestUrl } from './unparsable-requests';

/** The time budget a local request gets, like the Lambda timeout of the deployed functions. */
const LOCAL_REQUEST_BUDGET_MS = 10_000;

/** Bodies above this are refused before reaching a handler, as API Gateway refuses anything above 10 MB. */
const HARD_BODY_LIMIT_BYTES = 2 * 1024 * 1024;

export interface LocalServerOptions {
  /** @default 3000 */
  readonly port?: number;
  /** @default 'eu' */
  readonly cell?: string;
  /**
   * The cell configuration `cell` is looked up in, so a test can serve a cell of its own.
   * @default - the app's cells (cdk.json or `--context optline:cells`), as `cdk synth` reads them
   */
  readonly cells?: readonly CellConfig[];
  /** Keep data in memory only. @default false: data lives in `dataDir` */
  readonly inMemory?: boolean;
  /** Where persistent data lives; created when missing. @default - `.optline/<cell>` in the working directory */
  readonly dataDir?: string;
  /** Use an already running DynamoDB Local instead of starting one. @default - start one */
  readonly dynamoEndpoint?: string;
  /** Prefix for table names, so several servers can share one DynamoDB Local. @default - none */
  readonly tablePrefix?: string;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** Wraps the outbox sender, so tests can make the "provider" throttle or fail. @default - the outbox as is */
  readonly wrapSender?: (outbox: SmsSender) => SmsSender;
  /** Wraps the DSR queue, so tests can make sending to it fail. @default - the local queue as is */
  readonly wrapDsrQueue?: (queue: DsrQueue) => DsrQueue;
  /**
   * The provider opt-out lists' stand-in, so tests can seed carrier opt-outs and see what was mirrored.
   * @default - an empty in-memory list
   */
  readonly providerOptOuts?: InMemoryProviderOptOutList;
  /**
   * Sees every attempt of every DynamoDB request the server makes (the idempotency layer's too) and may throw,
   * so tests can make DynamoDB throttle or fail; the SDK retries as deployed, without pausing between attempts.
   * @default - no faults, and the SDK's own backoff
   */
  readonly dynamoFaults?: DynamoFaultInjector;
  /**
   * How long a data-subject request waits on the local queue before the worker takes it. `npm start` sets three
   * seconds, so that a client sees `received` and can extend a deadline as against a deployed cell, where the
   * worker is an SQS consumer; tests that do not need it leave it at 0 and wait with `dsrQueue.idle()`.
   * @default 0
   */
  readonly dsrPickupDelayMs?: number;
  /**
   * Messages per second of the local send schedule, shared by 1:1 sends and campaigns.
   * @default - the cell's smsMps, as deployed
   */
  readonly sendRateMps?: number;
  /**
   * The built privacy console, served at `/console/` with `{mode: 'local'}` sign-in (local/console-files.ts).
   * @default - none: `/console/` answers 503 and says how to build it
   */
  readonly consoleFiles?: ConsoleFiles;
  /**
   * Wraps the incident-notification outbox, so tests can make a tenant's channel fail.
   * @default - the outbox as is
   */
  readonly wrapNotifier?: (outbox: IncidentNotifier) => IncidentNotifier;
}

/** `npm start`'s `dsrPickupDelayMs`: a data-subject request stays `received` this long, as on a deployed queue. */
export const NPM_START_DSR_PICKUP_DELAY_MS = 3000;

export interface LocalServer {
  readonly url: string;
  readonly server: Server;
  /** The DSR queue: `idle()` waits until the worker has handled everything sent so far. */
  readonly dsrQueue: LocalDsrQueue;
  /** Export files of access and portability requests. */
  readonly exports: LocalExportStore;
  /** Metrics the jobs published. */
  readonly metrics: RecordingMetrics;
  /** Delivery events of simulator numbers: `idle()` waits until the consumer has applied all sent so far. */
  readonly deliveryEvents: LocalQueue;
  /** Campaign fan-out and dispatch: `idle()` waits until everything queued (delayed work included) is done. */
  readonly campaignQueue: LocalCampaignQueue;
  /** Breach notifications delivered to tenants, as `GET /_local/notifications` lists them. */
  readonly notifications: LocalNotificationOutbox;
  close(): Promise<void>;
}

const tableNames = (prefix: string): Record<TableId, string> =>
  Object.fromEntries(TABLE_IDS.map((id) => [id, `${prefix}${id}`])) as Record<TableId, string>;

/** One HMAC key per data directory, so subject ids stay stable across restarts of a persistent store. */
function subjectIdKey(dataDir: string | undefined): Uint8Array {
  if (!dataDir) return randomBytes(32);
  const file = join(dataDir, 'subject-id.key');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  return Buffer.from(readFileSync(file, 'utf8'), 'base64');
}

/** With a data directory, the outbox survives restarts like the tables do. */
function persistedOutbox(
  dataDir: string | undefined,
): Pick<OutboxSenderOptions, 'initialEntries' | 'onSend'> {
  if (!dataDir) return {};
  const file = join(dataDir, 'outbox.json');
  const entries: OutboxEntry[] = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as OutboxEntry[])
    : [];
  return {
    initialEntries: entries,
    onSend: (entry) => {
      entries.push(entry);
      writeFileSync(file, JSON.stringify(entries, null, 2));
    },
  };
}

/** Body of `POST /_local/inbound`: an SMS as the provider would deliver it, to the `demo` tenant by default. */
export const localInboundRequest = z.strictObject({
  from: phoneInBody,
  body: z.string().check(z.maxLength(1600)),
  tenant: z.optional(z.enum(LOCAL_TENANTS.map((t) => t.tenantId) as [string, ...string[]])),
});

/** Body of `POST /_local/jobs/<name>`: the clock to run the job at. */
export const localJobRequest = z.strictObject({ now: z.optional(z.iso.datetime({ offset: true })) });

/** Parses a local-route body as the API handler would: JSON only, within the size limit, then zod. */
function parseLocalBody<T>(req: IncomingMessage, text: string, schema: z.ZodMiniType<T>): T {
  const mediaType = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (text === '') throw new InvalidInputError([{ field: '(body)', message: 'a JSON body is required' }]);
  if (mediaType !== 'application/json') throw new UnsupportedMediaTypeError();
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES)
    throw new PayloadTooLargeError({ detail: `The body must be at most ${MAX_BODY_BYTES} bytes.` });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidInputError([{ field: '(body)', message: 'is not valid JSON' }]);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw fromZodError(parsed.error);
  return parsed.data;
}

interface CompiledRoute {
  readonly pattern: RegExp;
  readonly resource: string;
  readonly params: readonly string[];
  readonly fn: ApiFunction;
}

const compiledRoutes: readonly CompiledRoute[] = [...new Map(ROUTES.map((r) => [r.path, r])).values()].map(
  (r) => ({
    resource: r.path,
    fn: r.fn,
    params: [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
    pattern: new RegExp(`^${r.path.replace(/\{\w+\}/g, '([^/]+)')}$`),
  }),
);

async function readBody(req: IncomingMessage): Promise<{ text: string; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    // Keep draining so the client can read our answer, but stop buffering past the limit.
    if (size <= HARD_BODY_LIMIT_BYTES) chunks.push(chunk as Buffer);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), tooLarge: size > HARD_BODY_LIMIT_BYTES };
}

function send(res: ServerResponse, result: APIGatewayProxyResult): void {
  res.writeHead(result.statusCode, result.headers as Record<string, string>);
  res.end(result.body);
}

const sendJson = (res: ServerResponse, statusCode: number, body: unknown): void =>
  send(res, { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

function toEvent(
  req: IncomingMessage,
  url: URL,
  route: CompiledRoute,
  match: RegExpMatchArray,
  body: string,
): APIGatewayProxyEvent {
  const headers = Object.fromEntries(
    Object.entries(req.headers).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.join(', ') : (value ?? ''),
    ]),
  );
  return {
    resource: route.resource,
    path: url.pathname,
    httpMethod: req.method ?? 'GET',
    headers,
    multiValueHeaders: {},
    pathParameters: Object.fromEntries(route.params.map((name, i) => [name, match[i + 1]!])),
    queryStringParameters: url.searchParams.size > 0 ? Object.fromEntries(url.searchParams) : null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    body: body === '' ? null : body,
    isBase64Encoded: false,
    requestContext: { requestId: randomUUID() } as APIGatewayProxyEvent['requestContext'],
  };
}

export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const cell = options.cell ?? 'eu';
  const prefix = options.tablePrefix ?? '';
  const dataDir =
    options.inMemory || options.dynamoEndpoint
      ? undefined
      : (options.dataDir ?? join(process.cwd(), '.optline', cell));
  if (dataDir) mkdirSync(dataDir, { recursive: true });

  let dynamoLocal: RunningDynamoDbLocal | undefined;
  const endpoint =
    options.dynamoEndpoint ??
    (dynamoLocal = await startDynamoDbLocal({ dbPath: dataDir && join(dataDir, 'dynamodb') })).endpoint;
  try {
    await ensureTables(endpoint, localTableDefinitions(cell, prefix, options.cells));
  } catch (error) {
    await dynamoLocal?.stop();
    throw error;
  }

  // As deployed: reads by key and key-condition queries only.
  const dynamo = queryOnly(
    options.dynamoFaults ? await faultInjectingClient(endpoint, options.dynamoFaults) : localClient(endpoint),
  );
  const db = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  const tables = tableNames(prefix);
  for (const tenant of LOCAL_TENANTS) {
    await db.send(new PutCommand({ TableName: tables.Tenants, Item: tenantItem(tenant) }));
  }

  const clock = options.clock ?? (() => new Date());
  const ports: ConsentPorts<TableId> = {
    dynamo,
    db,
    tables,
    subjectIds: new LocalSubjectIdDeriver(subjectIdKey(dataDir)),
    clock,
    providerOptOuts: options.providerOptOuts ?? new InMemoryProviderOptOutList(clock),
  };
  // The deployed delivery-status consumer, fed with the events the outbox produces for simulator numbers.
  const deliveryEvents = new LocalQueue(
    deliveryStatusHandler({ store: new DynamoMessageStatusStore(db, tables), clock, logger }),
    // Its usual redelivery is of an event that arrives before the send that caused it is logged.
    { name: 'delivery-events', maxReceives: 8, redeliveryDelayMs: 100 },
  );
  const outbox = new OutboxSender({
    clock: ports.clock,
    ...persistedOutbox(dataDir),
    onDeliveryEvent: (eventJson) => deliveryEvents.publish(eventJson),
  });
  const cellConfig = (
    options.cells ?? cellsFromContext(newOptlineApp().node.tryGetContext(CELLS_CONTEXT_KEY))
  ).find((c) => c.name === cell)!;
  const regime = cellConfig.regime;
  // As a deployed function does at cold start: every TTL written from here on follows the cell's overrides.
  useCellPeriods(periodsOf(cellConfig.retentionOverrides));
  // As deployed, every send takes a slot on the shared schedule of its origination identity, kept in the
  // Idempotency table; local tenants' channels name no provisioned identity, so they share the cell-wide one.
  const rates =
    options.sendRateMps === undefined
      ? sendRatesOf(cellConfig)
      : { [CELL_WIDE_IDENTITY]: options.sendRateMps };
  const senderWaiting = (policy: SlotPolicy): SmsSender => {
    const scheduled = scheduledSender(outbox, { db, tables, rates, policy });
    return options.wrapSender?.(scheduled) ?? scheduled;
  };
  const sender = senderWaiting(SLOT_POLICIES.oneToOne);
  const callers = bearerTokenCaller(credentialByToken());
  let baseUrl = '';
  // Not named `exports`: in the CommonJS build that would shadow the module's own exports.
  const exportFiles = new LocalExportStore({
    baseUrl: () => baseUrl,
    clock: ports.clock,
    dir: dataDir && join(dataDir, 'exports'),
  });
  const metrics = new RecordingMetrics();
  // The deployed worker's SQS batch handler, fed by an in-process queue.
  const dsrQueue = new LocalDsrQueue(
    dsrWorkerHandler(dsrWorkerDeps({ ...ports, exports: exportFiles }), logger),
    options.dsrPickupDelayMs,
  );
  const dsrQueueAsSent = options.wrapDsrQueue?.(dsrQueue) ?? dsrQueue;
  const messaging = messageActions({ ...ports, sender });
  // As in Lambda, an in-progress Idempotency-Key frees up once the request's time budget is spent.
  messaging.idempotencyConfig.registerLambdaContext({
    getRemainingTimeInMillis: () => LOCAL_REQUEST_BUDGET_MS,
  } as Context);
  // The deployed campaign worker's SQS batch handler, fed by an in-process queue that is also the starter. The
  // queue and the handler refer to each other; the queue calls the handler only after this function returns.
  const campaignSender = senderWaiting(SLOT_POLICIES.campaign);
  const campaignQueue: LocalCampaignQueue = new LocalCampaignQueue((event) => campaignHandler(event));
  const campaignHandler = campaignWorkerHandler(
    campaignWorkerDeps({
      ...ports,
      sender: campaignSender,
      queue: campaignQueue,
      audience: new DynamoAudienceReader(db, tables.Subscribers),
      send: sendDeps({ ...ports, sender: campaignSender }),
    }),
    logger,
  );
  // Tenants' incident notifications go to an outbox in place of their SNS topics.
  const notifications = new LocalNotificationOutbox(ports.clock, dataDir);
  const notifier = options.wrapNotifier?.(notifications) ?? notifications;
  const incidents = incidentActions({
    ...ports,
    notifier,
    cellTenants: LOCAL_TENANTS.map((tenant) => tenant.tenantId),
  });
  const actionsByFunction: Record<ApiFunction, Record<string, RouteAction>> = {
    subscribers: subscriberActions({ ...ports, sender }),
    messages: messaging.actions,
    optouts: optOutActions(ports),
    dsr: dsrActions({
      ...ports,
      queue: dsrQueueAsSent,
      exports: exportFiles,
      regime,
      onEnqueueFailed: (errorName) => logger.warn('DSR request stored but not queued', { errorName }),
    }),
    campaigns: campaignActions({ ...ports, starter: campaignQueue }),
    stats: statsActions(ports),
    incidents: incidents.actions,
  };
  const operatorActionsByFunction: Partial<Record<ApiFunction, Record<string, OperatorRouteAction>>> = {
    incidents: incidents.operatorActions,
  };
  // The inbound path the deployed SNS → SQS consumer runs, called synchronously.
  const inbound = inboundDeps({ ...ports, sender });
  const jobs = localJobs(
    ports,
    LOCAL_TENANTS.map((tenant) => tenant.tenantId),
    { dsrQueue: dsrQueueAsSent, metrics, notifier },
  );

  const consoleFiles = options.consoleFiles ?? new Map();
  const handlers = Object.fromEntries(
    API_FUNCTIONS.map((fn) => [
      fn,
      createApiHandler({
        fn,
        actions: actionsByFunction[fn],
        operatorActions: operatorActionsByFunction[fn],
        callers,
        logger,
      }),
    ]),
  ) as Record<ApiFunction, ApiHandler>;

  const server = createServer((req, res) => {
    void (async () => {
      try {
        const url = requestUrl(req.url);
        const body = await readBody(req);
        if (req.method === 'GET' && url.pathname === '/openapi.json')
          return sendJson(res, 200, buildOpenApiDocument(baseUrl));
        if (url.pathname === '/console' || url.pathname.startsWith('/console/')) {
          const path = url.pathname === '/console' ? undefined : url.pathname.slice('/console/'.length);
          const {
            statusCode,
            headers,
            body: file,
          } = consoleResponse(req.method ?? 'GET', path, consoleFiles, { mode: 'local' });
          res.writeHead(statusCode, headers);
          return void res.end(file);
        }
        if (req.method === 'GET' && url.pathname === '/_local/outbox')
          return sendJson(res, 200, outbox.entries());
        if (req.method === 'GET' && url.pathname === '/_local/notifications')
          return sendJson(res, 200, notifications.entries());
        if (req.method === 'GET' && url.pathname.startsWith('/_local/exports/')) {
          const key = decodePathSegment(url.pathname.slice('/_local/exports/'.length), 'key');
          const json = await exportFiles.serve(key, url.searchParams);
          return send(res, {
            statusCode: 200,
            headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
            body: json,
          });
        }
        if (req.method === 'POST' && url.pathname === '/_local/inbound') {
          if (body.tooLarge)
            throw new PayloadTooLargeError({ detail: `The body must be at most ${MAX_BODY_BYTES} bytes.` });
          const sms = parseLocalBody(req, body.text, localInboundRequest);
          const { action } = await processInbound(inbound, {
            messageId: randomUUID(),
            tenantId: sms.tenant ?? 'demo',
            from: sms.from,
            body: sms.body,
            at: ports.clock(),
          });
          return sendJson(res, 200, { action });
        }

        const jobMatch = req.method === 'POST' ? url.pathname.match(/^\/_local\/jobs\/([\w-]+)$/) : null;
        if (jobMatch) {
          const name = jobMatch[1]! as JobName;
          if (!JOB_NAMES.includes(name)) throw new NotFoundError({ detail: 'No such job.' });
          const { now } = body.text === '' ? {} : parseLocalBody(req, body.text, localJobRequest);
          const summary = await jobs[name]({
            now: now === undefined ? ports.clock() : new Date(now),
            remainingMs: () => Number.POSITIVE_INFINITY,
          });
          return sendJson(res, 200, { job: name, summary });
        }

        const route = compiledRoutes.find((r) => r.pattern.test(url.pathname));
        if (!route) throw new NotFoundError({ detail: 'No such route.' });
        if (body.tooLarge)
          throw new PayloadTooLargeError({ detail: `The body must be at most ${MAX_BODY_BYTES} bytes.` });
        const match = url.pathname.match(route.pattern)!;
        send(res, await handlers[route.fn](toEvent(req, url, route, match, body.text)));
      } catch (error) {
        send(res, toProblemResponse(error));
      }
    })();
  });
  // A request line or header node:http cannot parse never reaches the handler above.
  server.on('clientError', answerClientError);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, '127.0.0.1', () => resolve());
    // port 0 picks a free port, which tests rely on
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    server,
    dsrQueue,
    exports: exportFiles,
    metrics,
    deliveryEvents,
    campaignQueue,
    notifications,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      campaignQueue.stop();
      await dsrQueue.idle();
      await deliveryEvents.idle();
      db.destroy();
      await dynamoLocal?.stop();
    },
  };
}
