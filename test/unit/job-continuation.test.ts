import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SqsContinuationQueue } from '../../lambdas/adapters/sqs-continuation-queue';
import {
  CONTINUATION_DELAY_SECONDS,
  continuingJobHandler,
  hopOf,
  JOB_CONTINUATION_QUEUE_ENV,
} from '../../lambdas/jobs/continuation';
import type { JobSummary } from '../../lambdas/jobs/job';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/purge-continuation';
const sqs = mockClient(SQSClient);
const dynamo = mockClient(DynamoDBDocumentClient);
const context = (remaining = 600_000) =>
  ({ getRemainingTimeInMillis: () => remaining }) as unknown as Context;
const sqsEvent = (body: string) => ({ Records: [{ messageId: 'm1', body, eventSource: 'aws:sqs' }] });
const scheduledEvent = { 'detail-type': 'Scheduled Event', source: 'aws.scheduler' };

beforeEach(() => {
  sqs.reset();
  dynamo.reset();
});
afterAll(() => {
  sqs.restore();
  dynamo.restore();
});

function handlerFor(summaries: JobSummary[], maxContinuations?: number) {
  const warnings: unknown[] = [];
  const handler = continuingJobHandler({
    run: async () => summaries.shift()!,
    queue: new SqsContinuationQueue(new SQSClient({ region: 'eu-west-1' }), QUEUE_URL),
    logger: { warn: (_message, extra) => warnings.push(extra) },
    maxContinuations,
  });
  return { handler, warnings };
}

describe('the continuation of a job that ran out of time', () => {
  it('sends one delayed message with the next hop when a scheduled run reports done: false', async () => {
    const { handler } = handlerFor([{ done: false, purged: 10 }]);

    const summary = await handler(scheduledEvent, context());

    expect(summary).toEqual({ done: false, purged: 10 });
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 1);
    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, {
      QueueUrl: QUEUE_URL,
      MessageBody: JSON.stringify({ continuation: 1 }),
      DelaySeconds: CONTINUATION_DELAY_SECONDS,
    });
  });

  it('counts hops along the chain from the message that invoked it', async () => {
    const { handler } = handlerFor([{ done: false }]);

    await handler(sqsEvent(JSON.stringify({ continuation: 7 })), context());

    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, {
      MessageBody: JSON.stringify({ continuation: 8 }),
    });
  });

  it('sends nothing when the run finished', async () => {
    const { handler } = handlerFor([{ done: true }, { purged: 3 }]);

    await handler(scheduledEvent, context());
    await handler(sqsEvent(JSON.stringify({ continuation: 2 })), context());

    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 0);
  });

  it('ends a chain at its limit and leaves the rest to the next scheduled run', async () => {
    const { handler, warnings } = handlerFor([{ done: false }], 5);

    await handler(sqsEvent(JSON.stringify({ continuation: 5 })), context());

    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 0);
    expect(warnings).toEqual([{ hop: 5 }]);
  });

  it('fails the invocation when the continuation cannot be sent, so it is retried', async () => {
    sqs.on(SendMessageCommand).rejects(new Error('KMS throttled'));
    const { handler } = handlerFor([{ done: false }]);

    await expect(handler(scheduledEvent, context())).rejects.toThrow('KMS throttled');
  });

  it.each([
    ['a scheduled event', 0, scheduledEvent],
    ['no event', 0, null],
    ['a message that is not JSON', 0, sqsEvent('not json')],
    ['a negative hop', 0, sqsEvent('{"continuation":-3}')],
    ['a fractional hop', 0, sqsEvent('{"continuation":1.5}')],
    ['a continuation message', 12, sqsEvent('{"continuation":12}')],
  ])('reads %s as hop %d', (_label, hop, event) => {
    expect(hopOf(event)).toBe(hop);
  });
});

describe('the purge-inactive entry point', () => {
  it('is wired to the continuation queue: out of time before its first page, it asks for the next invocation', async () => {
    Object.assign(process.env, {
      TABLE_SUBSCRIBERS: 'Subscribers',
      TABLE_MESSAGE_LOG: 'MessageLog',
      TABLE_AUDIT_LOG: 'AuditLog',
      [JOB_CONTINUATION_QUEUE_ENV]: QUEUE_URL,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    dynamo.on(GetCommand).resolves({});
    dynamo.on(QueryCommand).resolves({ Items: [] });
    const { handler } = await import('../../lambdas/handlers/purge-inactive');

    const summary = await handler(scheduledEvent, context(5_000));

    expect(summary).toMatchObject({ done: false, days: 0, purged: 0 });
    expect(dynamo).toHaveReceivedCommandTimes(QueryCommand, 0);
    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, {
      QueueUrl: QUEUE_URL,
      MessageBody: JSON.stringify({ continuation: 1 }),
    });
  });
});
