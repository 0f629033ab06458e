import { PinpointClient } from '@aws-sdk/client-pinpoint';
import { PinpointSMSVoiceV2Client, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { EndUserMessagingSender } from '../../lambdas/adapters/sms/end-user-messaging-sender';
import { SmsConfigurationError } from '../../lambdas/adapters/sms/error-mapping';
import { OutboxSender } from '../../lambdas/adapters/sms/outbox-sender';
import { PinpointSmsSender } from '../../lambdas/adapters/sms/pinpoint-sender';
import {
  ChannelRoutingSmsSender,
  createSmsSender,
  type SmsSenderDeps,
} from '../../lambdas/adapters/sms/sender-factory';
import { SnsSmsSender } from '../../lambdas/adapters/sms/sns-sender';
import { ProviderThrottledError, type Channel, type OutboundSms } from '../../lambdas/domain/sms';

const sns = mockClient(SNSClient);
const eum = mockClient(PinpointSMSVoiceV2Client);

beforeEach(() => {
  sns.reset();
  eum.reset();
});

afterAll(() => {
  sns.restore();
  eum.restore();
});

const region = { region: 'eu-west-1', maxAttempts: 1 };
const outbox = new OutboxSender({ clock: () => new Date('2026-03-01T09:30:00.000Z') });
const allDeps: SmsSenderDeps = {
  sns: new SNSClient(region),
  endUserMessaging: new PinpointSMSVoiceV2Client(region),
  pinpoint: new PinpointClient(region),
  outbox,
};

const message: OutboundSms = {
  messageId: 'msg-01',
  tenantId: 'demo',
  to: '+447400123456',
  body: 'Hello',
  category: 'transactional',
};

describe('createSmsSender', () => {
  it.each<[Channel, new (...args: never[]) => unknown]>([
    ['sns', SnsSmsSender],
    ['end-user-messaging', EndUserMessagingSender],
    ['pinpoint', PinpointSmsSender],
    ['outbox', OutboxSender],
  ])('builds the %s adapter for that channel', (channel, adapter) => {
    expect(createSmsSender(channel, allDeps)).toBeInstanceOf(adapter);
  });

  it('hands back the very outbox it was given, so the local server reads what was sent', () => {
    expect(createSmsSender('outbox', allDeps)).toBe(outbox);
  });

  it.each<Channel>(['sns', 'end-user-messaging', 'pinpoint', 'outbox'])(
    'refuses the %s channel when its client was not provided',
    (channel) => {
      expect(() => createSmsSender(channel, {})).toThrow(SmsConfigurationError);
      expect(() => createSmsSender(channel, {})).toThrow(`'${channel}'`);
    },
  );

  it('passes the retry settings to the adapter it builds', async () => {
    // GIVEN a factory whose retry settings allow a single attempt
    sns.on(PublishCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttled' }));
    const sender = createSmsSender('sns', { sns: new SNSClient(region), retry: { maxAttempts: 1 } });

    // WHEN SNS throttles
    await expect(sender.send(message, { channel: 'sns' })).rejects.toBeInstanceOf(ProviderThrottledError);

    // THEN it was not retried
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });
});

describe('ChannelRoutingSmsSender', () => {
  it('sends each message through the adapter of its config’s channel', async () => {
    // GIVEN both AWS channels answer
    sns.on(PublishCommand).resolves({ MessageId: 'sns-1' });
    eum.on(SendTextMessageCommand).resolves({ MessageId: 'eum-1' });
    const router = new ChannelRoutingSmsSender(allDeps);

    // WHEN one tenant uses SNS and another End User Messaging
    const viaSns = await router.send(message, { channel: 'sns' });
    const viaEum = await router.send({ ...message, tenantId: 'acme' }, { channel: 'end-user-messaging' });
    const viaSnsAgain = await router.send(message, { channel: 'sns' });

    // THEN each went to its own provider
    expect(viaSns).toStrictEqual({ channel: 'sns', providerMessageId: 'sns-1' });
    expect(viaEum).toStrictEqual({ channel: 'end-user-messaging', providerMessageId: 'eum-1' });
    expect(viaSnsAgain.channel).toBe('sns');
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(eum).toHaveReceivedCommandTimes(SendTextMessageCommand, 1);
    expect(eum).toHaveReceivedCommandWith(SendTextMessageCommand, {
      Context: { tenantId: 'acme', messageId: 'msg-01' },
    });
  });

  it('rejects with SmsConfigurationError for a channel it has no client for', async () => {
    const router = new ChannelRoutingSmsSender({ outbox });

    await expect(
      router.send(message, { channel: 'pinpoint', pinpointProjectId: 'p' }),
    ).rejects.toBeInstanceOf(SmsConfigurationError);
  });
});
