import { randomUUID } from 'node:crypto';
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { expiresAt, purgeDayOf } from '../../lambdas/domain/retention';
import { TABLE_IDS } from '../../lib/stacks/data-stack';
import { testDocumentClient } from './harness/dynamo';

describe('tables created from the synthesized Data stack in DynamoDB Local', () => {
  let db: DynamoDBDocumentClient;
  beforeAll(() => {
    db = testDocumentClient();
  });
  afterAll(() => db.destroy());

  it('creates every table of the cell with TTL on expiresAt', async () => {
    for (const TableName of TABLE_IDS) {
      const ttl = await db.send(new DescribeTimeToLiveCommand({ TableName }));
      expect(ttl.TimeToLiveDescription?.AttributeName).toBe('expiresAt');
    }
    const subscribers = await db.send(new DescribeTableCommand({ TableName: 'Subscribers' }));
    expect(subscribers.Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(['ByPurgeDay']);
    expect(subscribers.Table?.StreamSpecification?.StreamViewType).toBe('KEYS_ONLY');
  });

  it('writes a subscriber and its consent in one transaction, finds it by purge day, and reads it back', async () => {
    // GIVEN a subscriber whose last interaction sets its expiry through the retention module
    const tenant = `t-${randomUUID()}`;
    const subjectId = randomUUID();
    const lastInteractionAt = new Date('2024-02-29T10:00:00Z');
    const ttl = expiresAt('subscriberProfile', lastInteractionAt);
    const purgeDay = purgeDayOf(ttl);

    // WHEN the profile and the ledger entry are written atomically
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: 'Subscribers',
              Item: { pk: `T#${tenant}`, sk: `S#${subjectId}`, status: 'active', expiresAt: ttl, purgeDay },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: 'ConsentLedger',
              Item: {
                pk: `T#${tenant}#S#${subjectId}`,
                sk: `${lastInteractionAt.toISOString()}#${randomUUID()}`,
                event: 'opt_in',
                expiresAt: expiresAt('consentProof', lastInteractionAt),
              },
            },
          },
        ],
      }),
    );

    // THEN the purge index finds it in the bucket of its expiry day
    const due = await db.send(
      new QueryCommand({
        TableName: 'Subscribers',
        IndexName: 'ByPurgeDay',
        KeyConditionExpression: 'purgeDay = :day AND expiresAt <= :now',
        ExpressionAttributeValues: { ':day': '2027-02-28', ':now': ttl },
      }),
    );
    expect(due.Items).toContainEqual({ pk: `T#${tenant}`, sk: `S#${subjectId}`, purgeDay, expiresAt: ttl });

    // AND both items read back with their TTLs
    const profile = await db.send(
      new GetCommand({
        TableName: 'Subscribers',
        Key: { pk: `T#${tenant}`, sk: `S#${subjectId}` },
        ConsistentRead: true,
      }),
    );
    expect(profile.Item).toMatchObject({ status: 'active', expiresAt: ttl, purgeDay: '2027-02-28' });
    const ledger = await db.send(
      new QueryCommand({
        TableName: 'ConsentLedger',
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `T#${tenant}#S#${subjectId}` },
      }),
    );
    expect(ledger.Items).toHaveLength(1);
    expect(ledger.Items?.[0]?.expiresAt).toBe(Date.parse('2029-02-28T10:00:00Z') / 1000);
  });

  it('rejects the whole transaction when one part fails, leaving nothing behind', async () => {
    const tenant = `t-${randomUUID()}`;
    const key = { pk: `T#${tenant}`, sk: 'S#existing' };
    await db.send(
      new TransactWriteCommand({
        TransactItems: [{ Put: { TableName: 'Subscribers', Item: { ...key, status: 'active' } } }],
      }),
    );

    const attempt = db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: 'Subscribers', Item: key, ConditionExpression: 'attribute_not_exists(pk)' } },
          {
            Put: {
              TableName: 'ConsentLedger',
              Item: { pk: `T#${tenant}#S#existing`, sk: 'x', event: 'opt_in' },
            },
          },
        ],
      }),
    );

    await expect(attempt).rejects.toThrow(/cancelled/i);
    const ledger = await db.send(
      new QueryCommand({
        TableName: 'ConsentLedger',
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `T#${tenant}#S#existing` },
      }),
    );
    expect(ledger.Items).toEqual([]);
  });
});
