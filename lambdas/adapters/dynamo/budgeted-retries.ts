/**
 * The retry strategy of optline's DynamoDB clients in Lambda: the AWS SDK's standard mode as it applies to
 * DynamoDB ("Retry behavior", https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html), with
 * one addition: a retry whose pause would not leave the invocation time to answer is not made.
 *
 * As in standard mode: the SDK's retry middleware classifies each error (throttling, transient, or not
 * retryable) and this strategy decides; 4 attempts in all; exponential backoff with full jitter from 25 ms, or
 * 1 s after throttling, up to 20 s; a retry quota of 500 tokens per client, 5 for each retry after throttling
 * and 14 for any other, given back when the retry succeeds.
 *
 * Why the budget: backing off after throttling alone can take 7 s for one request to DynamoDB, and an API
 * function has 10 s. A function that runs out of time is answered by API Gateway as a 500; refused in time,
 * the throttle reaches the handler, which answers 503 with `Retry-After` (lambdas/shared/transient-faults.ts).
 * Nothing is left running: the refused retry is simply not sent.
 */
import type { RetryErrorInfo, RetryStrategyV2, StandardRetryToken } from '@smithy/types';

export interface BudgetedRetryOptions {
  /** Milliseconds left in the current invocation, read before every pause. */
  readonly remainingMs: () => number;
  /** Time kept for the last attempt and the answer: no pause ends later than this before the deadline. @default 1500 */
  readonly reserveMs?: number;
  /** Attempts in all, the first included. @default 4 (the SDK's default for DynamoDB) */
  readonly maxAttempts?: number;
  /** A number in [0, 1). @default Math.random */
  readonly random?: () => number;
}

const TRANSIENT_BASE_MS = 25;
const THROTTLING_BASE_MS = 1_000;
const MAX_BACKOFF_MS = 20_000;
const QUOTA = 500;
const THROTTLING_COST = 5;
const RETRY_COST = 14;
/** What a success without retries gives back to the quota. */
const SUCCESS_REFUND = 1;

/** Thrown to the retry middleware when a retry is not made; the middleware then throws the last error. */
export class RetryRefusedError extends Error {
  override readonly name = 'RetryRefusedError';
}

function token(retryCount: number, delayMs: number, cost?: number): StandardRetryToken {
  return {
    getRetryCount: () => retryCount,
    getRetryDelay: () => delayMs,
    getRetryCost: () => cost,
  };
}

export class BudgetedRetryStrategy implements RetryStrategyV2 {
  readonly mode = 'standard';
  private capacity = QUOTA;
  private readonly reserveMs: number;
  private readonly maxAttempts: number;
  private readonly random: () => number;

  constructor(private readonly options: BudgetedRetryOptions) {
    this.reserveMs = options.reserveMs ?? 1_500;
    this.maxAttempts = options.maxAttempts ?? 4;
    this.random = options.random ?? Math.random;
  }

  async acquireInitialRetryToken(): Promise<StandardRetryToken> {
    return token(0, 0);
  }

  async refreshRetryTokenForRetry(
    previous: StandardRetryToken,
    { errorType }: RetryErrorInfo,
  ): Promise<StandardRetryToken> {
    const retries = previous.getRetryCount();
    if (errorType !== 'THROTTLING' && errorType !== 'TRANSIENT') {
      throw new RetryRefusedError('not a retryable error');
    }
    if (retries + 1 >= this.maxAttempts) throw new RetryRefusedError('no attempts left');
    const cost = errorType === 'THROTTLING' ? THROTTLING_COST : RETRY_COST;
    if (this.capacity < cost) throw new RetryRefusedError('retry quota spent');
    const base = errorType === 'THROTTLING' ? THROTTLING_BASE_MS : TRANSIENT_BASE_MS;
    const delayMs = Math.floor(this.random() * Math.min(base * 2 ** retries, MAX_BACKOFF_MS));
    if (delayMs > this.options.remainingMs() - this.reserveMs) {
      throw new RetryRefusedError('no time left in the invocation');
    }
    this.capacity -= cost;
    // The retry middleware sleeps for the token's delay before the next attempt.
    return token(retries + 1, delayMs, cost);
  }

  recordSuccess(last: StandardRetryToken): void {
    this.capacity = Math.min(QUOTA, this.capacity + (last.getRetryCost() ?? SUCCESS_REFUND));
  }
}
