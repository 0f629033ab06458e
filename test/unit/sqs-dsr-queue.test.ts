import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SqsDsrQueue } from '../../lambdas/adapters/sqs-dsr-queue';

describe('SqsDsrQueue', () => {
  it('sends one message per request, holding the ids and nothing else', async () => {
    const sqs = new SQSClient({ region: 'eu-west-1' });
    const mock = mockClient(sqs);
    mock.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    const queue = new SqsDsrQueue(sqs, 'https://sqs.eu-west-1.amazonaws.com/123456789012/dsr');

    await queue.enqueue({ tenantId: 'demo', requestId: '6f1d2c7e-8a44-4b1f-9c3d-5e7a9b0c1d23' });

    expect(mock).toHaveReceivedCommandTimes(SendMessageCommand, 1);
    const input = mock.commandCalls(SendMessageCommand)[0]!.args[0].input;
    expect(input.QueueUrl).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/dsr');
    expect(JSON.parse(input.MessageBody!)).toEqual({
      tenantId: 'demo',
      requestId: '6f1d2c7e-8a44-4b1f-9c3d-5e7a9b0c1d23',
    });
  });
});
