/**
 * RFC 9457 problem details: the one error shape the HTTP API returns (DESIGN §5).
 *
 * Handlers throw a `ProblemError` (or let zod throw) and hand whatever they caught to `toProblemResponse`.
 * Anything that is not a `ProblemError` becomes a generic 500 whose body never carries the original
 * message or stack, because those can hold personal data or internals.
 */
import * as z from './zod';

/** The media type of every error body. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Problem `type` URIs are `urn:optline:problem:<slug>`; the slugs are part of the API contract. */
export const PROBLEM_TYPE_PREFIX = 'urn:optline:problem:';

/**
 * Every problem type the API can return, with its status and title. The slugs are part of the contract
 * (DESIGN §5), so this catalog is what the API docs are generated from.
 */
export const PROBLEM_CATALOG = {
  'invalid-input': { status: 400, title: 'Invalid input' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict' },
  'payload-too-large': { status: 413, title: 'Payload too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'age-restriction': { status: 422, title: 'Age restriction' },
  // A well-formed date-time the rules of the moment refuse (in the future, or too old to act on): JSON Schema
  // cannot express "now", so the document declares this 422 where a 400 would contradict it.
  'timestamp-out-of-range': { status: 422, title: 'Timestamp out of range' },
  // The send checks of DESIGN §4, in the order they run.
  'recipient-opted-out': { status: 422, title: 'Recipient opted out' },
  'no-consent': { status: 422, title: 'No consent on record' },
  'processing-restricted': { status: 422, title: 'Processing restricted' },
  'quiet-hours': { status: 422, title: 'Quiet hours' },
  // Marketing only, after the quiet hours: the tenant's cap of marketing messages per recipient (DESIGN §10).
  'frequency-cap': { status: 422, title: 'Frequency cap reached' },
  'content-rejected': { status: 422, title: 'Content rejected' },
  'too-many-requests': { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal error' },
  'service-unavailable': { status: 503, title: 'Service unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemSlug = keyof typeof PROBLEM_CATALOG;

/** The slugs as a list, in catalog order, for documentation and exhaustive tests. */
export const PROBLEM_SLUGS = Object.keys(PROBLEM_CATALOG) as readonly ProblemSlug[];

/** One entry of `errors[]`: which field was wrong and why, in words that never echo the value. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export interface ProblemOptions {
  /** Human-readable explanation of this occurrence. Must not contain personal data. @default - the title */
  readonly detail?: string;
  /** @default - no field errors */
  readonly errors?: readonly FieldError[];
  /** Extra members such as `retryAt`; they cannot replace the standard members. @default - none */
  readonly extensions?: Readonly<Record<string, unknown>>;
  /** Extra response headers such as `Retry-After` or `Allow`. @default - none */
  readonly headers?: Readonly<Record<string, string>>;
  /** The underlying error, kept for logs and never serialised. @default - none */
  readonly cause?: unknown;
}

/** The JSON body of a problem response. */
export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors: readonly FieldError[];
  readonly [extension: string]: unknown;
}

export interface ProblemResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export class ProblemError extends Error {
  override readonly name: string = 'ProblemError';
  readonly slug: ProblemSlug;
  readonly type: string;
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly errors: readonly FieldError[];
  readonly extensions: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(slug: ProblemSlug, options: ProblemOptions = {}) {
    const { status, title } = PROBLEM_CATALOG[slug];
    const detail = options.detail ?? title;
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.slug = slug;
    this.type = `${PROBLEM_TYPE_PREFIX}${slug}`;
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.errors = options.errors ?? [];
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }

  /** The RFC 9457 body. Standard members are spread last so an extension can never overwrite them. */
  toJSON(): ProblemBody {
    return {
      ...this.extensions,
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.detail,
      errors: this.errors,
    };
  }
}

export class InvalidInputError extends ProblemError {
  override readonly name: string = 'InvalidInputError';
  constructor(errors: readonly FieldError[], options: Omit<ProblemOptions, 'errors'> = {}) {
    super('invalid-input', {
      ...options,
      detail: options.detail ?? 'The request is not valid; see errors for each field.',
      errors,
    });
  }
}

export class UnauthorizedError extends ProblemError {
  override readonly name: string = 'UnauthorizedError';
  constructor(options: ProblemOptions = {}) {
    super('unauthorized', {
      ...options,
      detail: options.detail ?? 'The request has no valid credentials.',
      headers: { 'www-authenticate': 'Bearer', ...options.headers },
    });
  }
}

export class ForbiddenError extends ProblemError {
  override readonly name: string = 'ForbiddenError';
  constructor(options: ProblemOptions = {}) {
    super('forbidden', {
      ...options,
      detail: options.detail ?? 'The credentials do not grant this operation.',
    });
  }
}

export class NotFoundError extends ProblemError {
  override readonly name: string = 'NotFoundError';
  constructor(options: ProblemOptions = {}) {
    super('not-found', { ...options, detail: options.detail ?? 'The resource does not exist.' });
  }
}

export class MethodNotAllowedError extends ProblemError {
  override readonly name: string = 'MethodNotAllowedError';
  /** `allowed` fills the `Allow` header that RFC 9110 requires on a 405. */
  constructor(allowed: readonly string[], options: ProblemOptions = {}) {
    super('method-not-allowed', {
      ...options,
      detail: options.detail ?? 'The resource does not support this method.',
      headers: { allow: allowed.join(', '), ...options.headers },
    });
  }
}

export class ConflictError extends ProblemError {
  override readonly name: string = 'ConflictError';
  constructor(options: ProblemOptions = {}) {
    super('conflict', {
      ...options,
      detail: options.detail ?? 'The request conflicts with the current state of the resource.',
    });
  }
}

export class PayloadTooLargeError extends ProblemError {
  override readonly name: string = 'PayloadTooLargeError';
  constructor(options: ProblemOptions = {}) {
    super('payload-too-large', { ...options, detail: options.detail ?? 'The request body is too large.' });
  }
}

export class UnsupportedMediaTypeError extends ProblemError {
  override readonly name: string = 'UnsupportedMediaTypeError';
  constructor(options: ProblemOptions = {}) {
    super('unsupported-media-type', {
      ...options,
      detail: options.detail ?? 'The request body must be application/json.',
    });
  }
}

export class AgeRestrictionError extends ProblemError {
  override readonly name: string = 'AgeRestrictionError';
  constructor(options: ProblemOptions = {}) {
    super('age-restriction', {
      ...options,
      detail: options.detail ?? 'The subscriber is below the minimum age.',
    });
  }
}

/** A client timestamp outside what may be recorded now: in the future, or older than the data would live. */
export class TimestampOutOfRangeError extends ProblemError {
  override readonly name: string = 'TimestampOutOfRangeError';
  constructor(field: string, message: string) {
    super('timestamp-out-of-range', {
      detail: `The ${field} timestamp cannot be recorded now.`,
      errors: [{ field, message }],
    });
  }
}

/** A dependency (such as the SMS provider) is throttling; the client should retry after `Retry-After` seconds. */
export class ServiceUnavailableError extends ProblemError {
  override readonly name: string = 'ServiceUnavailableError';
  constructor(retryAfterSeconds: number, options: ProblemOptions = {}) {
    super('service-unavailable', {
      ...options,
      detail:
        options.detail ??
        `The service is busy; retry after ${retryAfterSeconds} seconds with the same Idempotency-Key.`,
      headers: { 'retry-after': String(retryAfterSeconds), ...options.headers },
      extensions: { retryAfterSeconds, ...options.extensions },
    });
  }
}

/** The generic 500. Its detail is fixed: the cause is kept for logging only and never reaches the body. */
export class InternalError extends ProblemError {
  override readonly name: string = 'InternalError';
  constructor(cause?: unknown) {
    super('internal', { detail: 'An unexpected error occurred.', cause });
  }
}

/** Maps a zod failure to a 400 with one `errors[]` entry per issue; a root-level issue is `(body)`. */
export function fromZodError(error: z.ZodError): ProblemError {
  return new InvalidInputError(
    error.issues.map((issue) => ({
      field: issue.path.length === 0 ? '(body)' : issue.path.map((key) => String(key)).join('.'),
      message: issue.message,
    })),
    { cause: error },
  );
}

/** Turns anything a handler caught into a problem+json response; unknown errors become a bare 500. */
export function toProblemResponse(error: unknown): ProblemResponse {
  const problem =
    error instanceof ProblemError
      ? error
      : error instanceof z.ZodError
        ? fromZodError(error)
        : new InternalError(error);
  return {
    statusCode: problem.status,
    headers: { ...problem.headers, 'content-type': PROBLEM_CONTENT_TYPE },
    body: JSON.stringify(problem.toJSON()),
  };
}
