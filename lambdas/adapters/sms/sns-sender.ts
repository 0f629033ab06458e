/**
 * SNS implementation of the SmsSender port: Publish straight to a phone number (DESIGN §4, Send).
 * Build the client with `maxAttempts: 1`; {@link sendWithRetry} owns the retries (see error-mapping.ts).
 */
import { type MessageAttributeValue, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { ChannelConfig, MessageCategory, OutboundSms, SendReceipt, SmsSender } from '../../domain/sms';
import { retryOptions, sendWithRetry, type RetryOptions, type SenderRetryOptions } from './error-mapping';

/** SNS's SMS type: everything optline sends that is not marketing is transactional (higher delivery priority). */
export const snsSmsType = (category: MessageCategory): 'Promotional' | 'Transactional' =>
  category === 'marketing' ? 'Promotional' : 'Transactional';

const text = (StringValue: string): MessageAttributeValue => ({ DataType: 'String', StringValue });

export class SnsSmsSender implements SmsSender {
  private readonly retry: RetryOptions;

  constructor(
    private readonly client: SNSClient,
    options: SenderRetryOptions = {},
  ) {
    this.retry = retryOptions(options);
  }

  async send(message: OutboundSms, config: ChannelConfig): Promise<SendReceipt> {
    const command = new PublishCommand({
      PhoneNumber: message.to,
      Message: message.body,
      MessageAttributes: {
        'AWS.SNS.SMS.SMSType': text(snsSmsType(message.category)),
        ...(config.senderId === undefined ? {} : { 'AWS.SNS.SMS.SenderID': text(config.senderId) }),
        ...(config.originationIdentity === undefined
          ? {}
          : { 'AWS.MM.SMS.OriginationNumber': text(config.originationIdentity) }),
      },
    });
    const output = await sendWithRetry(() => this.client.send(command), this.retry);
    return {
      channel: 'sns',
      ...(output.MessageId === undefined ? {} : { providerMessageId: output.MessageId }),
    };
  }
}
