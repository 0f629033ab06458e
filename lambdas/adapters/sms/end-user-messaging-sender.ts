/**
 * AWS End User Messaging SMS (pinpoint-sms-voice-v2) implementation of the SmsSender port: SendTextMessage
 * with the tenant's configuration set, and a Context that delivery events carry back (DESIGN §4, Send).
 * Build the client with `maxAttempts: 1`; {@link sendWithRetry} owns the retries (see error-mapping.ts).
 */
import {
  MessageType,
  type PinpointSMSVoiceV2Client,
  SendTextMessageCommand,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { ChannelConfig, MessageCategory, OutboundSms, SendReceipt, SmsSender } from '../../domain/sms';
import { retryOptions, sendWithRetry, type RetryOptions, type SenderRetryOptions } from './error-mapping';

/** End User Messaging's (and Pinpoint's) message type: only marketing is promotional. */
export const smsMessageType = (category: MessageCategory): MessageType =>
  category === 'marketing' ? MessageType.PROMOTIONAL : MessageType.TRANSACTIONAL;

export class EndUserMessagingSender implements SmsSender {
  private readonly retry: RetryOptions;

  constructor(
    private readonly client: PinpointSMSVoiceV2Client,
    options: SenderRetryOptions = {},
  ) {
    this.retry = retryOptions(options);
  }

  async send(message: OutboundSms, config: ChannelConfig): Promise<SendReceipt> {
    // In this API a registered sender id is itself an origination identity; an explicit one wins.
    const originationIdentity = config.originationIdentity ?? config.senderId;
    const command = new SendTextMessageCommand({
      DestinationPhoneNumber: message.to,
      MessageBody: message.body,
      MessageType: smsMessageType(message.category),
      ...(originationIdentity === undefined ? {} : { OriginationIdentity: originationIdentity }),
      ...(config.configurationSetName === undefined
        ? {}
        : { ConfigurationSetName: config.configurationSetName }),
      Context: { tenantId: message.tenantId, messageId: message.messageId },
    });
    const output = await sendWithRetry(() => this.client.send(command), this.retry);
    return {
      channel: 'end-user-messaging',
      ...(output.MessageId === undefined ? {} : { providerMessageId: output.MessageId }),
    };
  }
}
