import { TooManyRequestsException } from '@aws-sdk/client-pinpoint';
import {
  AccessDeniedException,
  ConflictException,
  InternalServerException,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import {
  InternalErrorException,
  InvalidParameterException,
  KMSThrottlingException,
  OptedOutException,
  ThrottledException,
} from '@aws-sdk/client-sns';
import fc from 'fast-check';
import {
  classifyProviderError,
  ProviderErrorSummary,
  ProviderStatusError,
  retryOptions,
  type RetryOptions,
  safeCode,
  sendWithRetry,
  SmsConfigurationError,
} from '../../lambdas/adapters/sms/error-mapping';
import { ProviderRejectedError, ProviderThrottledError } from '../../lambdas/domain/sms';
import { BODY, expectNoPersonalData, PHONE, rejectionOf } from './helpers/sms-fixtures';

const meta = (httpStatusCode: number) => ({ httpStatusCode, requestId: 'req-0001', attempts: 1 });

/** An error shaped like the SDK's own for an error the model does not know (query protocol keeps the code). */
function unmodelled(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name}: ${PHONE} ${BODY}`), { name, ...extra });
}

/** A scripted attempt: each call takes the next outcome (an Error is thrown, anything else resolved). */
function scripted<T = string>(...outcomes: (NoInfer<T> | Error)[]): jest.Mock<Promise<T>, []> {
  let call = 0;
  return jest.fn(async () => {
    const outcome = outcomes[Math.min(call, outcomes.length - 1)];
    call += 1;
    if (outcome instanceof Error) throw outcome;
    return outcome as T;
  });
}

const throttled = () =>
  new ThrottledException({ message: `Rate exceeded for ${PHONE}`, $metadata: meta(429) });
const fakeSleep = () => jest.fn(async (_ms: number) => undefined);
const roomy = (overrides: Partial<RetryOptions> = {}): RetryOptions => ({
  deadline: () => 60_000,
  sleep: fakeSleep(),
  random: () => 0.5,
  ...overrides,
});

describe('classifyProviderError', () => {
  it.each([
    ['SNS ThrottledException', throttled()],
    ['SNS KMSThrottlingException', new KMSThrottlingException({ message: 'x', $metadata: {} })],
    ['EUM ThrottlingException', new ThrottlingException({ message: 'x', $metadata: {} })],
    ['Pinpoint TooManyRequestsException', new TooManyRequestsException({ message: 'x', $metadata: {} })],
    ["SNS's raw query code 'Throttled'", unmodelled('Throttled')],
    ["the raw code 'ThrottlingException'", unmodelled('ThrottlingException')],
    [
      'any error the SDK marks $retryable.throttling',
      unmodelled('Whatever', { $retryable: { throttling: true } }),
    ],
    ['any HTTP 429', unmodelled('SomethingNew', { $fault: 'client', $metadata: { httpStatusCode: 429 } })],
  ])('classifies %s as throttling', (_label, error) => {
    expect(classifyProviderError(error)?.kind).toBe('throttling');
  });

  it.each([
    ['EUM InternalServerException', new InternalServerException({ message: 'x', $metadata: {} })],
    ['SNS InternalErrorException', new InternalErrorException({ message: 'x', $metadata: {} })],
    ['a server fault', unmodelled('Odd', { $fault: 'server' })],
    ['an HTTP 503', unmodelled('ServiceUnavailable', { $metadata: { httpStatusCode: 503 } })],
    ['an HTTP 502 with an unknown name', unmodelled('BadGateway', { $metadata: { httpStatusCode: 502 } })],
    ['a reset connection', unmodelled('Error', { code: 'ECONNRESET' })],
    ['an SDK TimeoutError', unmodelled('TimeoutError')],
  ])('classifies %s as transient', (_label, error) => {
    expect(classifyProviderError(error)?.kind).toBe('transient');
  });

  it.each([
    ['ValidationException', new ValidationException({ message: 'x', $metadata: {} })],
    ['InvalidParameterException', new InvalidParameterException({ message: 'x', $metadata: {} })],
    ['OptedOutException', new OptedOutException({ message: 'x', $metadata: {} })],
    ['ConflictException', new ConflictException({ message: 'x', $metadata: {} })],
    ['AccessDeniedException', new AccessDeniedException({ message: 'x', $metadata: {} })],
    ['ResourceNotFoundException', new ResourceNotFoundException({ message: 'x', $metadata: {} })],
    ['ServiceQuotaExceededException', new ServiceQuotaExceededException({ message: 'x', $metadata: {} })],
    ['InvalidParameter', unmodelled('InvalidParameter')],
    ['InvalidParameterValue', unmodelled('InvalidParameterValue')],
    ['OptedOut', unmodelled('OptedOut')],
    ['AccessDenied', unmodelled('AccessDenied')],
    [
      'SomeNewClientError',
      unmodelled('SomeNewClientError', { $fault: 'client', $metadata: { httpStatusCode: 400 } }),
    ],
  ])('classifies %s as permanent under its own name', (code, error) => {
    expect(classifyProviderError(error)).toEqual({ kind: 'permanent', code });
  });

  it('does not claim errors that did not come from the provider', () => {
    expect(classifyProviderError(new TypeError('bug'))).toBeUndefined();
    expect(classifyProviderError(new SmsConfigurationError('no project'))).toBeUndefined();
    expect(classifyProviderError('a string')).toBeUndefined();
    expect(classifyProviderError(undefined)).toBeUndefined();
  });

  it('reports a name that is not a plain identifier as ProviderError, so no request data reaches a code', () => {
    expect(safeCode(`Invalid ${PHONE}`)).toBe('ProviderError');
    expect(safeCode(undefined)).toBe('ProviderError');
    expect(safeCode('x'.repeat(101))).toBe('ProviderError');
    expect(safeCode('InvalidParameter')).toBe('InvalidParameter');
    expect(classifyProviderError(unmodelled(`Bad ${PHONE}`, { $fault: 'client' }))).toEqual({
      kind: 'permanent',
      code: 'ProviderError',
    });
  });
});

describe('sendWithRetry', () => {
  it('returns the first success without sleeping', async () => {
    // GIVEN an attempt that succeeds at once
    const attempt = scripted('ok');
    const options = roomy();

    // WHEN it is run
    const result = await sendWithRetry(attempt, options);

    // THEN it ran once and never slept
    expect(result).toBe('ok');
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(options.sleep).not.toHaveBeenCalled();
  });

  it('retries throttling with full-jitter exponential backoff until it succeeds', async () => {
    // GIVEN two throttles then a success, and a jitter source that returns 0.5
    const attempt = scripted(throttled(), throttled(), 'ok');
    const sleep = fakeSleep();
    const onRetry = jest.fn();

    // WHEN it is run with a 100 ms base
    const result = await sendWithRetry(attempt, roomy({ sleep, onRetry, baseDelayMs: 100, maxAttempts: 3 }));

    // THEN it slept half of each doubling cap (100, 200) between the three attempts
    expect(result).toBe('ok');
    expect(attempt).toHaveBeenCalledTimes(3);
    expect(sleep.mock.calls).toEqual([[50], [100]]);
    expect(onRetry.mock.calls).toEqual([
      [{ attempt: 1, delayMs: 50, kind: 'throttling', code: 'ThrottledException' }],
      [{ attempt: 2, delayMs: 100, kind: 'throttling', code: 'ThrottledException' }],
    ]);
  });

  it('never waits longer than maxDelayMs however many retries', async () => {
    // GIVEN a provider that throttles nine times, and jitter at its top
    const attempt = scripted(...Array.from({ length: 9 }, throttled), 'ok');
    const sleep = fakeSleep();

    // WHEN retried with a 300 ms cap
    await sendWithRetry(attempt, roomy({ sleep, random: () => 0.999, maxAttempts: 10, maxDelayMs: 300 }));

    // THEN the delays grow (99, 199) and then stay under the cap
    const delays = sleep.mock.calls.map(([ms]) => ms);
    expect(delays.slice(0, 2)).toEqual([99, 199]);
    expect(Math.max(...delays)).toBe(299);
  });

  it('throws ProviderThrottledError with retryAfterSeconds when throttling outlasts the attempts', async () => {
    // GIVEN a provider that always throttles
    const attempt = scripted<string>(throttled());
    const sleep = fakeSleep();

    // WHEN retried three times with a one-second base
    const error = await rejectionOf(
      sendWithRetry(attempt, roomy({ sleep, maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 5000 })),
    );

    // THEN it gives up after three attempts and two sleeps, asking to come back after the next cap (4 s)
    expect(error).toBeInstanceOf(ProviderThrottledError);
    expect((error as ProviderThrottledError).retryAfterSeconds).toBe(4);
    expect(attempt).toHaveBeenCalledTimes(3);
    expect(sleep).toHaveBeenCalledTimes(2);
    // The cause keeps what support needs, and nothing else
    const cause = (error as Error).cause;
    expect(cause).toBeInstanceOf(ProviderErrorSummary);
    expect(cause).toMatchObject({
      code: 'ThrottledException',
      httpStatusCode: 429,
      requestId: 'req-0001',
      attempts: 3,
    });
    expectNoPersonalData(error);
  });

  it('asks for at least one second even when the backoff is shorter', async () => {
    const error = await rejectionOf(sendWithRetry(scripted(throttled()), roomy({ maxAttempts: 1 })));

    expect(error).toBeInstanceOf(ProviderThrottledError);
    expect((error as ProviderThrottledError).retryAfterSeconds).toBe(1);
  });

  it('retries a transient 500 and returns the later success', async () => {
    // GIVEN an internal error then a success
    const attempt = scripted(new InternalErrorException({ message: 'boom', $metadata: meta(500) }), 'ok');

    // WHEN it is run
    const result = await sendWithRetry(attempt, roomy());

    // THEN the second attempt's result comes back
    expect(result).toBe('ok');
    expect(attempt).toHaveBeenCalledTimes(2);
  });

  it('turns transient failures that outlast the attempts into ProviderThrottledError too', async () => {
    const attempt = scripted<string>(
      unmodelled('ServiceUnavailable', { $metadata: { httpStatusCode: 503 } }),
    );

    const error = await rejectionOf(sendWithRetry(attempt, roomy({ maxAttempts: 2 })));

    expect(error).toBeInstanceOf(ProviderThrottledError);
    expect(attempt).toHaveBeenCalledTimes(2);
    expect((error as Error).cause).toMatchObject({ code: 'ServiceUnavailable', httpStatusCode: 503 });
  });

  it('throws a permanent error at once as ProviderRejectedError with the provider code', async () => {
    // GIVEN the provider rejects the number, quoting it in its message
    const rejected = new InvalidParameterException({
      message: `Invalid parameter: PhoneNumber Reason: ${PHONE} is not valid to publish to`,
      $metadata: meta(400),
    });
    const attempt = scripted<string>(rejected);
    const options = roomy();

    // WHEN it is run
    const error = await rejectionOf(sendWithRetry(attempt, options));

    // THEN one attempt, no sleep, the code named, and neither the number nor the SDK message anywhere
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect((error as ProviderRejectedError).code).toBe('InvalidParameterException');
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(options.sleep).not.toHaveBeenCalled();
    expect((error as Error).cause).toMatchObject({ httpStatusCode: 400, requestId: 'req-0001', attempts: 1 });
    expect((error as Error).cause).not.toBe(rejected);
    expectNoPersonalData(error);
  });

  it('rethrows a ProviderRejectedError from the attempt as it is', async () => {
    const own = new ProviderRejectedError('OPT_OUT');

    await expect(sendWithRetry(scripted<string>(own), roomy())).rejects.toBe(own);
  });

  it('maps a ProviderStatusError by its kind (throttling is retried, permanent is not)', async () => {
    const retried = scripted(new ProviderStatusError('throttling', 'THROTTLED'), 'ok');
    await expect(sendWithRetry(retried, roomy())).resolves.toBe('ok');
    expect(retried).toHaveBeenCalledTimes(2);

    const refused = scripted<string>(new ProviderStatusError('permanent', 'DUPLICATE'));
    await expect(sendWithRetry(refused, roomy())).rejects.toMatchObject({
      name: 'ProviderRejectedError',
      code: 'DUPLICATE',
    });
    expect(refused).toHaveBeenCalledTimes(1);
  });

  it('rethrows an error that is not the provider’s unchanged and does not retry it', async () => {
    const bug = new TypeError('cannot read properties of undefined');
    const attempt = scripted<string>(bug);

    await expect(sendWithRetry(attempt, roomy())).rejects.toBe(bug);
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('does not sleep when the next backoff would run into the safety margin', async () => {
    // GIVEN 1,050 ms left, a 1,000 ms margin, and a backoff of 90 ms (0.9 of the 100 ms cap)
    const attempt = scripted<string>(throttled(), 'ok');
    const sleep = fakeSleep();

    // WHEN the first attempt is throttled
    const error = await rejectionOf(
      sendWithRetry(attempt, { deadline: () => 1_050, sleep, random: () => 0.9, safetyMarginMs: 1_000 }),
    );

    // THEN it gives up at once: one attempt, no sleep
    expect(error).toBeInstanceOf(ProviderThrottledError);
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(sleep).not.toHaveBeenCalled();
  });

  it('sleeps when the backoff just fits before the safety margin', async () => {
    const attempt = scripted(throttled(), 'ok');
    const sleep = fakeSleep();

    const result = await sendWithRetry(attempt, {
      deadline: () => 1_090,
      sleep,
      random: () => 0.9,
      safetyMarginMs: 1_000,
    });

    expect(result).toBe('ok');
    expect(sleep.mock.calls).toEqual([[90]]);
  });

  it('never sleeps past the deadline minus the margin, whatever the jitter and attempt durations', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 5_000 }),
        fc.array(fc.double({ min: 0, max: 0.999_999, noNaN: true }), { minLength: 1, maxLength: 10 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 0, max: 1_500 }),
        async (budgetMs, jitters, durations, safetyMarginMs) => {
          // GIVEN a fake clock, attempts that take time and always throttle, and a budget
          let elapsed = 0;
          let attempts = 0;
          let sleptUntil = 0;
          const attempt = async (): Promise<never> => {
            elapsed += durations[attempts % durations.length] ?? 0;
            attempts += 1;
            throw throttled();
          };
          let draw = 0;
          const options: RetryOptions = {
            deadline: () => budgetMs - elapsed,
            sleep: async (ms) => {
              elapsed += ms;
              sleptUntil = Math.max(sleptUntil, elapsed);
            },
            random: () => jitters[draw++ % jitters.length] ?? 0,
            maxAttempts: 8,
            baseDelayMs: 200,
            safetyMarginMs,
          };

          // WHEN it runs to exhaustion
          const error = await rejectionOf(sendWithRetry(attempt, options));

          // THEN every sleep ended no later than deadline - margin, and the outcome is ProviderThrottledError
          expect(error).toBeInstanceOf(ProviderThrottledError);
          expect(sleptUntil).toBeLessThanOrEqual(Math.max(0, budgetMs - safetyMarginMs));
          expect(attempts).toBeGreaterThanOrEqual(1);
          expect(attempts).toBeLessThanOrEqual(8);
        },
      ),
    );
  });

  it('refuses a maxAttempts below one', async () => {
    const attempt = scripted('ok');

    await expect(sendWithRetry(attempt, roomy({ maxAttempts: 0 }))).rejects.toThrow(RangeError);
    expect(attempt).not.toHaveBeenCalled();
  });

  it('gives adapters no deadline unless one is passed', () => {
    expect(retryOptions().deadline()).toBe(Number.POSITIVE_INFINITY);
    expect(retryOptions({ deadline: () => 42 }).deadline()).toBe(42);
  });
});
