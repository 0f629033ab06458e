/**
 * The inactivity purge and its TTL backstop (DESIGN §2, §4 Purge), free of any AWS SDK: the stores are ports.
 *
 * A subscriber is due when its `expiresAt` (36 months after its last interaction, MASS policy) has passed and
 * it is not under legal hold. Purging it deletes the profile, its marketing item (`#MKT`) and its MessageLog;
 * the ConsentLedger (proof of consent, MessageBird 7.4) and the Suppressions entries (an opt-out keeps being
 * honoured, CTIA/FCC) are kept.
 */
import { purgeDayOf } from './retention';

/** A subscriber found in a `ByPurgeDay` bucket: keys only, no personal data. */
export interface DueSubscriber {
  readonly tenantId: string;
  readonly subjectId: string;
}

/** What one cascade deleted besides the profile. */
export interface CascadeCounts {
  readonly marketingDeleted: number;
  readonly messagesDeleted: number;
}

/** An opaque position inside a bucket, for the next page. */
export type BucketCursor = Readonly<Record<string, unknown>>;

export interface PurgeStore {
  /**
   * One page of the bucket `day` of the `ByPurgeDay` index: subscribers whose `expiresAt` is at or before
   * `now`. The index is eventually consistent and sparse (held subscribers are not in it), so every entry is
   * checked again on the base item before anything is deleted.
   */
  due(
    day: string,
    now: Date,
    cursor?: BucketCursor,
  ): Promise<{ readonly subscribers: readonly DueSubscriber[]; readonly cursor?: BucketCursor }>;
  /**
   * Marks the profile as being purged (`purgeClaimedAt`), on condition that it is still expired and not held.
   * An expired profile takes no interaction, change or hold, so a claimed profile may be cascaded before it is
   * deleted, and a run that dies half-way is completed by the next one. A subscribe may still replace it with a
   * new profile, which the cascade and the delete both leave alone. False when the profile is live again, held or
   * gone.
   */
  claim(subscriber: DueSubscriber, now: Date): Promise<boolean>;
  /**
   * Deletes what the profile's ended life left: the subject's MessageLog items logged before `endedAt`, and its
   * marketing item if last updated before then. The subject may have subscribed again since (a subscribe may
   * replace an expired profile, claimed or not), and what the new subscription wrote stays. Idempotent.
   */
  cascade(subscriber: DueSubscriber, endedAt: Date): Promise<CascadeCounts>;
  /**
   * Deletes the profile this run claimed at `now`, on the same condition as the claim, and its audience index
   * entries in the same transaction; false when it no longer holds or a subscribe replaced the profile.
   */
  remove(subscriber: DueSubscriber, now: Date): Promise<boolean>;
  /**
   * Deletes the subject's audience index entries (DESIGN §10) when no profile item is there any more, as after
   * a TTL deletion; a profile written since owns the entries and keeps them. True when entries were deleted.
   */
  leaveAudiences(subscriber: DueSubscriber): Promise<boolean>;
  /** Whether a live profile exists for the subject now (strongly consistent), such as after a re-subscribe. */
  hasLiveProfile(subscriber: DueSubscriber, now: Date): Promise<boolean>;
}

/**
 * How far the purge has walked `ByPurgeDay`: the last bucket day every due subscriber of which has been handled.
 * Buckets after it are walked by the next run.
 */
export interface PurgeWatermark {
  /** @returns undefined before the first run (or once the item itself expired, after 5 years without a run) */
  read(now: Date): Promise<string | undefined>;
  /**
   * Moves the watermark from `expected` (what this run read or last wrote) to `day`. False, and nothing written,
   * when it changed in between: a legal-hold release rewound it, or another run moved it.
   */
  advance(expected: string | undefined, day: string, now: Date): Promise<boolean>;
  /** Makes the next run walk `day` again if the watermark has passed it (see legal-hold.ts). */
  rewindTo(day: string, now: Date): Promise<void>;
}

const MS_PER_DAY = 86_400_000;

/** The UTC day (YYYY-MM-DD) of an instant. */
export const dayOf = (instant: Date): string => purgeDayOf(Math.floor(instant.getTime() / 1000));

/** The day `n` days after `day` (YYYY-MM-DD, UTC); `n` may be negative. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + n * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The buckets a run at `now` walks: from the day after the watermark (or the look-back) through today. */
export function bucketsToWalk(
  watermark: string | undefined,
  now: Date,
  initialLookbackDays: number,
): string[] {
  const today = dayOf(now);
  let day = watermark === undefined ? addDays(today, -initialLookbackDays) : addDays(watermark, 1);
  const days: string[] = [];
  for (; day <= today; day = addDays(day, 1)) days.push(day);
  return days;
}

/**
 * Whether every subscriber of bucket `day` was due by `now`: only then may the watermark pass it. Today's
 * bucket is walked for what is already due and walked again by the next run.
 */
export const bucketComplete = (day: string, now: Date): boolean =>
  Date.parse(`${addDays(day, 1)}T00:00:00.000Z`) <= now.getTime();
