/**
 * The send rate of DESIGN §10 as a sender decorator: before each send, a slot on the origination identity's
 * shared schedule (lambdas/domain/send-slot.ts), so that 1:1 sends and campaign dispatch together never start
 * more than the identity's MPS in any second. A send that cannot get a slot within its time budget is not sent:
 * it fails as throttled, which a 1:1 send answers with 503 and `Retry-After`, and campaign dispatch with a
 * redelivery of its recipients (their claims are released first).
 */
import { countSegments } from '../../domain/content-policy';
import type { SlotStore } from '../../domain/send-rate';
import { waitForSendSlot, type SlotClock } from '../../domain/send-slot';
import {
  ProviderThrottledError,
  type ChannelConfig,
  type OutboundSms,
  type SendReceipt,
  type SmsSender,
} from '../../domain/sms';

export interface RateLimitedSenderOptions {
  readonly store: SlotStore;
  readonly clock: SlotClock;
  /** The schedule a send goes through: its origination identity, or the cell's when it has none. */
  readonly identityOf: (channel: ChannelConfig) => string;
  /** How long a send may wait for its slot, in µs (the rest of the request's or batch's time budget). */
  readonly maxWaitUs: () => number;
}

export class RateLimitedSender implements SmsSender {
  constructor(
    private readonly inner: SmsSender,
    private readonly options: RateLimitedSenderOptions,
  ) {}

  async send(message: OutboundSms, channel: ChannelConfig): Promise<SendReceipt> {
    const { store, clock, identityOf, maxWaitUs } = this.options;
    const wait = await waitForSendSlot(store, clock, identityOf(channel), {
      parts: countSegments(message.body).segments,
      latestStartUs: clock.nowUs() + maxWaitUs(),
    });
    if (wait.kind === 'requeue') {
      throw new ProviderThrottledError(Math.max(1, Math.ceil((wait.atUs - clock.nowUs()) / 1_000_000)));
    }
    return this.inner.send(message, channel);
  }
}

/** The real clock, in µs, for the sender. */
export const SYSTEM_SLOT_CLOCK: SlotClock = {
  nowUs: () => Date.now() * 1000,
  sleepUs: (us) => new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.ceil(us / 1000)))),
};
