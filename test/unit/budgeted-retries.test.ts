import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  InternalServerError,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import type { RetryErrorType } from '@smithy/types';
import { BudgetedRetryStrategy, RetryRefusedError } from '../../lambdas/adapters/dynamo/budgeted-retries';

const meta = (httpStatusCode: number) => ({ httpStatusCode, requestId: 'req-1' });
const throttle = () =>
  new ProvisionedThroughputExceededException({ message: 'Throttled', $metadata: meta(400) });

/** A client on the strategy whose attempts all fail with `error` before anything is sent; returns the attempts. */
async function attempts(strategy: BudgetedRetryStrategy, error: Error): Promise<number> {
  const client = new DynamoDBClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    retryStrategy: strategy,
  });
  let made = 0;
  client.middlewareStack.add(
    () => async () => {
      made += 1;
      throw error;
    },
    { step: 'finalizeRequest', priority: 'low', name: 'failEveryAttempt' },
  );
  try {
    await expect(client.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } }))).rejects.toBe(
      error,
    );
  } finally {
    client.destroy();
  }
  return made;
}

/** The pauses the strategy asks for, retry after retry, until it refuses. */
async function pauses(strategy: BudgetedRetryStrategy, errorType: RetryErrorType): Promise<number[]> {
  const delays: number[] = [];
  let token = await strategy.acquireInitialRetryToken();
  for (;;) {
    try {
      token = await strategy.refreshRetryTokenForRetry(token, { errorType });
    } catch (refused) {
      expect(refused).toBeInstanceOf(RetryRefusedError);
      return delays;
    }
    delays.push(token.getRetryDelay());
  }
}

const plenty = () => 60_000;

describe('BudgetedRetryStrategy', () => {
  it('makes the four attempts the SDK makes for DynamoDB, for throttling and for 5xx faults', async () => {
    const noPause = { remainingMs: plenty, random: () => 0 };
    expect(await attempts(new BudgetedRetryStrategy(noPause), throttle())).toBe(4);
    expect(
      await attempts(
        new BudgetedRetryStrategy(noPause),
        new InternalServerError({ message: 'Internal', $metadata: meta(500) }),
      ),
    ).toBe(4);
  });

  it('never retries what the SDK does not classify as retryable', async () => {
    const failed = new ConditionalCheckFailedException({ message: 'failed', $metadata: meta(400) });
    expect(await attempts(new BudgetedRetryStrategy({ remainingMs: plenty, random: () => 0 }), failed)).toBe(
      1,
    );
  });

  it('backs off exponentially with full jitter: from 1 s after throttling, from 25 ms otherwise', async () => {
    const almostOne = () => 0.999;
    expect(
      await pauses(new BudgetedRetryStrategy({ remainingMs: plenty, random: almostOne }), 'THROTTLING'),
    ).toEqual([999, 1998, 3996]);
    expect(
      await pauses(new BudgetedRetryStrategy({ remainingMs: plenty, random: almostOne }), 'TRANSIENT'),
    ).toEqual([24, 49, 99]);
  });

  it('makes no retry whose pause would not leave the invocation its reserve, and hands the error on at once', async () => {
    // GIVEN 2 s left, of which 1.5 s are kept to answer, and a pause of 0.9 s after a throttle
    const strategy = new BudgetedRetryStrategy({ remainingMs: () => 2_000, random: () => 0.9 });
    // THEN the throttle reaches the caller after the first attempt, without a pause
    const started = Date.now();
    expect(await attempts(strategy, throttle())).toBe(1);
    expect(Date.now() - started).toBeLessThan(500);
    // AND a short pause after a 5xx still fits
    expect(
      await pauses(new BudgetedRetryStrategy({ remainingMs: () => 2_000, random: () => 0.9 }), 'TRANSIENT'),
    ).toEqual([22, 45, 90]);
  });

  it('spends a retry quota of 500 tokens, 5 a throttled retry, and gets it back from successes', async () => {
    // GIVEN a strategy that allows any number of attempts
    const strategy = new BudgetedRetryStrategy({ remainingMs: plenty, random: () => 0, maxAttempts: 1_000 });
    // WHEN retries keep failing, 100 of them spend the quota
    expect(await pauses(strategy, 'THROTTLING')).toHaveLength(100);
    // AND a retry that succeeds gives its cost back, so one more retry can be made
    strategy.recordSuccess({ getRetryCount: () => 1, getRetryDelay: () => 0, getRetryCost: () => 5 });
    expect(await pauses(strategy, 'THROTTLING')).toHaveLength(1);
  });
});
