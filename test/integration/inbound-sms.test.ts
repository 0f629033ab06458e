import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { LocalSubjectIdDeriver } from '../../lambdas/adapters/local-subject-id';
import { InMemoryProviderOptOutList } from '../../lambdas/adapters/optout-list/in-memory-provider-optout-list';
import { OutboxSender } from '../../lambdas/adapters/sms/outbox-sender';
import { inboundDeps, inboundSmsHandler } from '../../lambdas/api/inbound-sms';
import type { TableId } from '../../lambdas/shared/env';
import { TABLE_IDS } from '../../lib/stacks/data-stack';
import { ensureTables, localClient } from '../../local/dynamodb-local';
import { localTableDefinitions } from '../../local/table-definitions';
import { LOCAL_TENANTS, tenantItem } from '../../local/tenants';
import { randomPhone } from './harness/local-server';

/** The deployed inbound consumer, fed SQS records as End User Messaging publishes them, against DynamoDB Local. */
describe('inbound SMS consumer', () => {
  const prefix = `in${randomUUID().slice(0, 6)}_`;
  const tables = Object.fromEntries(TABLE_IDS.map((id) => [id, `${prefix}${id}`])) as Record<TableId, string>;
  const dynamo = localClient(process.env.OPTLINE_DYNAMODB_ENDPOINT!);
  const db = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  const outbox = new OutboxSender();
  const subjectIds = new LocalSubjectIdDeriver('inbound-test-key');
  const providerOptOuts = new InMemoryProviderOptOutList();
  const deps = {
    inbound: inboundDeps({
      dynamo,
      db,
      tables,
      subjectIds,
      sender: outbox,
      clock: () => new Date(),
      providerOptOuts,
    }),
    inboundNumbers: [
      { number: '+447700900001', tenant: 'demo' },
      { number: '+447700900099', tenant: 'ghost' },
      { number: '+18005550100', tenant: 'demo', type: 'TOLL_FREE' as const },
    ],
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
  };
  const handle = inboundSmsHandler(deps);
  /** An SQS record as the queue holds it: raw, or (as deployed) in SNS's envelope, published at `sentAt`. */
  const record = (message: unknown, { sentAt = Date.now(), envelope = true } = {}): SQSRecord => {
    const raw = typeof message === 'string' ? message : JSON.stringify(message);
    const notification = {
      Type: 'Notification',
      MessageId: randomUUID(),
      TopicArn: 'arn:aws:sns:eu-west-1:123456789012:InboundSms',
      Message: raw,
      Timestamp: new Date(sentAt).toISOString(),
    };
    return {
      messageId: randomUUID(),
      body: envelope ? JSON.stringify(notification) : raw,
      attributes: { SentTimestamp: String(sentAt) },
    } as SQSRecord;
  };
  const sms = (from: string, messageBody: string, destinationNumber = '+447700900001', options = {}) =>
    record(
      { originationNumber: from, destinationNumber, messageBody, inboundMessageId: randomUUID() },
      options,
    );
  /** The same message after a dead-letter redrive: a new SQS message id and enqueue time, the same body. */
  const redriven = (original: SQSRecord, at: number): SQSRecord => ({
    ...original,
    messageId: randomUUID(),
    attributes: { ...original.attributes, SentTimestamp: String(at) },
  });

  /** The consumer with a provider that fails its first send, as a throttled or unavailable provider would. */
  const handlerWhoseFirstSendFails = () => {
    let failNext = true;
    return inboundSmsHandler({
      ...deps,
      inbound: {
        ...deps.inbound,
        sender: {
          send: async (message, config) => {
            if (failNext) {
              failNext = false;
              throw new Error('provider unavailable');
            }
            return outbox.send(message, config);
          },
        },
      },
    });
  };

  beforeAll(async () => {
    await ensureTables(process.env.OPTLINE_DYNAMODB_ENDPOINT!, localTableDefinitions('eu', prefix));
    await db.send(new PutCommand({ TableName: tables.Tenants, Item: tenantItem(LOCAL_TENANTS[0]!) }));
  });
  afterAll(() => db.destroy());

  it('opts out a STOP sent to a tenant number, with one confirmation, and ignores what is not for this cell', async () => {
    const phone = randomPhone();
    const ignored = [
      record('not json'),
      record({ hello: 1 }),
      record('not json', { envelope: false }),
      sms(phone, 'STOP', '+447700900777'),
    ];

    const result = await handle({ Records: [sms(phone, 'STOP'), ...ignored] } as SQSEvent);

    expect(result.batchItemFailures).toEqual([]);
    expect(
      outbox
        .entries()
        .filter((e) => e.to === phone)
        .map((e) => e.category),
    ).toEqual(['opt_out_confirmation']);
    const subjectId = await subjectIds.derive('demo', phone);
    const suppression = await db.send(
      new GetCommand({ TableName: tables.Suppressions, Key: { pk: 'T#demo', sk: `S#${subjectId}#all` } }),
    );
    expect(suppression.Item).toMatchObject({ source: 'keyword' });
  });

  it('records a STOP sent to a US toll-free number without a confirmation of its own, since the carrier sends one', async () => {
    const phone = randomPhone();

    const result = await handle({ Records: [sms(phone, 'STOP', '+18005550100')] } as SQSEvent);

    expect(result.batchItemFailures).toEqual([]);
    expect(outbox.entries().filter((e) => e.to === phone)).toEqual([]);
    const subjectId = await subjectIds.derive('demo', phone);
    const suppression = await db.send(
      new GetCommand({ TableName: tables.Suppressions, Key: { pk: 'T#demo', sk: `S#${subjectId}#all` } }),
    );
    expect(suppression.Item).toMatchObject({ source: 'keyword' });
    expect(providerOptOuts.has(phone)).toBe(true);
    // The same STOP redelivered finds the opt-out confirmed (by the carrier) and still sends nothing.
    const stop = sms(phone, 'STOP', '+18005550100');
    await handle({ Records: [stop] } as SQSEvent);
    await handle({ Records: [stop] } as SQSEvent);
    expect(outbox.entries().filter((e) => e.to === phone)).toEqual([]);
  });

  it('reports only the record that failed, so SQS retries it alone', async () => {
    const phone = randomPhone();
    const failing = sms(phone, 'HELP', '+447700900099'); // tenant "ghost" has no settings
    const fine = sms(randomPhone(), 'weekend plans?');

    const result = await handle({ Records: [fine, failing] } as SQSEvent);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: failing.messageId }]);
  });

  const inboundLog = async (subjectId: string) =>
    (
      await db.send(
        new QueryCommand({
          TableName: tables.MessageLog,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `T#demo#S#${subjectId}` },
        }),
      )
    ).Items?.filter((item) => item.direction === 'inbound') ?? [];

  it('logs a redelivered STOP once and sends no second confirmation', async () => {
    const phone = randomPhone();
    const stop = sms(phone, 'STOP');

    await handle({ Records: [stop] } as SQSEvent);
    const again = await handle({ Records: [stop] } as SQSEvent);

    expect(again.batchItemFailures).toEqual([]);
    expect(outbox.entries().filter((e) => e.to === phone)).toHaveLength(1);
    expect(await inboundLog(await subjectIds.derive('demo', phone))).toHaveLength(1);
  });

  it('sends the confirmation on redelivery when the first delivery failed before it went out', async () => {
    const phone = randomPhone();
    const flaky = handlerWhoseFirstSendFails();
    const stop = sms(phone, 'STOP');

    // A batch whose every record failed fails the invocation, so SQS redelivers it.
    await expect(flaky({ Records: [stop] } as SQSEvent)).rejects.toThrow('All records failed');
    const second = await flaky({ Records: [stop] } as SQSEvent);
    const third = await flaky({ Records: [stop] } as SQSEvent);

    expect([second.batchItemFailures, third.batchItemFailures]).toEqual([[], []]);
    expect(
      outbox
        .entries()
        .filter((e) => e.to === phone)
        .map((e) => e.category),
    ).toEqual(['opt_out_confirmation']);
    const subjectId = await subjectIds.derive('demo', phone);
    const suppression = await db.send(
      new GetCommand({ TableName: tables.Suppressions, Key: { pk: 'T#demo', sk: `S#${subjectId}#all` } }),
    );
    expect(suppression.Item).toMatchObject({ causeId: expect.any(String), confirmedAt: expect.any(String) });
    expect(providerOptOuts.has(phone)).toBe(true);
  });

  /**
   * An opted-out number, a START whose confirmation failed after its opt-in was recorded, and a STOP sent after
   * that START and handled before the START comes back. Returns the START and the handler to bring it back with.
   */
  async function startOvertakenByStop(phone: string, t0: number) {
    await handle({ Records: [sms(phone, 'STOP', undefined, { sentAt: t0 })] } as SQSEvent);
    const flaky = handlerWhoseFirstSendFails();
    const start = sms(phone, 'START', undefined, { sentAt: t0 + 1_000 });
    await expect(flaky({ Records: [start] } as SQSEvent)).rejects.toThrow('All records failed');
    await flaky({ Records: [sms(phone, 'STOP', undefined, { sentAt: t0 + 2_000 })] } as SQSEvent);
    return { start, flaky };
  }

  /** The later STOP stands, in optline and on the provider list, and no opt-in confirmation went out. */
  async function expectStopStands(phone: string): Promise<void> {
    const subjectId = await subjectIds.derive('demo', phone);
    const suppression = await db.send(
      new GetCommand({ TableName: tables.Suppressions, Key: { pk: 'T#demo', sk: `S#${subjectId}#all` } }),
    );
    expect(suppression.Item).toMatchObject({ source: 'keyword' });
    expect(providerOptOuts.has(phone)).toBe(true);
    expect(
      outbox
        .entries()
        .filter((e) => e.to === phone)
        .map((e) => e.category),
    ).toEqual(['opt_out_confirmation', 'opt_out_confirmation']);
  }

  it('lets a later STOP stand when an earlier START is redelivered after it', async () => {
    const phone = randomPhone();
    const { start, flaky } = await startOvertakenByStop(phone, Date.now());

    const redelivered = await flaky({ Records: [start] } as SQSEvent);

    expect(redelivered.batchItemFailures).toEqual([]);
    await expectStopStands(phone);
  });

  it('lets a later STOP stand when an earlier START is redriven from the dead-letter queue after it', async () => {
    const phone = randomPhone();
    const t0 = Date.now();
    const { start, flaky } = await startOvertakenByStop(phone, t0);

    // The redrive queues the START anew: the queue's id and SentTimestamp change, SNS's Timestamp does not.
    const result = await flaky({ Records: [redriven(start, t0 + 60_000)] } as SQSEvent);

    expect(result.batchItemFailures).toEqual([]);
    await expectStopStands(phone);
  });

  it('still reads a raw record queued before the subscription delivered envelopes', async () => {
    const phone = randomPhone();
    const sentAt = Date.now() - 5_000;

    const result = await handle({
      Records: [sms(phone, 'STOP', undefined, { envelope: false, sentAt })],
    } as SQSEvent);

    expect(result.batchItemFailures).toEqual([]);
    const [logged] = await inboundLog(await subjectIds.derive('demo', phone));
    expect(logged).toMatchObject({ body: 'STOP', createdAt: new Date(sentAt).toISOString() });
    expect(providerOptOuts.has(phone)).toBe(true);
  });
});
