/**
 * Capacity units per accepted send, beside its floor, measured in one run against DynamoDB Local.
 *
 * Floor (DESIGN §8): one strongly consistent read of the recipient's consent and suppression state, plus one
 * write of the message log item, done here directly on the same tables with items of the same shape. Since the
 * daily aggregates (DESIGN §11), that write is a transaction with the day's `sent` counter, the least an
 * exactly-once count can cost: DynamoDB charges a transactional write two units per KB of each item.
 */
import { randomUUID } from 'node:crypto';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { LocalSubjectIdDeriver } from '../lambdas/adapters/local-subject-id';
import { InMemoryProviderOptOutList } from '../lambdas/adapters/optout-list/in-memory-provider-optout-list';
import { OutboxSender } from '../lambdas/adapters/sms/outbox-sender';
import { scheduledSender } from '../lambdas/adapters/sms/rate-limited-sender';
import type { ApiRequest } from '../lambdas/api/api-handler';
import { messageActions } from '../lambdas/api/messages-api';
import { ROUTES } from '../lambdas/api/routes';
import { subscriberActions } from '../lambdas/api/subscribers-api';
import { SLOT_POLICIES } from '../lambdas/domain/send-slot';
import type { TableId } from '../lambdas/shared/env';
import { TABLE_IDS } from '../lib/stacks/data-stack';
import { ensureTables, localClient } from '../local/dynamodb-local';
import { LOCAL_TENANTS, tenantItem } from '../local/tenants';
import { CapacityCounter } from './capacity';
import { benchTableDefinitions } from './tables';

export interface SendUnits {
  readonly sends: number;
  /** Units of one accepted send, all tables together. */
  readonly perSend: number;
  /**
   * Of which the Idempotency table: the Powertools idempotency record (write in progress, then complete) and the
   * send slot's reservation.
   */
  readonly idempotencyPerSend: number;
  /** Units per send on each table. */
  readonly perTable: Record<string, number>;
  /** The floor: one consistent read of consent and suppression state plus one log write. */
  readonly floor: number;
}

const request = (operationId: string, body: unknown, headers: Record<string, string> = {}): ApiRequest => ({
  route: ROUTES.find((r) => r.operationId === operationId)!,
  caller: { tenantId: 'demo', scopes: ['subscribers.write', 'messages.send'] },
  pathParameters: {},
  query: {},
  headers,
  body,
  requestId: randomUUID(),
});

export async function measureSendUnits(endpoint: string, sends: number): Promise<SendUnits> {
  const prefix = `bench${randomUUID().slice(0, 6)}_`;
  await ensureTables(endpoint, benchTableDefinitions(prefix));
  const counter = new CapacityCounter();
  const dynamo = localClient(endpoint);
  counter.attach(dynamo);
  const db = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  const tables = Object.fromEntries(TABLE_IDS.map((id) => [id, `${prefix}${id}`])) as Record<TableId, string>;
  await db.send(new PutCommand({ TableName: tables.Tenants, Item: tenantItem(LOCAL_TENANTS[0]!) }));
  const ports = {
    dynamo,
    db,
    tables,
    subjectIds: new LocalSubjectIdDeriver('bench-key'),
    clock: () => new Date('2026-11-24T12:00:00Z'),
    // As deployed: a slot on the send schedule (its item in the Idempotency table) before each send.
    sender: scheduledSender(new OutboxSender(), {
      db,
      tables,
      rates: { cell: 1000 },
      policy: SLOT_POLICIES.oneToOne,
    }),
    providerOptOuts: new InMemoryProviderOptOutList(),
  };
  const subscribers = subscriberActions(ports);
  const messaging = messageActions(ports);
  // As in Lambda: an in-progress key expires with the invocation's time budget.
  messaging.idempotencyConfig.registerLambdaContext({ getRemainingTimeInMillis: () => 10_000 } as Context);
  const messages = messaging.actions;
  const phone = '+447400123456';
  const created = await subscribers.createSubscriber!(
    request('createSubscriber', { phone, consent: { source: 'api', noticeVersion: 'v1' } }),
  );
  const subjectId = (created.body as { subscriberId: string }).subscriberId;
  // Warm the tenant cache, as a warm Lambda would have it.
  await messages.sendMessage!(
    request(
      'sendMessage',
      { to: phone, body: 'warm-up', category: 'transactional' },
      { 'idempotency-key': randomUUID() },
    ),
  );

  counter.reset();
  for (let i = 0; i < sends; i += 1) {
    const result = await messages.sendMessage!(
      request(
        'sendMessage',
        { to: phone, body: `Your code is ${1000 + i}`, category: 'transactional' },
        { 'idempotency-key': randomUUID() },
      ),
    );
    if (result.statusCode !== 202) throw new Error(`send ${i} was not accepted: ${result.statusCode}`);
  }
  const perTable = Object.fromEntries(
    Object.entries(counter.snapshot(prefix)).map(([t, u]) => [t, u / sends]),
  );

  counter.reset();
  await db.send(
    new BatchGetCommand({
      RequestItems: {
        [tables.Subscribers]: { Keys: [{ pk: 'T#demo', sk: `S#${subjectId}` }], ConsistentRead: true },
        [tables.Suppressions]: { Keys: [{ pk: 'T#demo', sk: `S#${subjectId}#all` }], ConsistentRead: true },
      },
    }),
  );
  const messageId = randomUUID();
  await db.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: tables.MessageLog,
            Item: {
              pk: `T#demo#S#${subjectId}`,
              sk: `2026-11-24T12:00:00.000Z#${messageId}`,
              messageId,
              tenantId: 'demo',
              subjectId,
              direction: 'outbound',
              category: 'transactional',
              phone,
              body: 'Your code is 1000',
              channel: 'outbox',
              status: 'sent',
              segments: 1,
              createdAt: '2026-11-24T12:00:00.000Z',
              updatedAt: '2026-11-24T12:00:00.000Z',
              expiresAt: 1795521600,
            },
          },
        },
        {
          Update: {
            TableName: tables.DailyStats,
            Key: { pk: 'T#demo', sk: 'D#2026-11-24#0' },
            UpdateExpression: 'ADD sent :one SET expiresAt = :expiresAt',
            ExpressionAttributeValues: { ':one': 1, ':expiresAt': 1953892800 },
          },
        },
      ],
    }),
  );
  const floor = counter.total();
  db.destroy();
  const perSend = Object.values(perTable).reduce((a, b) => a + b, 0);
  return { sends, perSend, idempotencyPerSend: perTable.Idempotency ?? 0, perTable, floor };
}
