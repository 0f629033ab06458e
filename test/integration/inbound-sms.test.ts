import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { LocalSubjectIdDeriver } from '../../lambdas/adapters/local-subject-id';
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
  const deps = {
    inbound: inboundDeps({ dynamo, db, tables, subjectIds, sender: outbox, clock: () => new Date() }),
    tenantByNumber: { '+447700900001': 'demo', '+447700900099': 'ghost' },
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
  };
  const handle = inboundSmsHandler(deps);
  const record = (body: unknown): SQSRecord =>
    ({ messageId: randomUUID(), body: typeof body === 'string' ? body : JSON.stringify(body) }) as SQSRecord;
  const sms = (from: string, messageBody: string, destinationNumber = '+447700900001') =>
    record({ originationNumber: from, destinationNumber, messageBody, inboundMessageId: randomUUID() });

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
});
