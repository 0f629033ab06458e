/**
 * DynamoDB throttling and transient faults, injected into every attempt of the local server's DynamoDB client
 * (the idempotency layer's included), with the SDK retrying as deployed. Checks what clients are answered, that
 * a request answered 503 left nothing half-written, and that its retry completes it exactly once.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { InternalServerError, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { queryOnly } from '../../lambdas/adapters/dynamo/query-only';
import { SEND_RATE_ID_PREFIX } from '../../lambdas/adapters/dynamo/send-rate-store';
import { LocalSubjectIdDeriver } from '../../lambdas/adapters/local-subject-id';
import { InMemoryProviderOptOutList } from '../../lambdas/adapters/optout-list/in-memory-provider-optout-list';
import { OutboxSender } from '../../lambdas/adapters/sms/outbox-sender';
import { inboundDeps, inboundSmsHandler } from '../../lambdas/api/inbound-sms';
import { DAILY_COUNTERS } from '../../lambdas/domain/daily-stats';
import type { DsrQueue, DsrWorkItem } from '../../lambdas/domain/dsr-ports';
import type { TableId } from '../../lambdas/shared/env';
import { TRANSIENT_FAULT_RETRY_AFTER_SECONDS } from '../../lambdas/shared/transient-faults';
import { TABLE_IDS } from '../../lib/stacks/data-stack';
import {
  faultInjectingClient,
  type DynamoAttempt,
  type DynamoFaultInjector,
} from '../../local/dynamo-faults';
import { randomPhone, startTestServer, type TestResponse, type TestServer } from './harness/local-server';

const throttle = () =>
  new ProvisionedThroughputExceededException({
    message: 'The level of configured provisioned throughput for the table was exceeded',
    $metadata: { httpStatusCode: 400 },
  });
const serverError = () =>
  new InternalServerError({ message: 'Internal server error', $metadata: { httpStatusCode: 500 } });

/** Every attempt of every command fails. */
const always =
  (fault: () => Error): DynamoFaultInjector =>
  () => {
    throw fault();
  };

/** Each command's first `failures` attempts fail; the SDK's next retry gets through. */
const firstAttemptsOfEach =
  (failures: number, fault: () => Error): DynamoFaultInjector =>
  ({ attempt }) => {
    if (attempt <= failures) throw fault();
  };

/** Every attempt of the `k`-th command (0-based) fails, and with `andAfter` every later command's too. */
function fromCommand(k: number, fault: () => Error, andAfter = false): DynamoFaultInjector {
  const commands: string[] = [];
  return ({ id }) => {
    if (!commands.includes(id)) commands.push(id);
    const index = commands.indexOf(id);
    if (index === k || (andAfter && index > k)) throw fault();
  };
}

interface FaultyServer {
  readonly server: TestServer;
  /**
   * Runs `act` with `inject` armed; returns what it returned and the attempts DynamoDB was sent meanwhile. DSR
   * work waits in the queue until `settle`, which `during` calls once the faults are off: the worker shares the
   * client, and is checked on its own.
   */
  during<T>(
    inject: DynamoFaultInjector,
    act: () => Promise<T>,
  ): Promise<{ result: T; attempts: DynamoAttempt[] }>;
  /** Lets the DSR worker handle what was queued, and waits until it has. */
  settle(): Promise<void>;
}

async function startFaultyServer(): Promise<FaultyServer> {
  let inject: DynamoFaultInjector | undefined;
  let seen: DynamoAttempt[] = [];
  const held: DsrWorkItem[] = [];
  let queue: DsrQueue | undefined;
  const server = await startTestServer({
    dynamoFaults: (attempt) => {
      seen.push(attempt);
      inject?.(attempt);
    },
    wrapDsrQueue: (local) => {
      queue = local;
      return { enqueue: async (item) => void held.push(item) };
    },
  });
  const settle = async () => {
    for (const item of held.splice(0)) await queue!.enqueue(item);
    await server.dsrQueue.idle();
  };
  return {
    server,
    settle,
    async during(injector, act) {
      await server.dsrQueue.idle();
      seen = [];
      inject = injector;
      try {
        const result = await act();
        return { result, attempts: [...seen] };
      } finally {
        inject = undefined;
        await settle();
      }
    },
  };
}

type Snapshot = Record<string, unknown[]>;

/**
 * Items per table that `after` has and `before` had not (a changed item counts as new). DailyStats is left out:
 * its counters change in place, on a shard that depends on the event's id; {@link counted} checks them.
 */
function added(before: Snapshot, after: Snapshot): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .filter(([table]) => table !== 'DailyStats')
      .map(
        ([table, items]) => [table, items.filter((item) => !before[table]!.includes(item)).length] as const,
      )
      .filter(([, count]) => count > 0),
  );
}

/** How much each daily counter of the tenants grew from `before` to `after`; counters that did not are left out. */
function counted(before: Snapshot, after: Snapshot): Record<string, number> {
  const sums = (snapshot: Snapshot) => {
    const totals: Record<string, number> = {};
    for (const json of snapshot.DailyStats ?? []) {
      for (const [name, value] of Object.entries(JSON.parse(json as string) as Record<string, unknown>)) {
        if ((DAILY_COUNTERS as readonly string[]).includes(name))
          totals[name] = (totals[name] ?? 0) + Number(value);
      }
    }
    return totals;
  };
  const [was, is] = [sums(before), sums(after)];
  return Object.fromEntries(
    Object.entries(is)
      .map(([name, total]) => [name, total - (was[name] ?? 0)] as const)
      .filter(([, grown]) => grown !== 0),
  );
}

const commandsOf = (attempts: readonly DynamoAttempt[]) => [...new Set(attempts.map((a) => a.id))].length;
/**
 * "PutItemCommand MessageLog": the `k`-th command the attempts belong to, and its table (none for a batch); a
 * transaction's tables are joined with `+`.
 */
const nthCommand = (attempts: readonly DynamoAttempt[], k: number): string | undefined => {
  const id = [...new Set(attempts.map((a) => a.id))][k];
  const first = attempts.find((a) => a.id === id);
  if (!first) return undefined;
  const transacted = (first.input.TransactItems as Array<Record<string, { TableName?: string }>> | undefined)
    ?.map((item) => Object.values(item)[0]?.TableName ?? '')
    .filter((table, i, all) => all.indexOf(table) === i);
  const tables = transacted ?? [String(first.input.TableName ?? '')];
  // A send slot's reservation (before the send) is told apart from the idempotency record's completion (after).
  const key = first.input.Key as { id?: { S?: string } } | undefined;
  const slot = key?.id?.S?.startsWith(SEND_RATE_ID_PREFIX) ? ' (send slot)' : '';
  return `${first.command} ${tables.map((table) => table.replace(/^t\w+_/, '')).join('+')}${slot}`.trim();
};

function expectRetryLater(response: TestResponse, seconds = TRANSIENT_FAULT_RETRY_AFTER_SECONDS): void {
  expect(response.status).toBe(503);
  expect(response.contentType).toBe('application/problem+json');
  expect(response.headers.get('retry-after')).toBe(String(seconds));
  expect(response.body).toMatchObject({ type: 'urn:optline:problem:service-unavailable', status: 503 });
}

const subscribeBody = (phone: string, extra: Record<string, unknown> = {}) => ({
  phone,
  consent: { source: 'api', noticeVersion: 'v1' },
  ...extra,
});
const sendBody = (phone: string) => ({
  to: phone,
  body: 'Your order has shipped',
  category: 'transactional',
});
const dsrBody = (phone: string) => ({
  type: 'access',
  phone,
  verification: { method: 'sms_otp', reference: 'case-1' },
});

async function outboxFor(server: TestServer, phone: string): Promise<Array<{ body: string }>> {
  const entries = (await server.request('GET', '/_local/outbox')).body as Array<{ to: string; body: string }>;
  return entries.filter((entry) => entry.to === phone);
}

async function subscribed(server: TestServer): Promise<string> {
  const phone = randomPhone();
  expect((await server.request('POST', '/v1/subscribers', { body: subscribeBody(phone) })).status).toBe(201);
  return phone;
}

// A lasting throttle spends the SDK client's retry quota (500 tokens, 5 a throttled retry) as it would in Lambda;
// the server checking throttles that clear within the retries starts with a quota of its own.
let faulty: FaultyServer;
let server: TestServer;
beforeAll(async () => {
  faulty = await startFaultyServer();
  server = faulty.server;
});
afterAll(() => server.close());

describe('a DynamoDB throttle that outlasts the SDK retries', () => {
  it('answers a subscribe 503 with Retry-After after the SDK tried four times, and stores nothing', async () => {
    // GIVEN every DynamoDB request throttled
    const phone = randomPhone();
    const before = await server.snapshot();
    // WHEN a subscriber is created
    const { result, attempts } = await faulty.during(always(throttle), () =>
      server.request('POST', '/v1/subscribers', { body: subscribeBody(phone) }),
    );
    // THEN the client is told to come back, once the SDK gave up on its own retries
    expectRetryLater(result);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
    expect(await server.snapshot()).toEqual(before);
    // AND once the throttle is over, the same request succeeds
    expect((await server.request('POST', '/v1/subscribers', { body: subscribeBody(phone) })).status).toBe(
      201,
    );
  });

  it('answers a send 503, and its retry with the same Idempotency-Key sends once', async () => {
    // GIVEN a subscriber, and then every DynamoDB request throttled
    const phone = await subscribed(server);
    const key = randomUUID();
    const send = () =>
      server.request('POST', '/v1/messages', { body: sendBody(phone), headers: { 'idempotency-key': key } });
    const before = await server.snapshot();
    // WHEN a message is sent
    const { result } = await faulty.during(always(throttle), send);
    // THEN 503, no idempotency record left behind, nothing logged and nothing sent
    expectRetryLater(result);
    expect(result.body.detail).toMatch(/with the same Idempotency-Key\.$/);
    expect(await server.snapshot()).toEqual(before);
    expect(await outboxFor(server, phone)).toEqual([]);
    // WHEN the throttle is over and the client retries with the same key, and once more
    const retried = await send();
    const replayed = await send();
    // THEN the message went out exactly once, and both answers name it
    expect(retried.status).toBe(202);
    expect(replayed.body).toEqual(retried.body);
    expect(await outboxFor(server, phone)).toHaveLength(1);
    const after = await server.snapshot();
    expect(added(before, after)).toEqual({ Idempotency: 1, MessageLog: 1 });
    expect(counted(before, after)).toEqual({ sent: 1 });
  });

  it('answers an opt-out 503 and records it once when retried', async () => {
    const phone = randomPhone();
    const before = await server.snapshot();
    const { result } = await faulty.during(always(serverError), () =>
      server.request('POST', '/v1/opt-outs', { body: { phone } }),
    );
    expectRetryLater(result);
    expect(await server.snapshot()).toEqual(before);

    const retried = await server.request('POST', '/v1/opt-outs', { body: { phone } });
    expect(retried.status).toBe(200);
    // One suppression and its consent head, one ledger event, one opt-out counted
    const after = await server.snapshot();
    expect(added(before, after)).toEqual({ Suppressions: 2, ConsentLedger: 1 });
    expect(counted(before, after)).toEqual({ optOuts: 1 });
  });

  it('answers a data-subject request 503 and opens it once when retried', async () => {
    const phone = randomPhone();
    const before = await server.snapshot();
    const { result } = await faulty.during(always(throttle), () =>
      server.request('POST', '/v1/dsr', { body: dsrBody(phone) }),
    );
    expectRetryLater(result);
    await faulty.settle();
    expect(await server.snapshot()).toEqual(before);

    const retried = await server.request('POST', '/v1/dsr', { body: dsrBody(phone) });
    expect(retried.status).toBe(202);
    await faulty.settle();
    const requests = (await server.snapshot()).DsrRequests!.filter(
      (item) => !before.DsrRequests!.includes(item),
    );
    expect(requests).toHaveLength(1);
  });

  it('keeps the key of a send whose idempotency record could not be deleted either, and says for how long', async () => {
    // GIVEN a throttle that begins once the send's in-progress record is written, and lasts
    const phone = await subscribed(server);
    const key = randomUUID();
    const send = () =>
      server.request('POST', '/v1/messages', { body: sendBody(phone), headers: { 'idempotency-key': key } });
    // WHEN the message is sent
    const { result } = await faulty.during(fromCommand(1, throttle, true), send);
    // THEN 503, and Retry-After covers the time the key stays in progress (the local request budget, 10 s)
    expectRetryLater(result, 10);
    // AND a retry before then is told the key is still in progress, and nothing was sent
    const early = await send();
    expect(early.status).toBe(409);
    expect(early.body.detail).toMatch(/still in progress/);
    expect(await outboxFor(server, phone)).toEqual([]);
  });
});

describe('a DynamoDB throttle that clears within the SDK retries', () => {
  let fresh: FaultyServer;
  beforeAll(async () => {
    fresh = await startFaultyServer();
  });
  afterAll(() => fresh.server.close());

  it('is invisible to clients: subscribe, send, opt-out and DSR all succeed', async () => {
    // GIVEN every command throttled on its first three attempts (the SDK makes four)
    const phone = randomPhone();
    const { result, attempts } = await fresh.during(firstAttemptsOfEach(3, throttle), async () => [
      await fresh.server.request('POST', '/v1/subscribers', { body: subscribeBody(phone) }),
      await fresh.server.request('POST', '/v1/messages', {
        body: sendBody(phone),
        headers: { 'idempotency-key': randomUUID() },
      }),
      await fresh.server.request('POST', '/v1/dsr', { body: dsrBody(phone) }),
      await fresh.server.request('POST', '/v1/opt-outs', { body: { phone } }),
    ]);
    // THEN every request succeeded, and the SDK did retry each command
    expect(result.map((r) => r.status)).toEqual([201, 202, 202, 200]);
    expect(commandsOf(attempts)).toBeGreaterThan(8);
    expect(attempts.filter((a) => a.attempt === 4)).toHaveLength(commandsOf(attempts));
    expect(await outboxFor(fresh.server, phone)).toHaveLength(1);
  });
});

describe('nothing is half-written wherever a lasting throttle strikes', () => {
  it('subscribe with double opt-in: a 503 leaves nothing, or a whole subscriber whose retry sends the request', async () => {
    // GIVEN what a clean subscribe does (the second one: the first also fills the tenant cache)
    const subscribe = (phone: string) =>
      server.request('POST', '/v1/subscribers', { body: subscribeBody(phone, { doubleOptIn: true }) });
    await subscribe(randomPhone());
    const cleanBefore = await server.snapshot();
    const { attempts } = await faulty.during(
      () => undefined,
      () => subscribe(randomPhone()),
    );
    const cleanAfter = await server.snapshot();
    const cleanShape = added(cleanBefore, cleanAfter);
    expect(cleanShape).toEqual({ Subscribers: 1, ConsentLedger: 1, Suppressions: 1, MessageLog: 1 });
    const cleanCounts = counted(cleanBefore, cleanAfter);
    expect(cleanCounts).toEqual({ optIns: 1, sent: 1 });

    for (let k = 0; k < commandsOf(attempts); k += 1) {
      const phone = randomPhone();
      const before = await server.snapshot();
      // WHEN the k-th command is throttled through every retry
      const { result, attempts: struck } = await faulty.during(fromCommand(k, throttle), () =>
        subscribe(phone),
      );
      const failing = nthCommand(struck, k);
      const faultSnapshot = await server.snapshot();
      const afterFault = added(before, faultSnapshot);
      if (failing === undefined) {
        // This time the request made fewer commands (the tenant cache expired before the clean run).
        expect(result.status).toBe(201);
        continue;
      }
      if (failing === 'TransactWriteItemsCommand MessageLog+DailyStats') {
        // The "reply YES" request went out; only its log entry, and with it its count, is missing (logged as an
        // incident).
        expect([failing, result.status]).toEqual([failing, 201]);
        expect(afterFault).toEqual({ Subscribers: 1, ConsentLedger: 1, Suppressions: 1 });
        expect(counted(before, faultSnapshot)).toEqual({ optIns: 1 });
        expect(await outboxFor(server, phone)).toHaveLength(1);
        continue;
      }
      // THEN 503, with nothing stored, or the subscriber and its consent stored whole
      expect([failing, result.status]).toEqual([failing, 503]);
      const whole = { Subscribers: 1, ConsentLedger: 1, Suppressions: 1 };
      const nothing = Object.keys(afterFault).length === 0;
      expect({ failing, stored: afterFault }).toEqual({ failing, stored: nothing ? {} : whole });
      expect({ failing, counted: counted(before, faultSnapshot) }).toEqual({
        failing,
        counted: nothing ? {} : { optIns: 1 },
      });
      expect(await outboxFor(server, phone)).toEqual([]);
      // AND the retry completes it: one subscriber, one consent event, one "reply YES" request
      const retried = await subscribe(phone);
      expect([failing, retried.status]).toEqual([failing, nothing ? 201 : 200]);
      const afterRetry = await server.snapshot();
      expect([failing, added(before, afterRetry)]).toEqual([failing, cleanShape]);
      expect([failing, counted(before, afterRetry)]).toEqual([failing, cleanCounts]);
      expect(await outboxFor(server, phone)).toHaveLength(1);
    }
  });

  it('send: every answer is 503 with nothing left behind, or 202 for a message that went out, and it goes out once', async () => {
    // GIVEN what a clean send does (the second one: the first also fills the tenant cache)
    const sendTo = (phone: string, key: string) =>
      server.request('POST', '/v1/messages', { body: sendBody(phone), headers: { 'idempotency-key': key } });
    await sendTo(await subscribed(server), randomUUID());
    const clean = await subscribed(server);
    const cleanBefore = await server.snapshot();
    const { attempts } = await faulty.during(
      () => undefined,
      () => sendTo(clean, randomUUID()),
    );
    const cleanAfter = await server.snapshot();
    expect(added(cleanBefore, cleanAfter)).toEqual({ Idempotency: 1, MessageLog: 1 });
    expect(counted(cleanBefore, cleanAfter)).toEqual({ sent: 1 });

    for (let k = 0; k < commandsOf(attempts); k += 1) {
      const phone = await subscribed(server);
      const key = randomUUID();
      const send = () => sendTo(phone, key);
      const before = await server.snapshot();
      // WHEN the k-th command is throttled through every retry
      const { result, attempts: struck } = await faulty.during(fromCommand(k, throttle), send);
      const failing = nthCommand(struck, k);
      const faultSnapshot = await server.snapshot();
      const afterFault = added(before, faultSnapshot);
      const countedAfterFault = counted(before, faultSnapshot);

      if (failing === undefined) {
        // This time the request made fewer commands (the tenant cache expired before the clean run).
        expect(result.status).toBe(202);
      } else if (failing === 'TransactWriteItemsCommand MessageLog+DailyStats') {
        // Sent, not logged (nor counted): 202 all the same, since a retry would send it again (an incident is
        // logged).
        expect([failing, result.status]).toEqual([failing, 202]);
        expect(afterFault).toEqual({ Idempotency: 1 });
        expect(countedAfterFault).toEqual({});
        expect((await send()).body).toEqual(result.body);
      } else if (failing === 'UpdateItemCommand Idempotency') {
        // Sent and logged, but the key could not be completed: 202, and the key stays in progress a while.
        expect([failing, result.status]).toEqual([failing, 202]);
        expect(afterFault).toEqual({ Idempotency: 1, MessageLog: 1 });
        expect(countedAfterFault).toEqual({ sent: 1 });
        expect((await send()).status).toBe(409);
      } else {
        // THEN 503 and nothing stored: no message, no idempotency record in the way of the retry
        expect([failing, result.status]).toEqual([failing, 503]);
        expect([failing, afterFault, countedAfterFault]).toEqual([failing, {}, {}]);
        expect(await outboxFor(server, phone)).toEqual([]);
        // AND the retry with the same key sends it
        const retried = await send();
        expect([failing, retried.status]).toEqual([failing, 202]);
        const afterRetry = await server.snapshot();
        expect(added(before, afterRetry)).toEqual({ Idempotency: 1, MessageLog: 1 });
        expect(counted(before, afterRetry)).toEqual({ sent: 1 });
      }
      expect([failing, (await outboxFor(server, phone)).length]).toEqual([failing, 1]);
    }
  });

  it('opt-out and DSR: a 503 stores nothing, and the retry records the change once', async () => {
    const requests = [
      { path: '/v1/opt-outs', body: (phone: string) => ({ phone }), ok: 200 },
      { path: '/v1/dsr', body: dsrBody, ok: 202 },
    ];
    for (const { path, body, ok } of requests) {
      const clean = randomPhone();
      const cleanBefore = await server.snapshot();
      const { attempts } = await faulty.during(
        () => undefined,
        () => server.request('POST', path, { body: body(clean) }),
      );
      await faulty.settle();
      const cleanAfter = await server.snapshot();
      const cleanShape = added(cleanBefore, cleanAfter);
      const cleanCounts = counted(cleanBefore, cleanAfter);

      for (let k = 0; k < commandsOf(attempts); k += 1) {
        const phone = randomPhone();
        const before = await server.snapshot();
        const { result, attempts: struck } = await faulty.during(fromCommand(k, throttle), () =>
          server.request('POST', path, { body: body(phone) }),
        );
        const failing = `${path}: ${nthCommand(struck, k)}`;
        expect([failing, result.status]).toEqual([failing, 503]);
        expect([failing, await server.snapshot()]).toEqual([failing, before]);

        expect((await server.request('POST', path, { body: body(phone) })).status).toBe(ok);
        await faulty.settle();
        const afterRetry = await server.snapshot();
        expect([failing, added(before, afterRetry)]).toEqual([failing, cleanShape]);
        expect([failing, counted(before, afterRetry)]).toEqual([failing, cleanCounts]);
      }
    }
  });
});

describe('queue consumers under a lasting throttle', () => {
  it('the DSR worker reports the record as failed, so SQS delivers it again until it is done', async () => {
    // GIVEN a data-subject request stored while DynamoDB was fine, and then a lasting throttle
    const opened = await server.request('POST', '/v1/dsr', { body: dsrBody(await subscribed(server)) });
    const path = `/v1/dsr/${opened.body.requestId as string}`;
    const deadLettered = server.dsrQueue.deadLetters.length;
    // WHEN the worker gets it during the throttle (the local queue redelivers a reported failure 5 times)
    const released = await faulty.during(always(throttle), async () => {
      await faulty.settle();
      return server.dsrQueue.deadLetters.slice(deadLettered);
    });
    // THEN every delivery failed and none was taken for done: the item ends in the dead-letter queue
    expect(released.result).toEqual([{ tenantId: 'demo', requestId: opened.body.requestId }]);
    expect((await server.request('GET', path)).body.status).not.toBe('completed');
    // AND once the throttle is over, a redrive completes it
    await server.dsrQueue.enqueue(released.result[0]!);
    await server.dsrQueue.idle();
    expect((await server.request('GET', path)).body.status).toBe('completed');
  });

  it('the inbound SMS consumer reports a throttled STOP as a batch item failure, and its redelivery confirms once', async () => {
    // GIVEN the deployed consumer on this server's tables, behind a client that DynamoDB throttles
    let throttled = true;
    const dynamo = queryOnly(
      await faultInjectingClient(process.env.OPTLINE_DYNAMODB_ENDPOINT!, () => {
        if (throttled) throw throttle();
      }),
    );
    const db = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
    const outbox = new OutboxSender();
    const tables = Object.fromEntries(TABLE_IDS.map((id) => [id, `${server.tablePrefix}${id}`])) as Record<
      TableId,
      string
    >;
    const handle = inboundSmsHandler({
      inbound: inboundDeps({
        dynamo,
        db,
        tables,
        subjectIds: new LocalSubjectIdDeriver('consumer-faults-key'),
        sender: outbox,
        clock: () => new Date(),
        providerOptOuts: new InMemoryProviderOptOutList(),
      }),
      inboundNumbers: [{ number: '+447700900001', tenant: 'demo' }],
      logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    });
    const phone = randomPhone();
    const sms = (destinationNumber: string) =>
      ({
        messageId: randomUUID(),
        body: JSON.stringify({
          originationNumber: phone,
          destinationNumber,
          messageBody: 'STOP',
          inboundMessageId: randomUUID(),
        }),
        attributes: { SentTimestamp: String(Date.now()) },
      }) as SQSRecord;
    const stop = sms('+447700900001');
    const notForThisCell = sms('+447700900777');
    try {
      // WHEN the STOP arrives during the throttle, alone or with a record that needs no table
      // THEN it is reported failed, for SQS to deliver again (a batch that failed whole fails the invocation),
      // and nothing was sent
      await expect(handle({ Records: [stop] })).rejects.toThrow(/All records failed/);
      const first = await handle({ Records: [stop, notForThisCell] });
      expect(first.batchItemFailures).toEqual([{ itemIdentifier: stop.messageId }]);
      expect(outbox.entries()).toEqual([]);
      // WHEN it is delivered again after the throttle
      throttled = false;
      const again = await handle({ Records: [stop] });
      // THEN it is done, with exactly one confirmation
      expect(again.batchItemFailures).toEqual([]);
      expect(outbox.entries().filter((entry) => entry.to === phone)).toHaveLength(1);
    } finally {
      db.destroy();
    }
  });
});
