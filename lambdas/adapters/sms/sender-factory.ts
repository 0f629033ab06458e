/**
 * Picks the SmsSender adapter for a tenant's channel (ChannelConfig.channel). Handlers build the clients once
 * at module scope, each with `maxAttempts: 1` so that only the adapters' {@link sendWithRetry} retries, e.g.
 *
 * ```ts
 * const sms = new ChannelRoutingSmsSender({
 *   sns: tracer.captureAWSv3Client(new SNSClient({ maxAttempts: 1 })),
 *   retry: { deadline: () => currentContext.getRemainingTimeInMillis() },
 * });
 * ```
 */
import type { PinpointClient } from '@aws-sdk/client-pinpoint';
import type { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { Channel, ChannelConfig, OutboundSms, SendReceipt, SmsSender } from '../../domain/sms';
import { EndUserMessagingSender } from './end-user-messaging-sender';
import { SmsConfigurationError, type SenderRetryOptions } from './error-mapping';
import type { OutboxSender } from './outbox-sender';
import { PinpointSmsSender } from './pinpoint-sender';
import { SnsSmsSender } from './sns-sender';

/** What the adapters need; only the channels in use need theirs. */
export interface SmsSenderDeps {
  /** @default - the `sns` channel is unavailable */
  readonly sns?: SNSClient;
  /** @default - the `end-user-messaging` channel is unavailable */
  readonly endUserMessaging?: PinpointSMSVoiceV2Client;
  /** @default - the `pinpoint` channel is unavailable */
  readonly pinpoint?: PinpointClient;
  /** @default - the `outbox` channel is unavailable */
  readonly outbox?: OutboxSender;
  /** Retry settings for the AWS adapters. @default - sendWithRetry's defaults, no deadline */
  readonly retry?: SenderRetryOptions;
}

function missing(channel: Channel, dependency: string): never {
  throw new SmsConfigurationError(
    `The '${channel}' SMS channel is not available here: no ${dependency} was given`,
  );
}

/** The adapter for one channel; throws SmsConfigurationError when its client was not provided. */
export function createSmsSender(channel: Channel, deps: SmsSenderDeps): SmsSender {
  switch (channel) {
    case 'sns':
      return new SnsSmsSender(deps.sns ?? missing(channel, 'SNS client'), deps.retry);
    case 'end-user-messaging':
      return new EndUserMessagingSender(
        deps.endUserMessaging ?? missing(channel, 'End User Messaging client'),
        deps.retry,
      );
    case 'pinpoint':
      return new PinpointSmsSender(deps.pinpoint ?? missing(channel, 'Pinpoint client'), deps.retry);
    case 'outbox':
      return deps.outbox ?? missing(channel, 'outbox');
    default: {
      const unknown: never = channel;
      throw new SmsConfigurationError(`Unknown SMS channel '${String(unknown)}'`);
    }
  }
}

/** One SmsSender for every tenant: each send goes to the adapter of `config.channel`, built on first use. */
export class ChannelRoutingSmsSender implements SmsSender {
  private readonly senders = new Map<Channel, SmsSender>();

  constructor(private readonly deps: SmsSenderDeps) {}

  async send(message: OutboundSms, config: ChannelConfig): Promise<SendReceipt> {
    let sender = this.senders.get(config.channel);
    if (sender === undefined) {
      sender = createSmsSender(config.channel, this.deps);
      this.senders.set(config.channel, sender);
    }
    return sender.send(message, config);
  }
}
