/**
 * Local-mode implementation of the SmsSender port: nothing leaves the machine; each message is kept in an
 * in-memory outbox that the local server serves at `GET /_local/outbox` (DESIGN §6). No AWS.
 *
 * For End User Messaging's destination simulator numbers it also plays the simulator (DESIGN §9): it hands
 * out the delivery event the service would publish, success or failure, for the delivery-status consumer.
 */
import { randomUUID } from 'node:crypto';
import type { ChannelConfig, MessageCategory, OutboundSms, SendReceipt, SmsSender } from '../../domain/sms';
import { simulatedOutcome, simulatorDeliveryEvent } from './simulator-destinations';

/** One "sent" message, as `GET /_local/outbox` shows it. */
export interface OutboxEntry {
  readonly messageId: string;
  readonly to: string;
  readonly body: string;
  readonly category: MessageCategory;
  readonly channel: 'outbox';
  /** ISO 8601, from the injected clock. */
  readonly sentAt: string;
}

export interface OutboxSenderOptions {
  /** @default - the system clock */
  readonly clock?: () => Date;
  /**
   * Called with each new entry after it is added, so the local server can persist the outbox. If it rejects,
   * the entry is taken back out and `send` rejects with the same error. @default - none
   */
  readonly onSend?: (entry: OutboxEntry) => void | Promise<void>;
  /** Entries restored from an earlier run, oldest first. @default - none */
  readonly initialEntries?: readonly OutboxEntry[];
  /**
   * Called, once the message is in the outbox, with the delivery event End User Messaging would publish for a
   * message to one of its US destination simulator numbers (see simulator-destinations.ts): the JSON body of
   * one delivery-events queue record. Other numbers get no event. @default - no delivery events
   */
  readonly onDeliveryEvent?: (eventJson: string) => void;
}

export class OutboxSender implements SmsSender {
  private readonly clock: () => Date;
  private readonly onSend?: (entry: OutboxEntry) => void | Promise<void>;
  private readonly onDeliveryEvent?: (eventJson: string) => void;
  private readonly sent: OutboxEntry[];

  constructor(options: OutboxSenderOptions = {}) {
    this.clock = options.clock ?? (() => new Date());
    if (options.onSend !== undefined) this.onSend = options.onSend;
    if (options.onDeliveryEvent !== undefined) this.onDeliveryEvent = options.onDeliveryEvent;
    this.sent = (options.initialEntries ?? []).map((entry) => ({ ...entry }));
  }

  async send(message: OutboundSms, _config: ChannelConfig): Promise<SendReceipt> {
    const sentAt = this.clock();
    const entry: OutboxEntry = {
      messageId: message.messageId,
      to: message.to,
      body: message.body,
      category: message.category,
      channel: 'outbox',
      sentAt: sentAt.toISOString(),
    };
    this.sent.push(entry);
    try {
      await this.onSend?.({ ...entry });
    } catch (error) {
      const index = this.sent.lastIndexOf(entry);
      if (index >= 0) this.sent.splice(index, 1);
      throw error;
    }
    const outcome = simulatedOutcome(message.to);
    if (outcome !== undefined && this.onDeliveryEvent !== undefined) {
      this.onDeliveryEvent(
        simulatorDeliveryEvent(
          message,
          outcome,
          { requestedAt: sentAt, reportedAt: this.clock() },
          randomUUID(),
        ),
      );
    }
    return { channel: 'outbox' };
  }

  /** A copy of the outbox, newest last. */
  entries(): OutboxEntry[] {
    return this.sent.map((entry) => ({ ...entry }));
  }

  /** Empties the outbox (between local test runs). */
  clear(): void {
    this.sent.length = 0;
  }
}
