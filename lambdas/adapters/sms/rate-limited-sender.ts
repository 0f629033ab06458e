/**
 * The send rate of DESIGN §10 as a sender decorator: before each send, a slot on the origination identity's
 * shared schedule (lambdas/domain/send-slot.ts), so that 1:1 sends and campaign dispatch together never start
 * more than the identity's MPS in any second. A send that cannot get a slot within its time budget is not sent:
 * it fails as throttled, which a 1:1 send answers with 503 and `Retry-After`, and campaign dispatch with a
 * redelivery of its recipients (their claims are released first).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { countSegments } from '../../domain/content-policy';
import {
  CELL_WIDE_IDENTITY,
  scheduleOf,
  slotSpacingUs,
  type SendRates,
  type SlotStore,
} from '../../domain/send-rate';
import { slotsPerWrite, waitForSendSlot, type SlotClock, type SlotPolicy } from '../../domain/send-slot';
import {
  ProviderThrottledError,
  type ChannelConfig,
  type OutboundSms,
  type SendReceipt,
  type SmsSender,
} from '../../domain/sms';
import { DynamoSlotStore } from '../dynamo/send-rate-store';

export interface RateLimitedSenderOptions {
  readonly store: SlotStore;
  readonly clock: SlotClock;
  /** The schedule a send goes through: its origination identity, or the cell's when it has none. */
  readonly identityOf: (channel: ChannelConfig) => string;
  /** How long a send may wait for its slot, in µs (the rest of the request's or batch's time budget). */
  readonly maxWaitUs: () => number;
  /** Slots reserved per write on an identity's schedule, the spares kept for the next sends. @default 1 */
  readonly slotsPerWrite?: (identity: string) => number;
}

export class RateLimitedSender implements SmsSender {
  /** Spare slots by identity and message parts, earliest first. */
  private readonly held = new Map<string, number[]>();

  constructor(
    private readonly inner: SmsSender,
    private readonly options: RateLimitedSenderOptions,
  ) {}

  async send(message: OutboundSms, channel: ChannelConfig): Promise<SendReceipt> {
    const { store, clock, identityOf, maxWaitUs, slotsPerWrite } = this.options;
    const identity = identityOf(channel);
    const parts = countSegments(message.body).segments;
    const key = `${identity}:${parts}`;
    const held = this.held.get(key) ?? [];
    this.held.set(key, held);
    const wait = await waitForSendSlot(store, clock, identity, {
      parts,
      latestStartUs: clock.nowUs() + maxWaitUs(),
      count: slotsPerWrite?.(identity) ?? 1,
      held,
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

export interface ScheduledSenderOptions {
  readonly db: DynamoDBDocumentClient;
  readonly tables: { readonly Idempotency: string };
  /** The MPS of each schedule of the cell. */
  readonly rates: SendRates;
  /** How this kind of sender waits for its slots and reserves them (SLOT_POLICIES). */
  readonly policy: SlotPolicy;
  /** What is left of the caller's own time for a wait, in ms. @default - no limit beyond the policy's */
  readonly budgetMs?: () => number;
  /** @default SYSTEM_SLOT_CLOCK */
  readonly clock?: SlotClock;
}

/**
 * The sender of every function that sends, deployed and local: `inner` after a slot on the shared schedule, kept
 * in DynamoDB, of the identity the channel names (or the cell-wide one).
 */
export function scheduledSender(inner: SmsSender, options: ScheduledSenderOptions): SmsSender {
  const { rates } = options;
  if (!Object.hasOwn(rates, CELL_WIDE_IDENTITY)) {
    throw new RangeError(`scheduledSender: the rates need the cell-wide schedule "${CELL_WIDE_IDENTITY}"`);
  }
  const spacing = new Map(Object.entries(rates).map(([identity, mps]) => [identity, slotSpacingUs(mps)]));
  return new RateLimitedSender(inner, {
    store: new DynamoSlotStore(options.db, options.tables, (identity) => spacing.get(identity)!),
    clock: options.clock ?? SYSTEM_SLOT_CLOCK,
    identityOf: (channel) => scheduleOf(rates, channel.rateIdentity),
    maxWaitUs: () => {
      const { maxWaitMs } = options.policy;
      return Math.max(0, options.budgetMs ? Math.min(maxWaitMs, options.budgetMs()) : maxWaitMs) * 1000;
    },
    ...(options.policy.batched
      ? { slotsPerWrite: (identity: string) => slotsPerWrite(rates[identity]!) }
      : {}),
  });
}
