import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoMessageStore } from '../../lambdas/adapters/dynamo/message-store';
import { BatchUnprocessedError, classifyTransientFault } from '../../lambdas/shared/transient-faults';

const tables = {
  Subscribers: 'Subscribers',
  Suppressions: 'Suppressions',
  MessageLog: 'MessageLog',
  DailyStats: 'DailyStats',
};
const subscriberKey = { pk: 'T#demo', sk: 'S#subject' };
const suppressionKey = { pk: 'T#demo', sk: 'S#subject#all' };

describe('the recipient read (BatchGetItem) when DynamoDB throttles part of it', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const store = new DynamoMessageStore(
    DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })),
    tables,
    () => new Date('2026-12-01T12:00:00Z'),
  );
  afterEach(() => ddb.reset());
  afterAll(() => ddb.restore());

  it('asks again for the keys left unprocessed and combines the answers', async () => {
    // GIVEN a first answer that leaves the suppression key unprocessed, and a second that serves it
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { Subscribers: [{ ...subscriberKey, status: 'active' }] },
        UnprocessedKeys: { Suppressions: { Keys: [suppressionKey], ConsistentRead: true } },
      })
      .resolvesOnce({ Responses: { Suppressions: [suppressionKey] } });
    // WHEN the recipient is read
    const state = await store.recipientState('demo', 'subject');
    // THEN both items count, and only the unprocessed key was asked for again
    expect(state.subscriber).toMatchObject({ status: 'active' });
    expect(state.suppressedScopes).toEqual(['all']);
    const calls = ddb.commandCalls(BatchGetCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.args[0].input.RequestItems).toEqual({
      Suppressions: { Keys: [suppressionKey], ConsistentRead: true },
    });
  });

  it('gives up after a few paced retries with a throttling error, rather than looping until the timeout', async () => {
    // GIVEN DynamoDB leaving a key unprocessed every time
    ddb.on(BatchGetCommand).resolves({
      Responses: {},
      UnprocessedKeys: { Subscribers: { Keys: [subscriberKey], ConsistentRead: true } },
    });
    const started = Date.now();
    // WHEN the recipient is read
    const error = await store.recipientState('demo', 'subject').catch((e: unknown) => e);
    // THEN it fails as throttled, which the API answers 503, after a bounded number of reads
    expect(error).toBeInstanceOf(BatchUnprocessedError);
    expect(classifyTransientFault(error)).toEqual({ kind: 'throttling', name: 'BatchUnprocessedError' });
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(5);
    // AND the retries were paced, not sent back to back
    expect(Date.now() - started).toBeGreaterThanOrEqual(25 + 50 + 100 + 200 - 10);
  });
});
