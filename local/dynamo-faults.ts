/**
 * Fault injection for the local server's DynamoDB client, so tests can make DynamoDB throttle or fail the way
 * it does when deployed, and check what clients are answered and what is left in the tables.
 *
 * The injector runs inside the SDK's retry loop, once per attempt and before the attempt is sent: an error it
 * throws is that attempt's answer, and the SDK decides by its own rules whether to try again. Only the backoff
 * between attempts is taken out, so tests stay fast; the number of attempts and the retry quota stay the
 * SDK's defaults for DynamoDB, as in Lambda.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RetryStrategyV2 } from '@smithy/types';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localClient } from './dynamodb-local';

export interface DynamoAttempt {
  /** The SDK command, such as `PutItemCommand` or `TransactWriteItemsCommand`. */
  readonly command: string;
  /** The command's input as the low-level client sends it. */
  readonly input: Readonly<Record<string, unknown>>;
  /** 1 for a command's first attempt, then 2, 3… for the SDK's retries of it. */
  readonly attempt: number;
  /** The SDK's invocation id: the same for every attempt of one command, and unique to it. */
  readonly id: string;
}

/** Sees each attempt before it is sent; what it throws is the attempt's outcome, and nothing is sent. */
export type DynamoFaultInjector = (attempt: DynamoAttempt) => void;

/** The SDK's own standard retry strategy for DynamoDB (same attempts, errors and quota), without its pauses. */
async function retriesWithoutBackoff(endpoint: string): Promise<RetryStrategyV2> {
  const defaults = localClient(endpoint);
  try {
    const standard = await defaults.config.retryStrategy();
    const maxAttempts = await defaults.config.maxAttempts();
    // The class the client would use, built again through its public options with a backoff of 0 ms.
    const Standard = standard.constructor as new (options: {
      maxAttempts: number;
      backoff: { computeNextBackoffDelay(retries: number): number; setDelayBase(delayMs: number): void };
    }) => RetryStrategyV2;
    return new Standard({
      maxAttempts,
      backoff: { computeNextBackoffDelay: () => 0, setDelayBase: () => undefined },
    });
  } finally {
    defaults.destroy();
  }
}

/**
 * The retry middleware states the attempt in one request header ("attempt=2; max=4") and gives every attempt of
 * a command the same invocation id in another.
 */
const attemptOf = (headers: Record<string, string> | undefined): number =>
  Number(/attempt=(\d+)/.exec(headers?.['amz-sdk-request'] ?? '')?.[1] ?? 1);
const idOf = (headers: Record<string, string> | undefined): string =>
  headers?.['amz-sdk-invocation-id'] ?? 'unknown';

/** A DynamoDB Local client whose every attempt first passes `inject`. */
export async function faultInjectingClient(
  endpoint: string,
  inject: DynamoFaultInjector,
): Promise<DynamoDBClient> {
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    retryStrategy: await retriesWithoutBackoff(endpoint),
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { headers?: Record<string, string> } | undefined;
      inject({
        command: String(context.commandName),
        input: args.input as Record<string, unknown>,
        attempt: attemptOf(request?.headers),
        id: idOf(request?.headers),
      });
      return next(args);
    },
    // After the retry middleware (finalizeRequest, high priority), so each attempt is seen.
    { step: 'finalizeRequest', priority: 'low', name: 'optlineFaultInjection' },
  );
  return client;
}
