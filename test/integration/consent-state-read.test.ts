/**
 * An opt-in decides from the subject's consent state (three reads: the consent head, the suppressions and the
 * subscriber) and commits against the head it read. These tests commit a whole opt-out just before each of those
 * reads is sent, which is where a race can put it. Whichever read it lands before, the opt-in must end up after
 * the opt-out and clear it, so the suppression agrees with the ledger's last event.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { subscriberKey } from '../../lambdas/adapters/dynamo/keys';
import { LocalSubjectIdDeriver } from '../../lambdas/adapters/local-subject-id';
import { InMemoryProviderOptOutList } from '../../lambdas/adapters/optout-list/in-memory-provider-optout-list';
import { consentDeps } from '../../lambdas/api/domain-deps';
import { recordOptIn, recordOptOut } from '../../lambdas/domain/consent';
import { expiresAt } from '../../lambdas/domain/retention';
import type { TableId } from '../../lambdas/shared/env';
import { TABLE_IDS } from '../../lib/stacks/data-stack';
import { ensureTables, localClient } from '../../local/dynamodb-local';
import { localTableDefinitions } from '../../local/table-definitions';
import { testDocumentClient } from './harness/dynamo';

const prefix = `csr${randomUUID().slice(0, 6)}_`;
const tables = Object.fromEntries(TABLE_IDS.map((id) => [id, `${prefix}${id}`])) as Record<TableId, string>;
const db = testDocumentClient();
const now = new Date('2026-11-24T12:00:00.000Z');
const providerOptOuts = new InMemoryProviderOptOutList(() => now);
const depsWith = (client: DynamoDBDocumentClient) =>
  consentDeps({
    dynamo: localClient(process.env.OPTLINE_DYNAMODB_ENDPOINT!),
    db: client,
    tables,
    subjectIds: new LocalSubjectIdDeriver('consent-state-read'),
    clock: () => now,
    providerOptOuts,
  });

beforeAll(async () => {
  await ensureTables(process.env.OPTLINE_DYNAMODB_ENDPOINT!, localTableDefinitions('eu', prefix));
});
afterAll(() => {
  db.destroy();
});

type Sent = { input: { TableName?: string; Key?: { sk?: string } } };
const READS: ReadonlyArray<[string, (command: Sent, subjectId: string) => boolean]> = [
  [
    'the consent head',
    (c, subjectId) =>
      c instanceof GetCommand &&
      c.input.TableName === tables.Suppressions &&
      c.input.Key?.sk === `C#${subjectId}`,
  ],
  ['the suppressions', (c) => c instanceof QueryCommand && c.input.TableName === tables.Suppressions],
  ['the subscriber', (c) => c instanceof GetCommand && c.input.TableName === tables.Subscribers],
];

it.each(READS)(
  'a double opt-in YES sees a STOP that commits just before its read of %s, and clears it',
  async (_, isTheRead) => {
    // GIVEN a subscriber waiting for its double opt-in confirmation
    const subjectId = `subject-${randomUUID()}`;
    const e164 = '+447400123456';
    await db.send(
      new PutCommand({
        TableName: tables.Subscribers,
        Item: {
          ...subscriberKey('demo', subjectId),
          status: 'pending_confirmation',
          expiresAt: expiresAt('subscriberProfile', now),
        },
      }),
    );

    // …and a client for the YES that lets a whole STOP commit just before that read is sent
    let stopped = false;
    const racing = new Proxy(db, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return async (command: Sent) => {
          if (isTheRead(command, subjectId) && !stopped) {
            stopped = true;
            await recordOptOut(depsWith(db), 'demo', { subjectId, e164, source: 'keyword' }, now);
          }
          return (target.send as (c: unknown) => Promise<unknown>)(command);
        };
      },
    });

    // WHEN the YES is recorded
    const { outcome } = await recordOptIn(
      depsWith(racing),
      'demo',
      { subjectId, e164, source: 'keyword', evidence: { keyword: 'YES' } },
      new Date(now.getTime() + 1_000),
    );

    // THEN the STOP committed first, and the YES that followed it confirmed the subscriber and cleared the STOP
    expect(stopped).toBe(true);
    expect(outcome).toBe('opt_in_confirmed');
    const ledger = await db.send(
      new QueryCommand({
        TableName: tables.ConsentLedger,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `T#demo#S#${subjectId}` },
        ConsistentRead: true,
      }),
    );
    expect(ledger.Items?.map((event) => event.type)).toEqual(['opt_out', 'opt_in_confirmed']);
    const suppressions = await db.send(
      new QueryCommand({
        TableName: tables.Suppressions,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': 'T#demo', ':prefix': `S#${subjectId}#` },
        ConsistentRead: true,
      }),
    );
    expect(suppressions.Items).toEqual([]);
    const subscriber = await db.send(
      new GetCommand({
        TableName: tables.Subscribers,
        Key: subscriberKey('demo', subjectId),
        ConsistentRead: true,
      }),
    );
    expect(subscriber.Item?.status).toBe('active');
  },
);
