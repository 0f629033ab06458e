/**
 * Error classification and bounded retries shared by the AWS SMS adapters (SNS, End User Messaging,
 * Pinpoint). Written once here so that every channel maps provider failures to the same two domain errors:
 *
 * - {@link ProviderThrottledError}: the provider throttled us (or failed transiently) through every retry the
 *   Lambda budget allowed; the caller may try again after `retryAfterSeconds`.
 * - {@link ProviderRejectedError}: the provider refused the message for good; retrying cannot help.
 *
 * **SDK retries.** The AWS SDK clients retry on their own (3 attempts by default). Build the clients handed to
 * the SMS adapters with `maxAttempts: 1`, e.g. `new SNSClient({ maxAttempts: 1 })`, so that {@link sendWithRetry}
 * is the only retry loop: otherwise each of our attempts hides up to three SDK attempts and the time budget is
 * multiplied.
 *
 * **Personal data.** SDK error messages can quote the request (SNS's `InvalidParameter` names the phone
 * number), and Powertools' logger prints an error's `cause` with its message and every attribute. So the
 * errors thrown from here never carry the SDK error itself: their `cause` is a {@link ProviderErrorSummary}
 * holding only the error name, HTTP status, request id and attempt count.
 */
import { ProviderRejectedError, ProviderThrottledError } from '../../domain/sms';

/** How a provider failure is handled: retried (throttling, transient), thrown at once (permanent). */
export type ProviderErrorKind = 'throttling' | 'transient' | 'permanent';

export interface ProviderErrorClass {
  readonly kind: ProviderErrorKind;
  /** The provider's error name or status, safe to log. */
  readonly code: string;
}

/** A sending channel is configured wrongly (for example `pinpoint` without a project id). Never retried. */
export class SmsConfigurationError extends Error {
  override readonly name = 'SmsConfigurationError';
}

/**
 * A failure reported in a successful response rather than as an exception (Pinpoint's per-address
 * `DeliveryStatus`). Adapters throw it from inside a {@link sendWithRetry} attempt so it follows the same path
 * as an SDK exception of that kind.
 */
export class ProviderStatusError extends Error {
  override readonly name = 'ProviderStatusError';
  /** The response's request id and the status code the provider gave this result, as an SDK error has them. */
  readonly $metadata: ErrorMetadata;

  constructor(
    readonly kind: ProviderErrorKind,
    readonly code: string,
    metadata: ErrorMetadata = {},
  ) {
    super(`The SMS provider reported ${safeCode(code)}`);
    this.$metadata = metadata;
  }
}

/** The safe part of a provider error, used as the `cause` of the domain errors: no message, no request data. */
export class ProviderErrorSummary extends Error {
  override readonly name = 'ProviderErrorSummary';
  readonly code: string;
  readonly httpStatusCode?: number;
  readonly requestId?: string;
  readonly attempts: number;

  constructor(error: unknown, code: string, attempts: number) {
    const metadata = metadataOf(error);
    const details = [
      metadata.httpStatusCode === undefined ? undefined : `HTTP ${metadata.httpStatusCode}`,
      metadata.requestId === undefined ? undefined : `request id ${metadata.requestId}`,
    ].filter((part) => part !== undefined);
    const suffix = details.length === 0 ? '' : ` (${details.join(', ')})`;
    super(`${code}${suffix} after ${attempts} attempt${attempts === 1 ? '' : 's'}`);
    this.code = code;
    if (metadata.httpStatusCode !== undefined) this.httpStatusCode = metadata.httpStatusCode;
    if (metadata.requestId !== undefined) this.requestId = metadata.requestId;
    this.attempts = attempts;
  }
}

// Error names (SDK v3 class names and the raw query-protocol codes that unmodelled errors keep as their name).
const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'Throttled',
  'TooManyRequestsException',
  'TooManyRequests',
  'KMSThrottlingException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'SlowDown',
]);

const TRANSIENT_NAMES = new Set([
  'InternalServerException',
  'InternalServerErrorException',
  'InternalErrorException',
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);

/** Socket-level failures the SDK's own standard retry strategy treats as transient. */
const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

const PERMANENT_NAMES = new Set([
  'ValidationException',
  'InvalidParameter',
  'InvalidParameterException',
  'InvalidParameterValue',
  'InvalidParameterValueException',
  'OptedOut',
  'OptedOutException',
  'ConflictException',
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationError',
  'AuthorizationErrorException',
  'ResourceNotFound',
  'ResourceNotFoundException',
  'NotFound',
  'NotFoundException',
  'BadRequestException',
  'ForbiddenException',
  'PayloadTooLargeException',
  'MethodNotAllowedException',
  'ServiceQuotaExceededException',
  'EndpointDisabled',
  'EndpointDisabledException',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  'KMSOptInRequired',
  'InvalidSecurityException',
  'UnrecognizedClientException',
  'ExpiredTokenException',
]);

export interface ErrorMetadata {
  readonly httpStatusCode?: number;
  readonly requestId?: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

function metadataOf(error: unknown): ErrorMetadata {
  if (!isRecord(error) || !isRecord(error.$metadata)) return {};
  const { httpStatusCode, requestId } = error.$metadata;
  return {
    ...(typeof httpStatusCode === 'number' ? { httpStatusCode } : {}),
    ...(typeof requestId === 'string' && /^[\w.:/-]{1,200}$/.test(requestId) ? { requestId } : {}),
  };
}

/** An error name fit for a log line and for {@link ProviderRejectedError.code}; anything odd becomes `ProviderError`. */
export function safeCode(name: unknown): string {
  return typeof name === 'string' && /^[A-Za-z][\w.-]{0,99}$/.test(name) ? name : 'ProviderError';
}

/**
 * Classifies an error thrown by an AWS SDK v3 client (or by an adapter attempt). Returns `undefined` for an
 * error that did not come from the provider (a bug such as a `TypeError`), which callers rethrow unchanged.
 */
export function classifyProviderError(error: unknown): ProviderErrorClass | undefined {
  if (error instanceof ProviderStatusError) return { kind: error.kind, code: safeCode(error.code) };
  if (error instanceof ProviderRejectedError) return { kind: 'permanent', code: safeCode(error.code) };
  if (error instanceof ProviderThrottledError) return { kind: 'throttling', code: error.name };
  if (error instanceof SmsConfigurationError || !isRecord(error)) return undefined;

  const code = safeCode(error.name);
  const status = metadataOf(error).httpStatusCode;
  const retryable = isRecord(error.$retryable) ? error.$retryable : undefined;

  if (THROTTLING_NAMES.has(code) || retryable?.throttling === true || status === 429) {
    return { kind: 'throttling', code };
  }
  if (PERMANENT_NAMES.has(code)) return { kind: 'permanent', code };
  if (typeof error.code === 'string' && TRANSIENT_NETWORK_CODES.has(error.code)) {
    return { kind: 'transient', code: error.code };
  }
  if (
    TRANSIENT_NAMES.has(code) ||
    retryable !== undefined ||
    error.$fault === 'server' ||
    (status !== undefined && status >= 500)
  ) {
    return { kind: 'transient', code };
  }
  if (error.$fault === 'client' || (status !== undefined && status >= 400))
    return { kind: 'permanent', code };
  return undefined;
}

export interface RetryOptions {
  /** Milliseconds left in the Lambda budget, read before every sleep (e.g. `context.getRemainingTimeInMillis`). */
  readonly deadline: () => number;
  /** Attempts in all, the first included. @default 3 */
  readonly maxAttempts?: number;
  /** Backoff cap of the first retry; it doubles on each retry (full jitter picks in [0, cap)). @default 100 */
  readonly baseDelayMs?: number;
  /** Largest backoff cap. @default 5000 */
  readonly maxDelayMs?: number;
  /**
   * Time kept in hand after the last sleep for one more attempt and the caller's own work: no sleep ends
   * later than `deadline() - safetyMarginMs`; a retry that would has not happened. @default 1000
   */
  readonly safetyMarginMs?: number;
  /** @default - a `setTimeout` promise */
  readonly sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** Called before each sleep, with nothing but ids and numbers: for a log line or a metric. @default - none */
  readonly onRetry?: (retry: RetryEvent) => void;
}

export interface RetryEvent {
  /** Attempts made so far. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly kind: ProviderErrorKind;
  readonly code: string;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`sendWithRetry: ${name} must be >= 0`);
  return value;
}

/**
 * Runs `attempt` and retries it on throttling and transient failures with exponential backoff and full jitter
 * (AWS Architecture Blog, "Exponential Backoff And Jitter"), within the attempt limit and the time budget.
 *
 * - Permanent failures throw {@link ProviderRejectedError} (code = the provider's error name) at once.
 * - When retries run out, by count or because the next sleep would end past `deadline() - safetyMarginMs`,
 *   throttling and transient failures alike throw {@link ProviderThrottledError}; `retryAfterSeconds` is the
 *   next backoff cap, rounded up to whole seconds (at least 1).
 * - Errors that did not come from the provider (bugs, {@link SmsConfigurationError}) are rethrown unchanged.
 *
 * A transient failure (5xx, a reset connection) may hide a request the provider did accept, and none of
 * these SMS APIs takes an idempotency token; retrying it is at-least-once, as the SDK's own retries are.
 */
export async function sendWithRetry<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError('sendWithRetry: maxAttempts must be an integer >= 1');
  }
  const baseDelayMs = nonNegative('baseDelayMs', options.baseDelayMs ?? 100);
  const maxDelayMs = nonNegative('maxDelayMs', options.maxDelayMs ?? 5000);
  const safetyMarginMs = nonNegative('safetyMarginMs', options.safetyMarginMs ?? 1000);
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const backoffCap = (retry: number): number => Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1));

  for (let attempts = 1; ; attempts += 1) {
    try {
      return await attempt();
    } catch (error) {
      const failure = classifyProviderError(error);
      if (failure === undefined) throw error;
      if (failure.kind === 'permanent') {
        if (error instanceof ProviderRejectedError) throw error;
        throw new ProviderRejectedError(failure.code, {
          cause: new ProviderErrorSummary(error, failure.code, attempts),
        });
      }

      const delayMs = Math.floor(Math.min(Math.max(random(), 0), 1) * backoffCap(attempts));
      const budgetMs = options.deadline() - safetyMarginMs;
      if (attempts >= maxAttempts || !(delayMs <= budgetMs)) {
        const retryAfterSeconds = Math.max(1, Math.ceil(backoffCap(attempts) / 1000));
        throw new ProviderThrottledError(retryAfterSeconds, {
          cause: new ProviderErrorSummary(error, failure.code, attempts),
        });
      }
      options.onRetry?.({ attempt: attempts, delayMs, kind: failure.kind, code: failure.code });
      await sleep(delayMs);
    }
  }
}

/** Retry settings an adapter is built with; `deadline` defaults to none, leaving `maxAttempts` as the bound. */
export interface SenderRetryOptions extends Omit<RetryOptions, 'deadline'> {
  /**
   * Milliseconds left in the current invocation's budget. Adapters are built once at module scope, so pass a
   * function reading the current invocation's context. @default - no deadline
   */
  readonly deadline?: () => number;
}

/** Fills in the deadline of adapter-level retry settings. */
export function retryOptions(options: SenderRetryOptions = {}): RetryOptions {
  return { ...options, deadline: options.deadline ?? (() => Number.POSITIVE_INFINITY) };
}
