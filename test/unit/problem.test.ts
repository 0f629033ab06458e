import {
  AgeRestrictionError,
  ConflictError,
  ForbiddenError,
  fromZodError,
  InternalError,
  InvalidInputError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  PROBLEM_CATALOG,
  PROBLEM_SLUGS,
  ProblemError,
  toProblemResponse,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from '../../lambdas/shared/problem';
import * as z from '../../lambdas/shared/zod';

const bodyOf = (response: { body: string }): Record<string, unknown> =>
  JSON.parse(response.body) as Record<string, unknown>;

describe('problem details', () => {
  it.each<[string, () => ProblemError, string, number]>([
    [
      'InvalidInputError',
      () => new InvalidInputError([{ field: 'phone', message: 'is required' }]),
      'invalid-input',
      400,
    ],
    ['UnauthorizedError', () => new UnauthorizedError(), 'unauthorized', 401],
    ['ForbiddenError', () => new ForbiddenError(), 'forbidden', 403],
    ['NotFoundError', () => new NotFoundError(), 'not-found', 404],
    ['MethodNotAllowedError', () => new MethodNotAllowedError(['GET']), 'method-not-allowed', 405],
    ['ConflictError', () => new ConflictError(), 'conflict', 409],
    ['PayloadTooLargeError', () => new PayloadTooLargeError(), 'payload-too-large', 413],
    ['UnsupportedMediaTypeError', () => new UnsupportedMediaTypeError(), 'unsupported-media-type', 415],
    ['AgeRestrictionError', () => new AgeRestrictionError(), 'age-restriction', 422],
    ['InternalError', () => new InternalError(), 'internal', 500],
  ])('maps %s to its slug, status and urn type', (name, make, slug, status) => {
    // GIVEN a typed error
    const error = make();

    // WHEN it is turned into a response
    const response = toProblemResponse(error);

    // THEN the status, type URN, media type and error name all line up
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(ProblemError);
    expect(error.name).toBe(name);
    expect(error.slug).toBe(slug);
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(bodyOf(response)).toMatchObject({
      type: `urn:optline:problem:${slug}`,
      title: PROBLEM_CATALOG[error.slug].title,
      status,
      detail: expect.any(String),
      errors: expect.any(Array),
    });
  });

  it('lists every contract slug once, including the send checks, each with a 4xx or 5xx status', () => {
    expect(new Set(PROBLEM_SLUGS).size).toBe(PROBLEM_SLUGS.length);
    expect(PROBLEM_SLUGS).toEqual(
      expect.arrayContaining([
        'recipient-opted-out',
        'no-consent',
        'processing-restricted',
        'quiet-hours',
        'content-rejected',
      ]),
    );
    for (const slug of PROBLEM_SLUGS) {
      expect(slug).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(PROBLEM_CATALOG[slug].status).toBeGreaterThanOrEqual(400);
      expect(PROBLEM_CATALOG[slug].status).toBeLessThan(600);
    }
  });

  it('carries extensions and extra headers such as retryAt and Retry-After', () => {
    // GIVEN a quiet-hours refusal with a retry time
    const error = new ProblemError('quiet-hours', {
      detail: 'Marketing messages are sent between 08:00 and 21:00 in the recipient time zone.',
      extensions: { retryAt: '2030-01-01T08:00:00.000Z' },
      headers: { 'retry-after': '3600' },
    });

    // WHEN it is rendered
    const response = toProblemResponse(error);

    // THEN the extension is a top-level member and the header is sent alongside the content type
    expect(response.statusCode).toBe(422);
    expect(response.headers).toEqual({
      'retry-after': '3600',
      'content-type': 'application/problem+json',
    });
    expect(bodyOf(response)).toMatchObject({
      type: 'urn:optline:problem:quiet-hours',
      retryAt: '2030-01-01T08:00:00.000Z',
    });
  });

  it('never lets an extension overwrite a standard member', () => {
    const error = new ProblemError('not-found', {
      extensions: { status: 200, type: 'about:blank', retry: 1 },
    });

    const body = bodyOf(toProblemResponse(error));

    expect(body.status).toBe(404);
    expect(body.type).toBe('urn:optline:problem:not-found');
    expect(body.retry).toBe(1);
  });

  it('sends the Allow header on a 405 and a Bearer challenge on a 401', () => {
    expect(toProblemResponse(new MethodNotAllowedError(['GET', 'PATCH'])).headers.allow).toBe('GET, PATCH');
    expect(toProblemResponse(new UnauthorizedError()).headers['www-authenticate']).toBe('Bearer');
  });

  it('keeps a custom detail and falls back to a generic one when none is given', () => {
    expect(new ConflictError({ detail: 'The request was already extended.' }).detail).toBe(
      'The request was already extended.',
    );
    expect(new NotFoundError({ detail: undefined }).detail).toBe('The resource does not exist.');
  });
});

describe('fromZodError', () => {
  const schema = z.object({
    phone: z.string(),
    consent: z.object({ source: z.enum(['api', 'web_form']) }),
    topics: z.optional(z.array(z.string())),
  });

  it('gives one errors[] entry per issue with the dotted path as the field', () => {
    // GIVEN a body with a wrong type, a bad nested enum and a bad array element
    const result = schema.safeParse({ phone: 7, consent: { source: 'fax' }, topics: ['news', 3] });
    if (result.success) throw new Error('expected the body to be refused');

    // WHEN the zod error is mapped
    const problem = fromZodError(result.error);

    // THEN it is a 400 invalid-input naming each field
    expect(problem.status).toBe(400);
    expect(problem.slug).toBe('invalid-input');
    expect(problem.errors.map((e) => e.field).sort()).toEqual(['consent.source', 'phone', 'topics.1']);
    for (const entry of problem.errors) expect(entry.message).not.toHaveLength(0);
    expect(problem.errors).toHaveLength(result.error.issues.length);
  });

  it('names the body itself as (body) when the issue has no path', () => {
    const result = schema.safeParse('not an object');
    if (result.success) throw new Error('expected the body to be refused');

    const problem = fromZodError(result.error);

    expect(problem.errors).toEqual([{ field: '(body)', message: expect.any(String) }]);
  });

  it('turns a thrown ZodError into a 400 problem response rather than a 500', () => {
    // GIVEN a handler that let schema.parse throw
    let caught: unknown;
    try {
      schema.parse({ consent: { source: 'api' } });
    } catch (error) {
      caught = error;
    }

    // WHEN it is rendered
    const response = toProblemResponse(caught);

    // THEN it is the invalid-input problem for the missing field
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response)).toMatchObject({
      type: 'urn:optline:problem:invalid-input',
      errors: [{ field: 'phone', message: expect.any(String) }],
    });
  });
});

describe('unknown errors', () => {
  const secret =
    'ConditionalCheckFailed for +447400123456 at arn:aws:dynamodb:eu-west-1:123456789012:table/x';

  it.each<[string, unknown]>([
    ['an Error', new Error(secret)],
    ['a TypeError', new TypeError(secret)],
    ['a thrown string', secret],
    ['a plain object', { message: secret, stack: secret }],
    ['null', null],
    ['undefined', undefined],
  ])('renders %s as a generic 500 without its message or stack', (_kind, thrown) => {
    // WHEN something that is not a ProblemError reaches the boundary
    const response = toProblemResponse(thrown);

    // THEN the caller learns only that it failed
    expect(response.statusCode).toBe(500);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body).not.toContain('447400123456');
    expect(response.body).not.toContain('ConditionalCheckFailed');
    expect(response.body).not.toContain('.ts:');
    expect(bodyOf(response)).toEqual({
      type: 'urn:optline:problem:internal',
      title: 'Internal error',
      status: 500,
      detail: 'An unexpected error occurred.',
      errors: [],
    });
  });

  it('keeps the cause of an InternalError for logs but out of the body', () => {
    const cause = new Error(secret);

    const error = new InternalError(cause);

    expect(error.cause).toBe(cause);
    expect(error.message).not.toContain(secret);
    expect(JSON.stringify(error)).not.toContain('447400123456');
    expect(toProblemResponse(error).body).not.toContain('447400123456');
  });
});
