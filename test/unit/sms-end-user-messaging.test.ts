import {
  AccessDeniedException,
  ConflictException,
  InternalServerException,
  PinpointSMSVoiceV2Client,
  ResourceNotFoundException,
  SendTextMessageCommand,
  ServiceQuotaExceededException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { EndUserMessagingSender } from '../../lambdas/adapters/sms/end-user-messaging-sender';
import type { RetryOptions } from '../../lambdas/adapters/sms/error-mapping';
import {
  ProviderRejectedError,
  ProviderThrottledError,
  type ChannelConfig,
  type MessageCategory,
  type OutboundSms,
} from '../../lambdas/domain/sms';
import { BODY, expectNoPersonalData, PHONE, rejectionOf } from './helpers/sms-fixtures';

const EUM: ChannelConfig = { channel: 'end-user-messaging' };
const POOL = 'pool-0a1b2c3d4e5f60718293a4b5c6d7e8f9';

const eum = mockClient(PinpointSMSVoiceV2Client);

beforeEach(() => {
  eum.reset();
});

afterAll(() => {
  eum.restore();
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
  const adapter = new EndUserMessagingSender(
    new PinpointSMSVoiceV2Client({ region: 'eu-west-1', maxAttempts: 1 }),
    { deadline: () => 60_000, random: () => 0.5, sleep, ...retry },
  );
  return { adapter, sleep };
}

const sentInput = () => eum.commandCalls(SendTextMessageCommand)[0]?.args[0].input;

const meta = (httpStatusCode: number) => ({ httpStatusCode, requestId: 'eum-req-1', attempts: 1 });

describe('EndUserMessagingSender request', () => {
  it('sends a transactional SMS with the tenant and message ids as Context, and nothing unset', async () => {
    // GIVEN End User Messaging accepts the message
    eum.on(SendTextMessageCommand).resolves({ MessageId: 'eum-msg-1' });

    // WHEN a transactional message is sent on a config with no origination identity or configuration set
    const receipt = await sender().adapter.send(sms('transactional'), EUM);

    // THEN the exact SendTextMessage input is built, and its MessageId is the provider id
    expect(eum).toHaveReceivedCommandTimes(SendTextMessageCommand, 1);
    expect(sentInput()).toStrictEqual({
      DestinationPhoneNumber: PHONE,
      MessageBody: BODY,
      MessageType: 'TRANSACTIONAL',
      Context: { tenantId: 'demo', messageId: 'msg-01' },
    });
    expect(receipt).toStrictEqual({ channel: 'end-user-messaging', providerMessageId: 'eum-msg-1' });
  });

  it('sends marketing as PROMOTIONAL through the configured origination identity and configuration set', async () => {
    // GIVEN a config with a pool and a configuration set
    eum.on(SendTextMessageCommand).resolves({ MessageId: 'eum-msg-2' });
    const config: ChannelConfig = {
      channel: 'end-user-messaging',
      originationIdentity: POOL,
      configurationSetName: 'optline-eu-events',
    };

    // WHEN a marketing message is sent
    await sender().adapter.send(sms('marketing'), config);

    // THEN the pool is the origination identity and the configuration set routes the delivery events
    expect(eum).toHaveReceivedCommandWith(SendTextMessageCommand, {
      MessageType: 'PROMOTIONAL',
      ConfigurationSetName: 'optline-eu-events',
    });
    expect(sentInput()).toStrictEqual({
      DestinationPhoneNumber: PHONE,
      MessageBody: BODY,
      MessageType: 'PROMOTIONAL',
      OriginationIdentity: POOL,
      ConfigurationSetName: 'optline-eu-events',
      Context: { tenantId: 'demo', messageId: 'msg-01' },
    });
  });

  it.each<MessageCategory>(['opt_out_confirmation', 'help'])(
    'sends %s as TRANSACTIONAL',
    async (category) => {
      eum.on(SendTextMessageCommand).resolves({ MessageId: 'eum-msg-3' });

      await sender().adapter.send(sms(category), EUM);

      expect(sentInput()?.MessageType).toBe('TRANSACTIONAL');
    },
  );

  it('uses a registered sender id as the origination identity when no other is configured', async () => {
    eum.on(SendTextMessageCommand).resolves({ MessageId: 'eum-msg-4' });

    await sender().adapter.send(sms(), { channel: 'end-user-messaging', senderId: 'OPTLINE' });

    expect(sentInput()?.OriginationIdentity).toBe('OPTLINE');
    expect(sentInput()).not.toHaveProperty('ConfigurationSetName');
  });

  it('prefers the explicit origination identity over the sender id', async () => {
    eum.on(SendTextMessageCommand).resolves({ MessageId: 'eum-msg-5' });

    await sender().adapter.send(sms(), {
      channel: 'end-user-messaging',
      senderId: 'OPTLINE',
      originationIdentity: POOL,
    });

    expect(sentInput()?.OriginationIdentity).toBe(POOL);
  });
});

describe('EndUserMessagingSender errors', () => {
  it('retries a ThrottlingException and returns the later success', async () => {
    // GIVEN End User Messaging throttles twice, then accepts
    const throttling = new ThrottlingException({ message: 'Rate exceeded', $metadata: meta(429) });
    eum
      .on(SendTextMessageCommand)
      .rejectsOnce(throttling)
      .rejectsOnce(throttling)
      .resolves({ MessageId: 'eum-msg-6' });
    const { adapter, sleep } = sender();

    // WHEN a message is sent
    const receipt = await adapter.send(sms(), EUM);

    // THEN three calls, two growing backoffs, and the final id
    expect(receipt).toStrictEqual({ channel: 'end-user-messaging', providerMessageId: 'eum-msg-6' });
    expect(eum).toHaveReceivedCommandTimes(SendTextMessageCommand, 3);
    expect(sleep.mock.calls).toEqual([[50], [100]]);
  });

  it('throws ProviderThrottledError with retryAfterSeconds once the attempts run out', async () => {
    eum
      .on(SendTextMessageCommand)
      .rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: meta(429) }));
    const { adapter } = sender({ maxAttempts: 4, baseDelayMs: 1_000 });

    const error = await rejectionOf(adapter.send(sms(), EUM));

    // After 4 attempts the next cap is 1000 * 2^3 = 8 s, held to the 5 s default maximum
    expect(error).toBeInstanceOf(ProviderThrottledError);
    expect((error as ProviderThrottledError).retryAfterSeconds).toBe(5);
    expect(eum).toHaveReceivedCommandTimes(SendTextMessageCommand, 4);
    expectNoPersonalData(error);
  });

  it('retries an InternalServerException', async () => {
    eum
      .on(SendTextMessageCommand)
      .rejectsOnce(new InternalServerException({ message: 'internal', $metadata: meta(500) }))
      .resolves({ MessageId: 'eum-msg-7' });

    await expect(sender().adapter.send(sms(), EUM)).resolves.toStrictEqual({
      channel: 'end-user-messaging',
      providerMessageId: 'eum-msg-7',
    });
    expect(eum).toHaveReceivedCommandTimes(SendTextMessageCommand, 2);
  });

  it.each([
    [
      'ValidationException',
      new ValidationException({
        message: `Destination phone number ${PHONE} is not valid`,
        Reason: 'INVALID_PARAMETER',
        $metadata: meta(400),
      }),
    ],
    [
      'ConflictException',
      new ConflictException({
        message: `${PHONE} opted out`,
        Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT',
        $metadata: meta(409),
      }),
    ],
    ['AccessDeniedException', new AccessDeniedException({ message: 'denied', $metadata: meta(403) })],
    ['ResourceNotFoundException', new ResourceNotFoundException({ message: POOL, $metadata: meta(404) })],
    [
      'ServiceQuotaExceededException',
      new ServiceQuotaExceededException({ message: 'monthly spend limit reached', $metadata: meta(402) }),
    ],
  ])('rejects at once on %s, without the number or body in the error', async (code, sdkError) => {
    // GIVEN End User Messaging refuses the message for good
    eum.on(SendTextMessageCommand).rejects(sdkError);
    const { adapter, sleep } = sender();

    // WHEN it is sent
    const error = await rejectionOf(adapter.send(sms(), EUM));

    // THEN ProviderRejectedError carries the error name, after a single call and no sleep
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect((error as ProviderRejectedError).code).toBe(code);
    expect(eum).toHaveReceivedCommandTimes(SendTextMessageCommand, 1);
    expect(sleep).not.toHaveBeenCalled();
    expectNoPersonalData(error);
  });

  it('stops retrying when the next backoff would pass the deadline', async () => {
    // GIVEN a fake clock: 1,200 ms left, each call takes 100 ms, and backoffs are 90 then 180 ms
    let elapsed = 0;
    eum.on(SendTextMessageCommand).callsFake(async () => {
      elapsed += 100;
      throw new ThrottlingException({ message: 'Rate exceeded', $metadata: meta(429) });
    });
    const sleep = jest.fn(async (ms: number) => {
      elapsed += ms;
    });
    const { adapter } = sender({ deadline: () => 1_200 - elapsed, random: () => 0.9, sleep, maxAttempts: 5 });

    // WHEN a message is sent
    const error = await rejectionOf(adapter.send(sms(), EUM));

    // THEN call (100) + sleep 90 + call (100) = 290 ms; a 180 ms sleep would end past 1,200 - 1,000
    expect(error).toBeInstanceOf(ProviderThrottledError);
    expect(eum).toHaveReceivedCommandTimes(SendTextMessageCommand, 2);
    expect(sleep.mock.calls).toEqual([[90]]);
    expect(elapsed).toBeLessThanOrEqual(1_200 - 1_000 + 100);
  });
});
