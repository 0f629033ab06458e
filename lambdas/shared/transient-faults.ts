/**
 * Which failures of the AWS services behind the API (DynamoDB, KMS) are transient: throttling, or a fault
 * that a later retry of the same request can get past. The API handler answers these 503 `service-unavailable`
 * with `Retry-After` instead of 500 `internal` (DESIGN §5, issue 16).
 *
 * What reaches this code has already outlasted the SDK's own retries. The AWS SDK for JavaScript v3 retries, in
 * its standard mode, throttling errors (ProvisionedThroughputExceededException, ThrottlingException,
 * RequestLimitExceeded, TransactionInProgressException, HTTP 429), HTTP 500/502/503/504 and socket errors
 * (ECONNRESET, ETIMEDOUT…); for DynamoDB that is 4 attempts in all, backing off up to 1, 2 and 4 s on
 * throttling, and fewer once the client's retry quota is spent or, in Lambda, when a pause would outlast the
 * invocation (lambdas/adapters/dynamo/budgeted-retries.ts). It never retries TransactionCanceledException or
 * TransactionConflictException, which DynamoDB nonetheless says are safe to retry when the reasons are throttling
 * or conflicts. See "Error handling with DynamoDB"
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html) and the SDKs'
 * "Retry behavior" (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
 *
 * Errors are recognised by name, HTTP status and the SDK's `$fault`/`$retryable` markers, never by message
 * (messages can quote the input), and without importing an SDK, so any layer may use this. Wrappers are looked
 * through by `cause`: Powertools idempotency reports a DynamoDB failure of its persistence layer as an
 * `IdempotencyPersistenceLayerError` whose cause is the SDK error.
 */

/**
 * The `Retry-After` (seconds) of a 503 for a transient fault. By then the SDK has retried for up to several
 * seconds, so the fault is not a blip; two more seconds let a throttled partition or a briefly unavailable
 * dependency recover without holding clients back for long. Clients add their own backoff on repeats.
 */
export const TRANSIENT_FAULT_RETRY_AFTER_SECONDS = 2;

export type TransientFaultKind = 'throttling' | 'transient';

export interface TransientFault {
  readonly kind: TransientFaultKind;
  /** The fault's error name (or socket error code), safe to log: never a message. */
  readonly name: string;
}

/**
 * DynamoDB kept part of a batch unprocessed through every retry: how it throttles a BatchGetItem or
 * BatchWriteItem whose items it could not all serve, instead of failing the request.
 */
export class BatchUnprocessedError extends Error {
  override readonly name = 'BatchUnprocessedError';
  constructor(readonly operation: string) {
    super(`DynamoDB left part of a ${operation} unprocessed through every retry`);
  }
}

const THROTTLING_NAMES: ReadonlySet<string> = new Set([
  // DynamoDB (Programming.Errors: "OK to retry? Yes")
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TransactionInProgressException',
  // Names other AWS APIs and the SDK's own classification use for throttling; KMS uses ThrottlingException.
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  BatchUnprocessedError.name,
]);

const TRANSIENT_NAMES: ReadonlySet<string> = new Set([
  // DynamoDB: HTTP 500 and 503, and a write that met a transaction in flight on the same item.
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
  'ReplicatedWriteConflictException',
  // KMS GenerateMac: "You can retry the request" (KeyUnavailable), 500 and 503 faults.
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
  // The SDK's names for a request that timed out.
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** Socket and DNS failures, which the SDK's standard mode retries too. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** Reasons of a cancelled transaction that a retry can get past; `None` marks the items that were fine. */
const THROTTLED_REASONS: ReadonlySet<string> = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded']);
const RETRYABLE_REASONS: ReadonlySet<string> = new Set([...THROTTLED_REASONS, 'TransactionConflict']);

/** How deep `cause` chains are followed, so a cycle cannot hang the handler. */
const MAX_CAUSE_DEPTH = 5;

type Fields = Record<string, unknown>;
const isRecord = (value: unknown): value is Fields => typeof value === 'object' && value !== null;

/** An error name fit for a log line; anything else is reported as `Error`. */
const safeName = (name: unknown): string =>
  typeof name === 'string' && /^[A-Za-z][\w.-]{0,99}$/.test(name) ? name : 'Error';

/** A TransactionCanceledException whose every failed item failed for throttling or a conflict. */
function cancelledTransaction(error: Fields): TransientFaultKind | undefined {
  const reasons = Array.isArray(error.CancellationReasons) ? (error.CancellationReasons as unknown[]) : [];
  const codes = reasons
    .map((reason) => (isRecord(reason) ? reason.Code : undefined))
    .filter((code) => code !== undefined && code !== null && code !== 'None');
  if (codes.length === 0 || !codes.every((code) => RETRYABLE_REASONS.has(String(code)))) return undefined;
  return codes.some((code) => THROTTLED_REASONS.has(String(code))) ? 'throttling' : 'transient';
}

/** Classifies one error, without looking at its cause. */
function classifyOne(error: Fields): TransientFault | undefined {
  const name = safeName(error.name);
  const metadata = isRecord(error.$metadata) ? error.$metadata : {};
  const status = typeof metadata.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
  const retryable = isRecord(error.$retryable) ? error.$retryable : undefined;

  if (THROTTLING_NAMES.has(name) || status === 429 || retryable?.throttling === true) {
    return { kind: 'throttling', name };
  }
  if (name === 'TransactionCanceledException') {
    const kind = cancelledTransaction(error);
    return kind === undefined ? undefined : { kind, name };
  }
  if (typeof error.code === 'string' && NETWORK_CODES.has(error.code)) {
    return { kind: 'transient', name: error.code };
  }
  if (
    TRANSIENT_NAMES.has(name) ||
    retryable !== undefined ||
    error.$fault === 'server' ||
    (status !== undefined && status >= 500)
  ) {
    return { kind: 'transient', name };
  }
  return undefined;
}

/**
 * The transient fault behind `error`, or `undefined` when retrying cannot help (a bug, a refused request, a
 * permission or configuration problem), which the caller answers as it would any other failure.
 */
export function classifyTransientFault(error: unknown): TransientFault | undefined {
  let current: unknown = error;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH && isRecord(current); depth += 1) {
    const fault = classifyOne(current);
    if (fault) return fault;
    current = current.cause;
  }
  return undefined;
}
