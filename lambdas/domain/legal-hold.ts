/**
 * Legal hold (DESIGN §2; MASS: "except where retention is necessary to enforce our legal rights"), free of any
 * AWS SDK: the store, the audit log and the purge watermark are ports.
 *
 * - A held subscriber carries no `expiresAt` and no `purgeDay`: DynamoDB TTL never deletes it, and it drops out
 *   of the sparse `ByPurgeDay` index, so no purge sees it. It keeps the reason, the holder and the start.
 * - Clearing the hold restores both from `lastInteractionAt` (which interactions keep moving while held). When
 *   the restored expiry has already passed, the subscriber is absent from then on and the purge must still
 *   delete it: its bucket may lie behind the purge watermark, so the watermark is moved back to it.
 * - Both actions are audited with ids and an outcome only: never the reason text, which is free text.
 */
import { audit, type AuditLog } from './audit';
import type { PurgeWatermark } from './purge';
import { profileExpiry, type LegalHold, type SubscriberRecord } from './subscribers';

export type HoldOutcome = 'set' | 'replaced';

export interface LegalHoldStore {
  /**
   * Puts the hold on a live subscriber and removes `expiresAt` and `purgeDay` in one conditional UpdateItem.
   * Undefined when there is no live subscriber.
   */
  hold(
    tenantId: string,
    subjectId: string,
    hold: LegalHold,
    now: Date,
  ): Promise<{ outcome: HoldOutcome; record: SubscriberRecord } | undefined>;
  /**
   * Removes the hold and sets `expiresAt` and `purgeDay` computed from the item's own `lastInteractionAt`, in
   * one conditional UpdateItem. 'absent' when there is no subscriber (or an unheld one past its expiry).
   */
  release(
    tenantId: string,
    subjectId: string,
    expiryOf: (lastInteractionAt: string) => { expiresAt: number; purgeDay: string },
    now: Date,
  ): Promise<
    | { outcome: 'released'; expiresAt: number; purgeDay: string }
    | { outcome: 'not_held' }
    | { outcome: 'absent' }
  >;
}

/** The one piece of purge state a hold release may need to change. */
export type PurgeRewind = Pick<PurgeWatermark, 'rewindTo'>;

export interface LegalHoldDeps {
  readonly store: LegalHoldStore;
  readonly audit: AuditLog;
  readonly purge: PurgeRewind;
  readonly clock: () => Date;
}

export interface HoldRequest {
  readonly tenantId: string;
  readonly subjectId: string;
  readonly reason: string;
  /** Who placed the hold: the API client, such as `client:<app client id>`. */
  readonly heldBy: string;
}

export interface ClearRequest {
  readonly tenantId: string;
  readonly subjectId: string;
  /** Who cleared the hold, in the same form as `heldBy`. */
  readonly clearedBy: string;
}

export const LEGAL_HOLD_SET = 'legal_hold_set';
export const LEGAL_HOLD_CLEARED = 'legal_hold_cleared';

/** Sets (or replaces the reason of) a legal hold; undefined when the subscriber is absent. */
export async function setLegalHold(
  deps: LegalHoldDeps,
  request: HoldRequest,
): Promise<SubscriberRecord | undefined> {
  const now = deps.clock();
  const { tenantId, subjectId } = request;
  const held = await deps.store.hold(
    tenantId,
    subjectId,
    { reason: request.reason, heldBy: request.heldBy, since: now.toISOString() },
    now,
  );
  if (!held) return undefined;
  await audit(
    deps.audit,
    { tenantId, actor: request.heldBy, action: LEGAL_HOLD_SET, subjectId, outcome: held.outcome },
    now,
  );
  return held.record;
}

/**
 * Clears a legal hold. 'absent' when there is no subscriber; 'not_held' (nothing written, but audited) when it
 * was not held.
 */
export async function clearLegalHold(
  deps: LegalHoldDeps,
  request: ClearRequest,
): Promise<'released' | 'not_held' | 'absent'> {
  const now = deps.clock();
  const { tenantId, subjectId } = request;
  const released = await deps.store.release(
    tenantId,
    subjectId,
    (lastInteractionAt) => profileExpiry(new Date(lastInteractionAt)),
    now,
  );
  if (released.outcome === 'absent') return 'absent';
  // Whether or not the restored expiry has passed: a purge run at a later clock (local mode's jobs route, or a
  // back-filled run) may already have walked past the restored day. The rewind is conditional, so when the
  // watermark is behind that day it writes nothing.
  if (released.outcome === 'released') await deps.purge.rewindTo(released.purgeDay, now);
  await audit(
    deps.audit,
    { tenantId, actor: request.clearedBy, action: LEGAL_HOLD_CLEARED, subjectId, outcome: released.outcome },
    now,
  );
  return released.outcome;
}
