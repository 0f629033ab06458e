import { randomUUID } from 'node:crypto';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  QueryCommand,
  type UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { DynamoMessageStatusStore } from '../../lambdas/adapters/dynamo/message-status-store';
import { DynamoMessageStore } from '../../lambdas/adapters/dynamo/message-store';
import {
  deliveryRecordProcessor,
  deliveryStatusHandler,
  type DeliveryStatusDeps,
} from '../../lambdas/api/delivery-status';
import type { DeliveryStatusStore } from '../../lambdas/domain/delivery-events';
import type { MessageRecord } from '../../lambdas/domain/messages';
import { expiresAt } from '../../lambdas/domain/retention';
import { ensureTables } from '../../local/dynamodb-local';
import { localTableDefinitions } from '../../local/table-definitions';
import { testDocumentClient } from './harness/dynamo';
import { randomPhone } from './harness/local-server';

const prefix = `ds${randomUUID().slice(0, 8)}_`;
const tables = {
  Subscribers: `${prefix}Subscribers`,
  Suppressions: `${prefix}Suppressions`,
  MessageLog: `${prefix}MessageLog`,
  DailyStats: `${prefix}DailyStats`,
};
const SENT_AT = new Date('2026-11-24T12:00:00.000Z');
/** Events in these tests arrive long after they were reported, unless a test says otherwise. */
const LATER = new Date('2026-11-24T13:00:00.000Z');

let db: DynamoDBDocumentClient;
let messages: DynamoMessageStore;
let statuses: DynamoMessageStatusStore;
let logLines: Array<{ message: string; fields: Record<string, unknown> }>;
let now: Date;

beforeAll(async () => {
  const endpoint = process.env.OPTLINE_DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('OPTLINE_DYNAMODB_ENDPOINT is not set: run through the integration project');
  await ensureTables(endpoint, localTableDefinitions('eu', prefix));
  db = testDocumentClient();
  messages = new DynamoMessageStore(db, tables, () => now);
  statuses = new DynamoMessageStatusStore(db, tables);
}, 120_000);
afterAll(() => db.destroy());
beforeEach(() => {
  now = LATER;
  logLines = [];
});

const deps = (store: DeliveryStatusStore = statuses): DeliveryStatusDeps => ({
  store,
  clock: () => now,
  logger: {
    info: (message: string, fields: Record<string, unknown>) => logLines.push({ message, fields }),
    warn: (message: string, fields: Record<string, unknown>) => logLines.push({ message, fields }),
  } as DeliveryStatusDeps['logger'],
});

/** Logs an outbound message as the send flow does, and returns it. */
async function logMessage(tenantId = 'demo', overrides: Partial<MessageRecord> = {}): Promise<MessageRecord> {
  const record: MessageRecord = {
    tenantId,
    subjectId: randomUUID(),
    messageId: randomUUID(),
    direction: 'outbound',
    category: 'transactional',
    phone: randomPhone(),
    body: 'Your order has shipped',
    channel: 'end-user-messaging',
    providerMessageId: `provider-${randomUUID()}`,
    status: 'sent',
    segments: 1,
    createdAt: SENT_AT.toISOString(),
    updatedAt: SENT_AT.toISOString(),
    expiresAt: expiresAt('messageTraffic', SENT_AT),
    ...overrides,
  };
  await messages.log(record);
  return record;
}

/** The event End User Messaging publishes for one of our sends. */
const eventBody = (
  eventType: string,
  message: Pick<MessageRecord, 'tenantId' | 'messageId' | 'phone' | 'providerMessageId'>,
  at: Date,
): string =>
  JSON.stringify({
    eventType,
    eventVersion: '1.0',
    eventTimestamp: at.getTime(),
    isFinal: eventType !== 'TEXT_SUCCESSFUL',
    originationPhoneNumber: '+12065550152',
    destinationPhoneNumber: message.phone,
    messageId: message.providerMessageId,
    messageStatus: eventType.replace('TEXT_', ''),
    messageStatusDescription: 'Message has been accepted by phone carrier',
    context: { tenantId: message.tenantId, messageId: message.messageId },
    totalMessageParts: 1,
  });

const sqsRecord = (body: string, messageId: string = randomUUID()): SQSRecord => ({
  messageId,
  receiptHandle: `handle-${messageId}`,
  body,
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: String(SENT_AT.getTime()),
    SenderId: 'AIDAEXAMPLE',
    ApproximateFirstReceiveTimestamp: String(SENT_AT.getTime()),
  },
  messageAttributes: {},
  md5OfBody: 'ignored',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:eu-west-1:111122223333:delivery-status',
  awsRegion: 'eu-west-1',
});

const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

const stored = async (record: MessageRecord) =>
  (
    await db.send(
      new GetCommand({
        TableName: tables.MessageLog,
        Key: {
          pk: `T#${record.tenantId}#S#${record.subjectId}`,
          sk: `${record.createdAt}#${record.messageId}`,
        },
        ConsistentRead: true,
      }),
    )
  ).Item;

const at = (seconds: number) => new Date(SENT_AT.getTime() + seconds * 1000);

describe('delivery status from End User Messaging events', () => {
  it('moves a message forward only: successful, then delivered, then a late successful leaves it delivered', async () => {
    // GIVEN a logged message
    const message = await logMessage();
    const processRecord = deliveryRecordProcessor(deps());

    // WHEN the carrier accepts it, the handset receives it, and a duplicate "accepted" arrives late
    const outcomes = [
      await processRecord(sqsRecord(eventBody('TEXT_SUCCESSFUL', message, at(1)))),
      await processRecord(sqsRecord(eventBody('TEXT_DELIVERED', message, at(5)))),
      await processRecord(sqsRecord(eventBody('TEXT_SUCCESSFUL', message, at(2)))),
    ];

    // THEN only the delivery changed the item, and the tenant sees the message delivered at the event's time
    expect(outcomes).toEqual(['unchanged', 'updated', 'unchanged']);
    expect(await stored(message)).toEqual(
      expect.objectContaining({ status: 'delivered', updatedAt: at(5).toISOString(), body: message.body }),
    );
    expect(await messages.findById('demo', message.messageId, now)).toEqual(
      expect.objectContaining({ status: 'delivered' }),
    );
  });

  it('keeps a failure final: a delivery reported after it changes nothing', async () => {
    const message = await logMessage();

    const first = await statuses.applyDelivery(
      {
        messageId: message.messageId,
        tenantId: 'demo',
        status: 'failed',
        at: at(3),
        providerStatus: 'TEXT_BLOCKED',
      },
      now,
    );
    const second = await statuses.applyDelivery(
      {
        messageId: message.messageId,
        tenantId: 'demo',
        status: 'delivered',
        at: at(4),
        providerStatus: 'TEXT_DELIVERED',
      },
      now,
    );

    expect([first, second]).toEqual(['updated', 'unchanged']);
    expect(await stored(message)).toEqual(
      expect.objectContaining({
        status: 'failed',
        failureCode: 'TEXT_BLOCKED',
        updatedAt: at(3).toISOString(),
      }),
    );
  });

  it('lets exactly one of two racing final events win, through the conditional write', async () => {
    // GIVEN a store whose index reads both finish before either write: each sees the message still `sent`
    const message = await logMessage();
    let queries = 0;
    let bothQueried: () => void = () => undefined;
    const barrier = new Promise<void>((resolve) => (bothQueried = resolve));
    const racing = new DynamoMessageStatusStore(
      {
        send: async (command: QueryCommand | UpdateCommand) => {
          const result = await db.send(command as QueryCommand);
          if (command instanceof QueryCommand && ++queries === 2) bothQueried();
          if (command instanceof QueryCommand) await barrier;
          return result;
        },
      } as unknown as DynamoDBDocumentClient,
      tables,
    );
    const update = (status: 'delivered' | 'failed', providerStatus: string) =>
      racing.applyDelivery(
        { messageId: message.messageId, tenantId: 'demo', status, at: at(5), providerStatus },
        now,
      );

    // WHEN a delivery and a failure are applied at the same time
    const outcomes = await Promise.all([
      update('delivered', 'TEXT_DELIVERED'),
      update('failed', 'TEXT_SPAM'),
    ]);

    // THEN one write wins and the other's condition fails without an error
    expect([...outcomes].sort()).toEqual(['unchanged', 'updated']);
    const winner = outcomes[0] === 'updated' ? 'delivered' : 'failed';
    expect((await stored(message))?.status).toBe(winner);
  });

  it('ignores an event that names another tenant’s message, and leaves that message untouched', async () => {
    // GIVEN a message of `demo`
    const message = await logMessage('demo');
    const before = await stored(message);

    // WHEN an event claims it for `acme`
    const forged = { ...message, tenantId: 'acme' };
    const outcome = await statuses.applyDelivery(
      {
        messageId: message.messageId,
        tenantId: 'acme',
        status: 'delivered',
        at: at(5),
        providerStatus: 'TEXT_DELIVERED',
      },
      now,
    );
    const batch = await deliveryStatusHandler(deps())(
      sqsEvent(sqsRecord(eventBody('TEXT_DELIVERED', forged, at(5)))),
    );

    // THEN it is unknown to that tenant, processed without a retry, and the item is as it was
    expect(outcome).toBe('unknown');
    expect(batch.batchItemFailures).toEqual([]);
    expect(await stored(message)).toEqual(before);
  });

  it('treats an expired message as unknown and never writes to it', async () => {
    const message = await logMessage('demo', { expiresAt: Math.floor(LATER.getTime() / 1000) - 60 });

    const outcome = await statuses.applyDelivery(
      {
        messageId: message.messageId,
        tenantId: 'demo',
        status: 'delivered',
        at: at(5),
        providerStatus: 'TEXT_DELIVERED',
      },
      now,
    );

    expect(outcome).toBe('unknown');
    expect((await stored(message))?.status).toBe('sent');
  });

  it('retries only the record for a message not logged yet, applies the rest, and applies it once logged', async () => {
    // GIVEN two logged messages and one the send flow has not logged yet, with events just reported
    now = at(10);
    const delivered = await logMessage();
    const failed = await logMessage();
    const notYetLogged = { ...delivered, messageId: randomUUID(), subjectId: randomUUID() };
    const pending = sqsRecord(eventBody('TEXT_DELIVERED', notYetLogged, at(8)), 'record-not-yet-logged');
    const handler = deliveryStatusHandler(deps());

    // WHEN one batch carries their events, a malformed body and a foreign event
    const response = await handler(
      sqsEvent(
        sqsRecord(eventBody('TEXT_DELIVERED', delivered, at(8)), 'record-delivered'),
        sqsRecord('{"eventType": "TEXT_DELIVERED", "context":', 'record-malformed'),
        pending,
        sqsRecord(
          JSON.stringify({ eventType: 'TEXT_DELIVERED', context: { account: 'bar' } }),
          'record-foreign',
        ),
        sqsRecord(eventBody('TEXT_INVALID', failed, at(9)), 'record-failed'),
      ),
    );

    // THEN exactly the record of the unlogged message goes back to the queue, and the others applied
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'record-not-yet-logged' }]);
    expect((await stored(delivered))?.status).toBe('delivered');
    expect(await stored(failed)).toEqual(
      expect.objectContaining({ status: 'failed', failureCode: 'TEXT_INVALID' }),
    );

    // AND once the message is logged, the redelivered record applies
    const logged = await logMessage('demo', notYetLogged);
    const retried = await handler(sqsEvent(pending));
    expect(retried.batchItemFailures).toEqual([]);
    expect((await stored(logged))?.status).toBe('delivered');
  });

  it('reports a record whose write fails, alone, while the rest of the batch applies', async () => {
    // GIVEN a store that DynamoDB throttles for one message
    const ok = await logMessage();
    const throttled = await logMessage();
    const flaky: DeliveryStatusStore = {
      applyDelivery: async (update, clock) => {
        if (update.messageId === throttled.messageId) {
          throw new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} });
        }
        return statuses.applyDelivery(update, clock);
      },
    };

    // WHEN both events arrive in one batch
    const response = await deliveryStatusHandler(deps(flaky))(
      sqsEvent(
        sqsRecord(eventBody('TEXT_DELIVERED', throttled, at(5)), 'record-throttled'),
        sqsRecord(eventBody('TEXT_DELIVERED', ok, at(5)), 'record-ok'),
      ),
    );

    // THEN only the throttled record is retried
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'record-throttled' }]);
    expect((await stored(ok))?.status).toBe('delivered');
    expect((await stored(throttled))?.status).toBe('sent');
  });

  it('logs message ids and outcomes, never a phone number or a body', async () => {
    const message = await logMessage();

    await deliveryStatusHandler(deps())(
      sqsEvent(
        sqsRecord(eventBody('TEXT_DELIVERED', message, at(5))),
        sqsRecord(eventBody('TEXT_QUEUED', message, at(1))),
      ),
    );

    expect(logLines.map((line) => line.fields)).toEqual(
      expect.arrayContaining([{ messageId: message.messageId, outcome: 'updated' }, { outcome: 'ignored' }]),
    );
    const text = JSON.stringify(logLines);
    expect(text).not.toContain(message.phone);
    expect(text).not.toContain('+12065550152');
    expect(text).not.toContain(message.body);
  });
});
