import {
  AuthorizationErrorException,
  InternalErrorException,
  InvalidParameterException,
  OptedOutException,
  PublishCommand,
  SNSClient,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { RetryOptions } from '../../lambdas/adapters/sms/error-mapping';
import { SnsSmsSender } from '../../lambdas/adapters/sms/sns-sender';
import {
  ProviderRejectedError,
  ProviderThrottledError,
  type ChannelConfig,
  type MessageCategory,
  type OutboundSms,
} from '../../lambdas/domain/sms';
import { BODY, expectNoPersonalData, PHONE, rejectionOf } from './helpers/sms-fixtures';

const SNS_CONFIG: ChannelConfig = { channel: 'sns' };

const sns = mockClient(SNSClient);

beforeEach(() => {
  sns.reset();
});

afterAll(() => {
  sns.restore();
});

const sms = (category: MessageCategory = 'transactional'): OutboundSms => ({
  messageId: 'msg-01',
  tenantId: 'demo',
  to: PHONE,
  body: BODY,
  category,
});

function sender(retry: Partial<RetryOptions> = {}) {
  const sleep = jest.fn(async (_ms: number) => undefined);
  const adapter = new SnsSmsSender(new SNSClient({ region: 'eu-west-1', maxAttempts: 1 }), {
    deadline: () => 60_000,
    random: () => 0.5,
    sleep,
    ...retry,
  });
  return { adapter, sleep };
}

const publishInput = () => sns.commandCalls(PublishCommand)[0]?.args[0].input;

const meta = (httpStatusCode: number) => ({ httpStatusCode, requestId: 'sns-req-1', attempts: 1 });

describe('SnsSmsSender request', () => {
  it('publishes a transactional SMS to the number with only the SMS type attribute', async () => {
    // GIVEN SNS accepts the publish
    sns.on(PublishCommand).resolves({ MessageId: 'sns-msg-1' });
    const { adapter } = sender();

    // WHEN a transactional message is sent on a config with no sender id or origination number
    const receipt = await adapter.send(sms('transactional'), SNS_CONFIG);

    // THEN the exact Publish input is built, and SNS's MessageId is the provider id
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(publishInput()).toStrictEqual({
      PhoneNumber: PHONE,
      Message: BODY,
      MessageAttributes: {
        'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
      },
    });
    expect(receipt).toStrictEqual({ channel: 'sns', providerMessageId: 'sns-msg-1' });
  });

  it('publishes marketing as Promotional', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'sns-msg-2' });

    await sender().adapter.send(sms('marketing'), SNS_CONFIG);

    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Promotional' } },
    });
  });

  it.each<MessageCategory>(['opt_out_confirmation', 'help'])(
    'publishes %s as Transactional',
    async (category) => {
      sns.on(PublishCommand).resolves({ MessageId: 'sns-msg-3' });

      await sender().adapter.send(sms(category), SNS_CONFIG);

      expect(publishInput()?.MessageAttributes?.['AWS.SNS.SMS.SMSType']).toStrictEqual({
        DataType: 'String',
        StringValue: 'Transactional',
      });
    },
  );

  it('adds the sender id and origination number attributes when the config has them', async () => {
    // GIVEN a config with both a sender id and an origination number
    sns.on(PublishCommand).resolves({ MessageId: 'sns-msg-4' });
    const config: ChannelConfig = {
      channel: 'sns',
      senderId: 'OPTLINE',
      originationIdentity: '+447700900123',
    };

    // WHEN a marketing message is sent
    await sender().adapter.send(sms('marketing'), config);

    // THEN both attributes are set as Strings next to the SMS type
    expect(publishInput()).toStrictEqual({
      PhoneNumber: PHONE,
      Message: BODY,
      MessageAttributes: {
        'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Promotional' },
        'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'OPTLINE' },
        'AWS.MM.SMS.OriginationNumber': { DataType: 'String', StringValue: '+447700900123' },
      },
    });
  });

  it('sets the sender id alone when there is no origination number', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'sns-msg-5' });

    await sender().adapter.send(sms(), { channel: 'sns', senderId: 'OPTLINE' });

    expect(Object.keys(publishInput()?.MessageAttributes ?? {}).sort()).toEqual([
      'AWS.SNS.SMS.SMSType',
      'AWS.SNS.SMS.SenderID',
    ]);
  });

  it('returns a receipt without a provider id when SNS returns no MessageId', async () => {
    sns.on(PublishCommand).resolves({});

    await expect(sender().adapter.send(sms(), SNS_CONFIG)).resolves.toStrictEqual({ channel: 'sns' });
  });
});

describe('SnsSmsSender errors', () => {
  it('retries a throttled publish and returns the later success', async () => {
    // GIVEN SNS throttles once, then accepts
    sns
      .on(PublishCommand)
      .rejectsOnce(new ThrottledException({ message: 'Rate exceeded', $metadata: meta(429) }))
      .resolves({ MessageId: 'sns-msg-6' });
    const { adapter, sleep } = sender();

    // WHEN a message is sent
    const receipt = await adapter.send(sms(), SNS_CONFIG);

    // THEN the same input was published twice with one backoff between, and the second id returned
    expect(receipt.providerMessageId).toBe('sns-msg-6');
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(sns.commandCalls(PublishCommand)[1]?.args[0].input).toStrictEqual(publishInput());
    expect(sleep.mock.calls).toEqual([[50]]);
  });

  it('throws ProviderThrottledError with retryAfterSeconds when SNS keeps throttling', async () => {
    sns
      .on(PublishCommand)
      .rejects(new ThrottledException({ message: `Rate exceeded ${PHONE}`, $metadata: meta(429) }));
    const { adapter } = sender({ maxAttempts: 3 });

    const error = await rejectionOf(adapter.send(sms(), SNS_CONFIG));

    expect(error).toBeInstanceOf(ProviderThrottledError);
    expect((error as ProviderThrottledError).retryAfterSeconds).toBe(1);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 3);
    expectNoPersonalData(error);
  });

  it('retries a 500 from SNS', async () => {
    sns
      .on(PublishCommand)
      .rejectsOnce(new InternalErrorException({ message: 'internal', $metadata: meta(500) }))
      .resolves({ MessageId: 'sns-msg-7' });

    await expect(sender().adapter.send(sms(), SNS_CONFIG)).resolves.toStrictEqual({
      channel: 'sns',
      providerMessageId: 'sns-msg-7',
    });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
  });

  it.each([
    [
      'InvalidParameterException',
      new InvalidParameterException({
        message: `Invalid parameter: PhoneNumber Reason: ${PHONE} is not valid to publish to`,
        $metadata: meta(400),
      }),
    ],
    ['OptedOutException', new OptedOutException({ message: `${PHONE} is opted out`, $metadata: meta(400) })],
    [
      'AuthorizationErrorException',
      new AuthorizationErrorException({ message: 'not authorized', $metadata: meta(403) }),
    ],
  ])('rejects at once on %s, without the number or body in the error', async (code, sdkError) => {
    // GIVEN SNS refuses the message for good
    sns.on(PublishCommand).rejects(sdkError);
    const { adapter, sleep } = sender();

    // WHEN it is sent
    const error = await rejectionOf(adapter.send(sms(), SNS_CONFIG));

    // THEN ProviderRejectedError names the SNS error, SNS was called once, nobody slept
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect((error as ProviderRejectedError).code).toBe(code);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sleep).not.toHaveBeenCalled();
    expectNoPersonalData(error);
  });

  it('does not back off past the Lambda deadline', async () => {
    // GIVEN 1,050 ms left: less than the safety margin plus the next backoff
    sns
      .on(PublishCommand)
      .rejects(new ThrottledException({ message: 'Rate exceeded', $metadata: meta(429) }));
    const { adapter, sleep } = sender({ deadline: () => 1_050, random: () => 0.9 });

    // WHEN a message is sent
    const error = await rejectionOf(adapter.send(sms(), SNS_CONFIG));

    // THEN it gives up after one publish, without sleeping
    expect(error).toBeInstanceOf(ProviderThrottledError);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sleep).not.toHaveBeenCalled();
  });
});
