/**
 * The SmsSender port: how the domain sends one SMS, whatever the channel. Adapters live in lambdas/adapters/sms/.
 */

export const MESSAGE_CATEGORIES = ['transactional', 'marketing', 'opt_out_confirmation', 'help'] as const;
export type MessageCategory = (typeof MESSAGE_CATEGORIES)[number];

export const CHANNELS = ['sns', 'end-user-messaging', 'pinpoint', 'outbox'] as const;
export type Channel = (typeof CHANNELS)[number];

/** A tenant's sending configuration; which fields apply depends on the channel. */
export interface ChannelConfig {
  readonly channel: Channel;
  /** Alphanumeric sender id, where the destination country allows one. @default - none */
  readonly senderId?: string;
  /** Origination phone number, short code or pool (E.164 or identity ARN/ID). @default - the channel default */
  readonly originationIdentity?: string;
  /**
   * The origination identity whose send schedule (DESIGN §10 "Rate") this channel takes its slots on: its name in
   * the cell config. @default - the cell-wide schedule at `smsMps`
   */
  readonly rateIdentity?: string;
  /** End User Messaging configuration set, which routes delivery events. @default - none */
  readonly configurationSetName?: string;
  /** An existing Pinpoint project (application) id; optline creates none. Required for `pinpoint`. */
  readonly pinpointProjectId?: string;
}

export interface OutboundSms {
  readonly messageId: string;
  readonly tenantId: string;
  /** E.164. */
  readonly to: string;
  readonly body: string;
  readonly category: MessageCategory;
}

export interface SendReceipt {
  readonly channel: Channel;
  /** The provider's id for the message, used to match delivery events. @default - none (outbox) */
  readonly providerMessageId?: string;
}

export interface SmsSender {
  send(message: OutboundSms, config: ChannelConfig): Promise<SendReceipt>;
}

/** The provider is throttling us and kept doing so through our retries; the caller may try again later. */
export class ProviderThrottledError extends Error {
  override readonly name = 'ProviderThrottledError';
  constructor(
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super('The SMS provider is throttling requests', options);
  }
}

/** The provider refused the message for good (invalid destination, opted out at the carrier, bad config…). */
export class ProviderRejectedError extends Error {
  override readonly name = 'ProviderRejectedError';
  constructor(
    /** The provider's error name or code, safe to log: it never contains the number or the body. */
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`The SMS provider rejected the message (${code})`, options);
  }
}

/** Messages only optline itself may send to a suppressed number: the opt-out confirmation and HELP replies. */
export const SUPPRESSION_EXEMPT_CATEGORIES: readonly MessageCategory[] = ['opt_out_confirmation', 'help'];
