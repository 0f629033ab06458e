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
    tenantByNumber: { '+447700900001': 'demo', '+447700900099': 'ghost' },
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
  };
  const handle = inboundSmsHandler(deps);
  const record = (body: unknown): SQSRecord =>
    ({
      messageId: randomUUID(),
      body: typeof body === 'string' ? body : JSON.stringify(body),
      attributes: { SentTimestamp: String(Date.now()) },
    }) as SQSRecord;
  const sms = (from: string, messageBody: string, destinationNumber = '+447700900001') =>
    record({ originationNumber: from, destinationNumber, messageBody, inboundMessageId: randomUUID() });

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
    const ignored = [record('not json'), record({ hello: 1 }), sms(phone, 'STOP', '+447700900777')];

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

  it('lets a later STOP stand when an earlier START is redelivered after it', async () => {
    // GIVEN an opted-out number, and a START whose confirmation failed after its opt-in was recorded
    const phone = randomPhone();
    const sentAt = (record: SQSRecord, at: number): SQSRecord => ({
      ...record,
      attributes: { ...record.attributes, SentTimestamp: String(at) },
    });
    const t0 = Date.now();
    await handle({ Records: [sentAt(sms(phone, 'STOP'), t0)] } as SQSEvent);
    const flaky = handlerWhoseFirstSendFails();
    const start = sentAt(sms(phone, 'START'), t0 + 1_000);
    await expect(flaky({ Records: [start] } as SQSEvent)).rejects.toThrow('All records failed');
    // AND a STOP sent after it, handled before SQS redelivers the START
    await flaky({ Records: [sentAt(sms(phone, 'STOP'), t0 + 2_000)] } as SQSEvent);

    // WHEN the START comes back
    const redelivered = await flaky({ Records: [start] } as SQSEvent);

    // THEN the later STOP stands, in optline and on the provider list, and no opt-in confirmation goes out
    expect(redelivered.batchItemFailures).toEqual([]);
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
  });
});
