import { IdempotencyPersistenceLayerError } from '@aws-lambda-powertools/idempotency';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import {
  DynamoDBServiceException,
  InternalServerError,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { GenerateMacCommand, KMSClient, KMSServiceException } from '@aws-sdk/client-kms';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { KmsSubjectIdDeriver } from '../../lambdas/adapters/kms-subject-id';
import { createApiHandler, type RouteAction } from '../../lambdas/api/api-handler';
import { bearerTokenCaller } from '../../lambdas/api/callers';
import { TRANSIENT_FAULT_RETRY_AFTER_SECONDS } from '../../lambdas/shared/transient-faults';
import { apiEvent } from './helpers/api-event';

const PHONE = '+447400123456';
const meta = (httpStatusCode: number) => ({ httpStatusCode, requestId: 'req-1', attempts: 4 });
// SDK messages can quote the request: each fault here carries the number, which must reach no body or log.
const throttle = () =>
  new ProvisionedThroughputExceededException({ message: `Throttled writing ${PHONE}`, $metadata: meta(400) });

const event = (resource: '/v1/subscribers' | '/v1/messages', body: unknown): APIGatewayProxyEvent =>
  apiEvent(resource, body, {
    headers: { authorization: 'Bearer t', 'content-type': 'application/json', 'idempotency-key': 'k-1' },
  });

const subscribe = () =>
  event('/v1/subscribers', { phone: PHONE, consent: { source: 'api', noticeVersion: 'v1' } });
const send = () =>
  event('/v1/messages', { to: PHONE, body: 'Your order has shipped', category: 'transactional' });

const unused: RouteAction = async () => ({ statusCode: 204 });

function setUp(fail: RouteAction) {
  const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  const logged = {
    warn: jest.spyOn(logger, 'warn'),
    error: jest.spyOn(logger, 'error'),
    info: jest.spyOn(logger, 'info'),
  };
  const recorded: string[] = [];
  const metrics = {
    singleMetric: () => ({ addDimension: () => undefined, addMetric: (name: string) => recorded.push(name) }),
  } as unknown as Metrics;
  const common = { logger, metrics, callers: bearerTokenCaller({ t: { tenantId: 'demo' } }) };
  const subscribers = createApiHandler({
    ...common,
    fn: 'subscribers',
    actions: {
      createSubscriber: fail,
      getSubscriber: unused,
      patchSubscriber: unused,
      recordInteraction: unused,
      setLegalHold: unused,
      clearLegalHold: unused,
      listConsentEvents: unused,
      listSubscriberMessages: unused,
      getMe: unused,
    },
  });
  const messages = createApiHandler({
    ...common,
    fn: 'messages',
    actions: { sendMessage: fail, getMessage: unused },
  });
  return { subscribers, messages, logged, recorded };
}

describe('the API handler under a dependency that throttles or fails', () => {
  it('answers a DynamoDB throttle that outlasted the SDK retries with 503 service-unavailable and Retry-After', async () => {
    // GIVEN a route whose DynamoDB write keeps being throttled
    const { subscribers, recorded } = setUp(async () => {
      throw throttle();
    });
    // WHEN it is called
    const result = await subscribers(subscribe());
    // THEN the client is told to come back, in problem+json, never a 500
    expect(result.statusCode).toBe(503);
    expect(result.headers).toMatchObject({
      'content-type': 'application/problem+json',
      'retry-after': String(TRANSIENT_FAULT_RETRY_AFTER_SECONDS),
    });
    expect(JSON.parse(result.body)).toEqual({
      type: 'urn:optline:problem:service-unavailable',
      title: 'Service unavailable',
      status: 503,
      detail: `The service is briefly overloaded or unavailable; retry after ${TRANSIENT_FAULT_RETRY_AFTER_SECONDS} seconds.`,
      errors: [],
      retryAfterSeconds: TRANSIENT_FAULT_RETRY_AFTER_SECONDS,
    });
    // AND counted apart from failures and refusals
    expect(recorded).toEqual(['RequestDeferred']);
  });

  it('tells a sender to retry with the same Idempotency-Key', async () => {
    const { messages } = setUp(async () => {
      throw new InternalServerError({ message: 'Internal server error', $metadata: meta(500) });
    });
    const result = await messages(send());
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body).detail).toMatch(/with the same Idempotency-Key\.$/);
  });

  it('classifies a throttle of the idempotency record by its cause, as Powertools wraps it', async () => {
    const { messages } = setUp(async () => {
      throw new IdempotencyPersistenceLayerError('Failed to save in progress record to idempotency store', {
        cause: throttle(),
      });
    });
    const result = await messages(send());
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['retry-after']).toBe(String(TRANSIENT_FAULT_RETRY_AFTER_SECONDS));
  });

  it('answers a KMS throttle on GenerateMac (the subject id) the same way', async () => {
    // GIVEN KMS throttling every GenerateMac, as the SDK reports it after its retries
    const kms = mockClient(KMSClient);
    kms.on(GenerateMacCommand).rejects(
      new KMSServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        message: 'You have exceeded the rate at which you may call KMS',
        $metadata: meta(400),
      }),
    );
    const subjectIds = new KmsSubjectIdDeriver(
      new KMSClient({ region: 'eu-west-1' }),
      'alias/optline-eu-subjects',
    );
    const { subscribers } = setUp(async () => {
      await subjectIds.derive('demo', PHONE);
      return { statusCode: 201 };
    });
    try {
      // WHEN a subscribe needs the subject id
      const result = await subscribers(subscribe());
      // THEN it is a 503 too
      expect(result.statusCode).toBe(503);
      expect(result.headers?.['retry-after']).toBe(String(TRANSIENT_FAULT_RETRY_AFTER_SECONDS));
    } finally {
      kms.restore();
    }
  });

  it('logs the names of the error and of the fault, never the message', async () => {
    const { subscribers, logged } = setUp(async () => {
      throw new IdempotencyPersistenceLayerError(`Failed for ${PHONE}`, { cause: throttle() });
    });
    const result = await subscribers(subscribe());
    expect(logged.warn).toHaveBeenCalledWith('request deferred: a dependency is throttling or failing', {
      operationId: 'createSubscriber',
      tenantId: 'demo',
      requestId: 'r-1',
      status: 503,
      errorName: 'IdempotencyPersistenceLayerError',
      fault: 'ProvisionedThroughputExceededException',
      faultKind: 'throttling',
    });
    const everything = JSON.stringify([
      logged.warn.mock.calls,
      logged.error.mock.calls,
      logged.info.mock.calls,
    ]);
    expect(everything + result.body).not.toContain('7400123456');
  });

  it('still answers 500 internal for an SDK error that retrying cannot mend', async () => {
    const { subscribers, recorded, logged } = setUp(async () => {
      // Not modelled: the SDK reports it under its wire name.
      throw new DynamoDBServiceException({
        name: 'ValidationException',
        $fault: 'client',
        message: `Bad key ${PHONE}`,
        $metadata: meta(400),
      });
    });
    const result = await subscribers(subscribe());
    expect(result.statusCode).toBe(500);
    expect(result.headers?.['retry-after']).toBeUndefined();
    expect(JSON.parse(result.body)).toMatchObject({ type: 'urn:optline:problem:internal' });
    expect(recorded).toEqual(['RequestFailed']);
    expect(logged.error).toHaveBeenCalledWith(
      'request failed',
      expect.objectContaining({ errorName: 'ValidationException' }),
    );
  });
});
