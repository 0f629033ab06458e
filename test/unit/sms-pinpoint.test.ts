import {
  BadRequestException,
  InternalServerErrorException,
  NotFoundException,
  PinpointClient,
  SendMessagesCommand,
  type SendMessagesResponse,
  TooManyRequestsException,
} from '@aws-sdk/client-pinpoint';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { type RetryOptions, SmsConfigurationError } from '../../lambdas/adapters/sms/error-mapping';
import { PinpointSmsSender } from '../../lambdas/adapters/sms/pinpoint-sender';
import {
  ProviderRejectedError,
  ProviderThrottledError,
  type ChannelConfig,
  type MessageCategory,
  type OutboundSms,
} from '../../lambdas/domain/sms';
import { BODY, expectNoPersonalData, PHONE, rejectionOf } from './helpers/sms-fixtures';

const PROJECT_ID = '6f1c0a2b3d4e5f60718293a4b5c6d7e8';
const PINPOINT: ChannelConfig = { channel: 'pinpoint', pinpointProjectId: PROJECT_ID };

const pinpoint = mockClient(PinpointClient);

beforeEach(() => {
  pinpoint.reset();
});

afterAll(() => {
  pinpoint.restore();
});

const sms = (category: MessageCategory = 'transactional'): OutboundSms => ({
  messageId: 'msg-01',
  tenantId: 'demo',
  to: PHONE,
  body: BODY,
  category,
});

/** A SendMessages response with one per-address result, whose StatusMessage quotes the number as Pinpoint's can. */
const answer = (DeliveryStatus: string, MessageId?: string): SendMessagesResponse => ({
  MessageResponse: {
    ApplicationId: PROJECT_ID,
    RequestId: 'pp-req-1',
    Result: {
      [PHONE]: {
        DeliveryStatus: DeliveryStatus as never,
        StatusCode: DeliveryStatus === 'SUCCESSFUL' ? 200 : 400,
        StatusMessage: `${DeliveryStatus} for ${PHONE}: ${BODY}`,
        ...(MessageId === undefined ? {} : { MessageId }),
      },
    },
  },
});

function sender(retry: Partial<RetryOptions> = {}) {
  const sleep = jest.fn(async (_ms: number) => undefined);
  const adapter = new PinpointSmsSender(new PinpointClient({ region: 'eu-west-1', maxAttempts: 1 }), {
    deadline: () => 60_000,
    random: () => 0.5,
    sleep,
    ...retry,
  });
  return { adapter, sleep };
}

const sentInput = () => pinpoint.commandCalls(SendMessagesCommand)[0]?.args[0].input;

describe('PinpointSmsSender request', () => {
  it('sends a transactional SMS to one address of the configured project, with the ids as Context', async () => {
    // GIVEN Pinpoint accepts the address
    pinpoint.on(SendMessagesCommand).resolves(answer('SUCCESSFUL', 'pp-msg-1'));

    // WHEN a transactional message is sent on a config with only the project id
    const receipt = await sender().adapter.send(sms('transactional'), PINPOINT);

    // THEN the exact SendMessages input is built, and the address's MessageId is the provider id
    expect(pinpoint).toHaveReceivedCommandTimes(SendMessagesCommand, 1);
    expect(sentInput()).toStrictEqual({
      ApplicationId: PROJECT_ID,
      MessageRequest: {
        Addresses: { [PHONE]: { ChannelType: 'SMS' } },
        MessageConfiguration: { SMSMessage: { Body: BODY, MessageType: 'TRANSACTIONAL' } },
        Context: { tenantId: 'demo', messageId: 'msg-01' },
      },
    });
    expect(receipt).toStrictEqual({ channel: 'pinpoint', providerMessageId: 'pp-msg-1' });
  });

  it('sends marketing as PROMOTIONAL with the origination number and sender id', async () => {
    // GIVEN a config with both an origination number and a sender id
    pinpoint.on(SendMessagesCommand).resolves(answer('SUCCESSFUL', 'pp-msg-2'));
    const config: ChannelConfig = {
      ...PINPOINT,
      originationIdentity: '+447700900123',
      senderId: 'OPTLINE',
    };

    // WHEN a marketing message is sent
    await sender().adapter.send(sms('marketing'), config);

    // THEN both go into the SMS message configuration
    expect(pinpoint).toHaveReceivedCommandWith(SendMessagesCommand, { ApplicationId: PROJECT_ID });
    expect(sentInput()?.MessageRequest?.MessageConfiguration).toStrictEqual({
      SMSMessage: {
        Body: BODY,
        MessageType: 'PROMOTIONAL',
        OriginationNumber: '+447700900123',
        SenderId: 'OPTLINE',
      },
    });
  });

  it.each<MessageCategory>(['opt_out_confirmation', 'help'])(
    'sends %s as TRANSACTIONAL',
    async (category) => {
      pinpoint.on(SendMessagesCommand).resolves(answer('SUCCESSFUL', 'pp-msg-3'));

      await sender().adapter.send(sms(category), PINPOINT);

      expect(sentInput()?.MessageRequest?.MessageConfiguration?.SMSMessage?.MessageType).toBe(
        'TRANSACTIONAL',
      );
    },
  );

  it('sets the sender id alone when there is no origination number', async () => {
    pinpoint.on(SendMessagesCommand).resolves(answer('SUCCESSFUL', 'pp-msg-4'));

    await sender().adapter.send(sms(), { ...PINPOINT, senderId: 'OPTLINE' });

    expect(sentInput()?.MessageRequest?.MessageConfiguration?.SMSMessage).toStrictEqual({
      Body: BODY,
      MessageType: 'TRANSACTIONAL',
      SenderId: 'OPTLINE',
    });
  });

  it.each([
    ['missing', { channel: 'pinpoint' } as ChannelConfig],
    ['blank', { channel: 'pinpoint', pinpointProjectId: ' ' } as ChannelConfig],
  ])('refuses to send when the project id is %s, without calling Pinpoint', async (_label, config) => {
    const error = await rejectionOf(sender().adapter.send(sms(), config));

    expect(error).toBeInstanceOf(SmsConfigurationError);
    expect((error as Error).message).toMatch(/pinpointProjectId/);
    expect(pinpoint).toHaveReceivedCommandTimes(SendMessagesCommand, 0);
    expectNoPersonalData(error);
  });
});

describe('PinpointSmsSender per-address results', () => {
  it('retries an address result of THROTTLED and returns the later success', async () => {
    // GIVEN Pinpoint answers 200 with THROTTLED for the address, then SUCCESSFUL
    pinpoint
      .on(SendMessagesCommand)
      .resolvesOnce(answer('THROTTLED'))
      .resolves(answer('SUCCESSFUL', 'pp-msg-5'));
    const { adapter, sleep } = sender();

    // WHEN a message is sent
    const receipt = await adapter.send(sms(), PINPOINT);

    // THEN it backed off once and sent again
    expect(receipt).toStrictEqual({ channel: 'pinpoint', providerMessageId: 'pp-msg-5' });
    expect(pinpoint).toHaveReceivedCommandTimes(SendMessagesCommand, 2);
    expect(sleep.mock.calls).toEqual([[50]]);
  });

  it('retries TEMPORARY_FAILURE', async () => {
    pinpoint
      .on(SendMessagesCommand)
      .resolvesOnce(answer('TEMPORARY_FAILURE'))
      .resolves(answer('SUCCESSFUL', 'pp-msg-6'));

    await expect(sender().adapter.send(sms(), PINPOINT)).resolves.toStrictEqual({
      channel: 'pinpoint',
      providerMessageId: 'pp-msg-6',
    });
    expect(pinpoint).toHaveReceivedCommandTimes(SendMessagesCommand, 2);
  });

  it.each(['THROTTLED', 'TEMPORARY_FAILURE'])(
    'throws ProviderThrottledError when every attempt comes back %s',
    async (status) => {
      pinpoint.on(SendMessagesCommand).resolves(answer(status));

      const error = await rejectionOf(sender({ maxAttempts: 3 }).adapter.send(sms(), PINPOINT));

      expect(error).toBeInstanceOf(ProviderThrottledError);
      expect((error as ProviderThrottledError).retryAfterSeconds).toBe(1);
      expect((error as Error).cause).toMatchObject({ code: status, requestId: 'pp-req-1', attempts: 3 });
      expect(pinpoint).toHaveReceivedCommandTimes(SendMessagesCommand, 3);
      expectNoPersonalData(error);
    },
  );

  it.each(['PERMANENT_FAILURE', 'OPT_OUT', 'DUPLICATE', 'UNKNOWN_FAILURE'])(
    'rejects %s at once with that status as the code, and no StatusMessage in the error',
    async (status) => {
      // GIVEN Pinpoint answers with a final status for the address
      pinpoint.on(SendMessagesCommand).resolves(answer(status));
      const { adapter, sleep } = sender();

      // WHEN a message is sent
      const error = await rejectionOf(adapter.send(sms(), PINPOINT));

      // THEN ProviderRejectedError carries the status; one call, no sleep, nothing personal
      expect(error).toBeInstanceOf(ProviderRejectedError);
      expect((error as ProviderRejectedError).code).toBe(status);
      expect((error as Error).cause).toMatchObject({ httpStatusCode: 400, requestId: 'pp-req-1' });
      expect(pinpoint).toHaveReceivedCommandTimes(SendMessagesCommand, 1);
      expect(sleep).not.toHaveBeenCalled();
      expectNoPersonalData(error);
    },
  );

  it('rejects without retrying when the response has no result for the address', async () => {
    // GIVEN a 200 whose results name another address: whether ours went out is unknown
    pinpoint.on(SendMessagesCommand).resolves({
      MessageResponse: {
        ApplicationId: PROJECT_ID,
        Result: { '+15555550100': { DeliveryStatus: 'SUCCESSFUL', StatusCode: 200, MessageId: 'other' } },
      },
    });

    const error = await rejectionOf(sender().adapter.send(sms(), PINPOINT));

    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect((error as ProviderRejectedError).code).toBe('NoResultForAddress');
    expect(pinpoint).toHaveReceivedCommandTimes(SendMessagesCommand, 1);
  });
});

describe('PinpointSmsSender exceptions', () => {
  it('retries TooManyRequestsException and returns the later success', async () => {
    pinpoint
      .on(SendMessagesCommand)
      .rejectsOnce(
        new TooManyRequestsException({ message: 'Too many requests', $metadata: { httpStatusCode: 429 } }),
      )
      .resolves(answer('SUCCESSFUL', 'pp-msg-7'));

    const receipt = await sender().adapter.send(sms(), PINPOINT);

    expect(receipt.providerMessageId).toBe('pp-msg-7');
    expect(pinpoint).toHaveReceivedCommandTimes(SendMessagesCommand, 2);
  });

  it('retries InternalServerErrorException', async () => {
    pinpoint
      .on(SendMessagesCommand)
      .rejectsOnce(
        new InternalServerErrorException({ message: 'internal', $metadata: { httpStatusCode: 500 } }),
      )
      .resolves(answer('SUCCESSFUL', 'pp-msg-8'));

    await expect(sender().adapter.send(sms(), PINPOINT)).resolves.toMatchObject({
      providerMessageId: 'pp-msg-8',
    });
    expect(pinpoint).toHaveReceivedCommandTimes(SendMessagesCommand, 2);
  });

  it.each([
    [
      'BadRequestException',
      new BadRequestException({ message: `Invalid address ${PHONE}`, $metadata: { httpStatusCode: 400 } }),
    ],
    [
      'NotFoundException',
      new NotFoundException({
        message: `Project ${PROJECT_ID} not found`,
        $metadata: { httpStatusCode: 404 },
      }),
    ],
  ])('rejects at once on %s', async (code, sdkError) => {
    pinpoint.on(SendMessagesCommand).rejects(sdkError);

    const error = await rejectionOf(sender().adapter.send(sms(), PINPOINT));

    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect((error as ProviderRejectedError).code).toBe(code);
    expect(pinpoint).toHaveReceivedCommandTimes(SendMessagesCommand, 1);
    expectNoPersonalData(error);
  });

  it('does not back off past the Lambda deadline', async () => {
    pinpoint.on(SendMessagesCommand).resolves(answer('THROTTLED'));
    const { adapter, sleep } = sender({ deadline: () => 1_010, random: () => 0.5 });

    const error = await rejectionOf(adapter.send(sms(), PINPOINT));

    expect(error).toBeInstanceOf(ProviderThrottledError);
    expect(pinpoint).toHaveReceivedCommandTimes(SendMessagesCommand, 1);
    expect(sleep).not.toHaveBeenCalled();
  });
});
