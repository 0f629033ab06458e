import { IdempotencyPersistenceLayerError } from '@aws-lambda-powertools/idempotency';
import {
  ConditionalCheckFailedException,
  DynamoDBServiceException,
  GetItemCommand,
  InternalServerError,
  ItemCollectionSizeLimitExceededException,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ResourceNotFoundException,
  ThrottlingException,
  TransactionCanceledException,
  TransactionConflictException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DependencyTimeoutException,
  DisabledException,
  KeyUnavailableException,
  KMSInternalException,
  KMSServiceException,
} from '@aws-sdk/client-kms';
import { OperationNotAllowedError } from '../../lambdas/adapters/dynamo/query-only';
import { ProblemError } from '../../lambdas/shared/problem';
import {
  BatchUnprocessedError,
  classifyTransientFault,
  TRANSIENT_FAULT_RETRY_AFTER_SECONDS,
} from '../../lambdas/shared/transient-faults';
import { faultInjectingClient } from '../../local/dynamo-faults';

const meta = (httpStatusCode: number) => ({ httpStatusCode, requestId: 'req-1', attempts: 4 });
const dynamoThrottle = () =>
  new ProvisionedThroughputExceededException({
    message: 'The level of configured provisioned throughput for the table was exceeded',
    $metadata: meta(400),
  });
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
    $metadata: meta(400),
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
const socketError = (code: string) => Object.assign(new Error(`connect ${code} 10.0.0.1:443`), { code });

describe('classifyTransientFault', () => {
  it.each([
    ['ProvisionedThroughputExceededException', dynamoThrottle()],
    [
      'ThrottlingException',
      new ThrottlingException({ message: 'Throughput exceeds the limit', $metadata: meta(400) }),
    ],
    ['RequestLimitExceeded', new RequestLimitExceeded({ message: 'Account limit', $metadata: meta(400) })],
    [
      'ThrottlingException',
      // KMS has no modelled throttling error: the SDK builds its service exception under the wire name.
      new KMSServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        message: 'Rate exceeded',
        $metadata: meta(400),
      }),
    ],
    [
      'SomethingNew',
      new DynamoDBServiceException({ name: 'SomethingNew', $fault: 'client', $metadata: meta(429) }),
    ],
    ['BatchUnprocessedError', new BatchUnprocessedError('BatchGetItem')],
    ['TransactionCanceledException', cancelled('None', 'ThrottlingError')],
    ['TransactionCanceledException', cancelled('ProvisionedThroughputExceeded', 'TransactionConflict')],
  ])('takes %s for throttling', (name, error) => {
    expect(classifyTransientFault(error)).toEqual({ kind: 'throttling', name });
  });

  it.each([
    [
      'InternalServerError',
      new InternalServerError({ message: 'Internal server error', $metadata: meta(500) }),
    ],
    [
      'ServiceUnavailable',
      // DynamoDB's 503 is not modelled either: it arrives under its wire name.
      new DynamoDBServiceException({ name: 'ServiceUnavailable', $fault: 'server', $metadata: meta(503) }),
    ],
    [
      'TransactionConflictException',
      new TransactionConflictException({
        message: 'Transaction is ongoing for the item',
        $metadata: meta(400),
      }),
    ],
    ['TransactionCanceledException', cancelled('None', 'TransactionConflict')],
    ['KMSInternalException', new KMSInternalException({ message: 'Internal', $metadata: meta(500) })],
    [
      'DependencyTimeoutException',
      new DependencyTimeoutException({ message: 'Timed out', $metadata: meta(503) }),
    ],
    [
      'KeyUnavailableException',
      new KeyUnavailableException({ message: 'Unavailable', $metadata: meta(500) }),
    ],
    ['ECONNRESET', socketError('ECONNRESET')],
    ['ETIMEDOUT', socketError('ETIMEDOUT')],
    [
      'TimeoutError',
      Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' }),
    ],
  ])('takes %s for a transient fault', (name, error) => {
    expect(classifyTransientFault(error)).toEqual({ kind: 'transient', name });
  });

  it('looks through the Powertools idempotency persistence layer to the DynamoDB error behind it', () => {
    // GIVEN the DynamoDB throttle that failed the idempotency record, as Powertools reports it
    const wrapped = new IdempotencyPersistenceLayerError(
      'Failed to save in progress record to idempotency store',
      {
        cause: dynamoThrottle(),
      },
    );
    // THEN it is classified by its cause
    expect(classifyTransientFault(wrapped)).toEqual({
      kind: 'throttling',
      name: 'ProvisionedThroughputExceededException',
    });
    // AND a persistence failure that retrying cannot mend is not
    const denied = new IdempotencyPersistenceLayerError(
      'Failed to update success record to idempotency store',
      {
        cause: new ResourceNotFoundException({
          message: 'Requested resource not found',
          $metadata: meta(400),
        }),
      },
    );
    expect(classifyTransientFault(denied)).toBeUndefined();
  });

  it.each([
    ['a failed condition', new ConditionalCheckFailedException({ message: 'failed', $metadata: meta(400) })],
    [
      'a cancelled transaction with a failed condition',
      cancelled('ConditionalCheckFailed', 'ThrottlingError'),
    ],
    ['a cancelled transaction without reasons', cancelled()],
    ['a missing table', new ResourceNotFoundException({ message: 'not found', $metadata: meta(400) })],
    [
      'a full item collection',
      new ItemCollectionSizeLimitExceededException({ message: 'too big', $metadata: meta(400) }),
    ],
    [
      'a denied KMS call',
      new KMSServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        message: 'denied',
        $metadata: meta(400),
      }),
    ],
    ['a disabled key', new DisabledException({ message: 'disabled', $metadata: meta(400) })],
    ['a refused table-wide read', new OperationNotAllowedError('ScanCommand')],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'pk')")],
    ['a problem the handler already answers', new ProblemError('not-found')],
    ['a thrown string', 'throttled'],
    ['nothing', undefined],
  ])('leaves %s alone: retrying cannot help', (_label, error) => {
    expect(classifyTransientFault(error)).toBeUndefined();
  });

  it('stops following a cause chain that loops', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(classifyTransientFault(a)).toBeUndefined();
  });

  it('names the fault only by a safe name, never by anything taken from the message', () => {
    const odd = new DynamoDBServiceException({
      name: '+447400123456 said no',
      $fault: 'server',
      message: 'Body: +447400123456',
      $metadata: meta(500),
    });
    expect(classifyTransientFault(odd)).toEqual({ kind: 'transient', name: 'Error' });
  });

  it('asks clients to wait a small number of seconds', () => {
    expect(TRANSIENT_FAULT_RETRY_AFTER_SECONDS).toBeGreaterThanOrEqual(1);
    expect(TRANSIENT_FAULT_RETRY_AFTER_SECONDS).toBeLessThanOrEqual(5);
  });
});

describe('what reaches the handler after the SDK retried it (DynamoDB client, standard mode)', () => {
  type Command = GetItemCommand | TransactWriteItemsCommand;
  /** Sends one command on a client whose every attempt fails with `error`; returns the attempts made. */
  async function attemptsUntilGivenUp(error: Error, command: Command): Promise<number[]> {
    const attempts: number[] = [];
    const client = await faultInjectingClient('http://127.0.0.1:9', ({ attempt }) => {
      attempts.push(attempt);
      throw error;
    });
    try {
      const sent =
        command instanceof GetItemCommand
          ? client.send(command)
          : client.send(command as TransactWriteItemsCommand);
      await expect(sent).rejects.toBe(error);
    } finally {
      client.destroy();
    }
    return attempts;
  }
  const get = () => new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } });
  const transact = () =>
    new TransactWriteItemsCommand({
      TransactItems: [{ Put: { TableName: 't', Item: { pk: { S: 'a' } } } }],
    });

  it.each([
    ['a throttle', dynamoThrottle()],
    ['a 500', new InternalServerError({ message: 'Internal server error', $metadata: meta(500) })],
    ['a reset connection', socketError('ECONNRESET')],
  ])('retries %s itself, four attempts in all, and then hands it on unchanged', async (_label, error) => {
    expect(await attemptsUntilGivenUp(error, get())).toEqual([1, 2, 3, 4]);
    expect(classifyTransientFault(error)).toBeDefined();
  });

  it.each([
    ['a transaction cancelled for throttling', cancelled('ThrottlingError')],
    [
      'a conflict with a transaction in flight',
      new TransactionConflictException({
        message: 'Transaction is ongoing for the item',
        $metadata: meta(400),
      }),
    ],
  ])('never retries %s, which still is transient', async (_label, error) => {
    expect(await attemptsUntilGivenUp(error, transact())).toEqual([1]);
    expect(classifyTransientFault(error)).toBeDefined();
  });

  it('never retries a failed condition, which is no fault at all', async () => {
    const error = new ConditionalCheckFailedException({ message: 'failed', $metadata: meta(400) });
    expect(await attemptsUntilGivenUp(error, get())).toEqual([1]);
    expect(classifyTransientFault(error)).toBeUndefined();
  });
});
