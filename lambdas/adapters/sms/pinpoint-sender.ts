/**
 * Amazon Pinpoint implementation of the SmsSender port: SendMessages to an existing project (application) id
 * from the tenant's config (DESIGN §4, Send). optline creates no Pinpoint project: Pinpoint's engagement
 * features ended support on 2026-10-30, while its SMS SendMessages API continues.
 * Build the client with `maxAttempts: 1`; {@link sendWithRetry} owns the retries (see error-mapping.ts).
 */
import { DeliveryStatus, type PinpointClient, SendMessagesCommand } from '@aws-sdk/client-pinpoint';
import type { ChannelConfig, OutboundSms, SendReceipt, SmsSender } from '../../domain/sms';
import { smsMessageType } from './end-user-messaging-sender';
import {
  ProviderStatusError,
  retryOptions,
  sendWithRetry,
  SmsConfigurationError,
  type ErrorMetadata,
  type RetryOptions,
  type SenderRetryOptions,
} from './error-mapping';

export class PinpointSmsSender implements SmsSender {
  private readonly retry: RetryOptions;

  constructor(
    private readonly client: PinpointClient,
    options: SenderRetryOptions = {},
  ) {
    this.retry = retryOptions(options);
  }

  async send(message: OutboundSms, config: ChannelConfig): Promise<SendReceipt> {
    const applicationId = config.pinpointProjectId;
    if (applicationId === undefined || applicationId.trim() === '') {
      throw new SmsConfigurationError(
        "The 'pinpoint' channel needs pinpointProjectId, the id of an existing Pinpoint project; optline creates none",
      );
    }
    const command = new SendMessagesCommand({
      ApplicationId: applicationId,
      MessageRequest: {
        Addresses: { [message.to]: { ChannelType: 'SMS' } },
        MessageConfiguration: {
          SMSMessage: {
            Body: message.body,
            MessageType: smsMessageType(message.category),
            ...(config.originationIdentity === undefined
              ? {}
              : { OriginationNumber: config.originationIdentity }),
            ...(config.senderId === undefined ? {} : { SenderId: config.senderId }),
          },
        },
        Context: { tenantId: message.tenantId, messageId: message.messageId },
      },
    });

    const providerMessageId = await sendWithRetry(async () => {
      const output = await this.client.send(command);
      // One address in, one result out. Its StatusMessage is never surfaced: it may quote the number.
      const result = output.MessageResponse?.Result?.[message.to];
      const metadata: ErrorMetadata = {
        ...(result?.StatusCode === undefined ? {} : { httpStatusCode: result.StatusCode }),
        ...(output.MessageResponse?.RequestId === undefined
          ? {}
          : { requestId: output.MessageResponse.RequestId }),
      };
      const status = result?.DeliveryStatus;
      switch (status) {
        case DeliveryStatus.SUCCESSFUL:
          return result?.MessageId;
        case DeliveryStatus.THROTTLED:
          throw new ProviderStatusError('throttling', status, metadata);
        case DeliveryStatus.TEMPORARY_FAILURE:
          throw new ProviderStatusError('transient', status, metadata);
        case undefined:
          // A 200 without a status for our address: whether it went out is unknown, so it is not retried.
          throw new ProviderStatusError(
            'permanent',
            result === undefined ? 'NoResultForAddress' : 'UNKNOWN_FAILURE',
            metadata,
          );
        default:
          // PERMANENT_FAILURE, OPT_OUT, DUPLICATE, UNKNOWN_FAILURE, and any status added later.
          throw new ProviderStatusError('permanent', status, metadata);
      }
    }, this.retry);

    return { channel: 'pinpoint', ...(providerMessageId === undefined ? {} : { providerMessageId }) };
  }
}
