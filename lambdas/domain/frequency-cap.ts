/**
 * A tenant's marketing frequency cap (DESIGN §10): at most `messages` marketing messages to one recipient in any
 * `days` days. A recipient who has had that many is over the cap: a 1:1 marketing send gets 422 `frequency-cap`,
 * and a campaign skips them (`frequencyCap`). Transactional messages and optline's own replies are never capped.
 *
 * Source: CTIA Messaging Principles and Best Practices (May 2023), §5.1.1 and §5.1.2.1: a recurring-messages
 * program discloses its message frequency in its call-to-action and opt-in confirmation ("up to 4 msgs/week"), so
 * a sender keeps to the frequency it disclosed.
 * https://api.ctia.org/wp-content/uploads/2023/05/230523-CTIA-Messaging-Principles-and-Best-Practices-FINAL.pdf
 *
 * Pure: the count comes through the {@link MarketingHistory} port.
 */
import { ProblemError } from '../shared/problem';
import * as z from '../shared/zod';
import type { MessageCategory } from './sms';

export interface FrequencyCap {
  /** Marketing messages a recipient may get within the window. */
  readonly messages: number;
  /** The window, in days of 24 hours counted back from the moment of sending. */
  readonly days: number;
}

/**
 * The longest window, in days. Messages live in MessageLog for 6 months (retention.ts `messageTraffic`), and no 6
 * calendar months are shorter than 181 days, so every message of a window this long is still there to be counted.
 */
export const FREQUENCY_CAP_MAX_DAYS = 180;

/**
 * The largest cap. The count stops reading at the cap, so this bounds the read: at most this many marketing items
 * (plus whatever other messages the recipient had in the window).
 */
export const FREQUENCY_CAP_MAX_MESSAGES = 100;

const MS_PER_DAY = 24 * 60 * 60 * 1000;

const wholeNumber = (max: number, unit: string) =>
  z
    .number()
    .check(
      z.int('must be a whole number'),
      z.positive('must be positive'),
      z.lte(max, `must be at most ${max} ${unit}`),
    );

/** A cap as the cell config or a Tenants item states it. */
export const frequencyCapSchema = z.strictObject({
  messages: wholeNumber(FREQUENCY_CAP_MAX_MESSAGES, 'messages'),
  days: wholeNumber(
    FREQUENCY_CAP_MAX_DAYS,
    'days (messages are kept 6 months, so a longer window could not be counted)',
  ),
});

/** Marketing messages a recipient has had, read from the message log. */
export interface MarketingHistory {
  /**
   * Outbound marketing messages to the subject logged at or after `since`, not failed, counted up to `atMost`: the
   * answer is min(count, atMost), and reading stops as soon as `atMost` are found.
   */
  countSince(tenantId: string, subjectId: string, since: Date, atMost: number): Promise<number>;
}

/** True when a recipient who has had `countSoFar` marketing messages in the window may get no more. */
export function isOverFrequencyCap(cap: FrequencyCap | undefined, countSoFar: number): boolean {
  return cap !== undefined && countSoFar >= cap.messages;
}

/** The first instant whose messages count against the cap at `now`. */
export function frequencyCapWindowStart(cap: FrequencyCap, now: Date): Date {
  return new Date(now.getTime() - cap.days * MS_PER_DAY);
}

/** The cap in words: "at most 4 marketing messages in 7 days". */
export function describeFrequencyCap(cap: FrequencyCap): string {
  const messages = `${cap.messages} marketing message${cap.messages === 1 ? '' : 's'}`;
  const days = cap.days === 1 ? '1 day' : `${cap.days} days`;
  return `at most ${messages} in ${days}`;
}

/**
 * A tenant's cap, validated: undefined when it has none. A malformed cap (a hand-edited Tenants item) fails the
 * marketing send loudly rather than sending uncapped or capping by a number nobody chose.
 */
export function frequencyCapOf(tenantId: string, cap: unknown): FrequencyCap | undefined {
  if (cap === undefined) return undefined;
  const parsed = frequencyCapSchema.safeParse(cap);
  if (!parsed.success) throw new Error(`Tenant ${tenantId} has an invalid frequency cap`);
  return parsed.data;
}

/** Whether a message of this category counts against, and is held to, the cap. */
export const isCapped = (category: MessageCategory): boolean => category === 'marketing';

/**
 * Whether the recipient has reached the cap: one bounded read of their marketing history, which stops at the
 * cap. False, without a read, when there is no cap.
 */
export async function hasReachedFrequencyCap(
  history: MarketingHistory,
  cap: FrequencyCap | undefined,
  recipient: { readonly tenantId: string; readonly subjectId: string },
  now: Date,
): Promise<boolean> {
  if (!cap) return false;
  const since = frequencyCapWindowStart(cap, now);
  const count = await history.countSince(recipient.tenantId, recipient.subjectId, since, cap.messages);
  return isOverFrequencyCap(cap, count);
}

/** 422 `frequency-cap`: the cap in words and as numbers, and nothing about the recipient. */
export class FrequencyCapError extends ProblemError {
  override readonly name = 'FrequencyCapError';

  constructor(readonly cap: FrequencyCap) {
    super('frequency-cap', {
      detail:
        `This tenant sends each recipient ${describeFrequencyCap(cap)}, and this recipient has had that many; ` +
        'no further marketing message may be sent to them until the oldest of those leaves the window.',
      extensions: { frequencyCap: { messages: cap.messages, days: cap.days } },
    });
  }
}
