/**
 * Opt-out and opt-in (DESIGN §4 Opt-out), free of any AWS SDK: the consent store, the subject-id deriver and the
 * provider opt-out list are ports. A suppression stands until the subject opts back in; every change is also a
 * ConsentLedger event.
 *
 * Ordering: every consent event of a subject is committed against the subject's consent head (the sort key of its
 * latest ledger event). A write whose head moved since it was read is stale and is retried from a fresh read, so
 * the ledger's last event and the suppression always agree, even when a STOP races a re-subscribe.
 */
import { ServiceUnavailableError } from '../shared/problem';
import type { ConsentSource } from '../shared/schemas';
import { newEventId } from './event-id';
import { expiresAt } from './retention';
import type { SubjectIdDeriver } from './subject-id';
import type { ConsentEvent } from './subscribers';

/** The scope that withdraws consent to every message, as opposed to one topic. */
export const SCOPE_ALL = 'all';

/** Attempts to commit one consent event while other events of the same subject keep getting there first. */
export const MAX_CONSENT_ATTEMPTS = 5;

/** Sources an opt-out or opt-in recorded by optline itself may have. */
export type ConsentChangeSource = Extract<ConsentSource, 'api' | 'keyword' | 'provider_reconcile'>;

/** A standing suppression: no phone number, and no expiry while the opt-out stands. */
export interface Suppression {
  readonly tenantId: string;
  readonly subjectId: string;
  readonly scope: string;
  readonly since: string;
  readonly source: ConsentChangeSource;
  /** The inbound message that caused it, so a redelivery of that message can finish its confirmation. */
  readonly causeId?: string;
  /** When the opt-out confirmation SMS went out. @default - not sent (API and provider opt-outs send none) */
  readonly confirmedAt?: string;
}

export interface SuppressionState {
  /** Scopes with a standing suppression, sorted: `all` and/or topics. */
  readonly scopes: readonly string[];
  /** The earliest `since` of those suppressions. @default - none when nothing is suppressed */
  readonly since?: string;
}

/** Everything a consent change is decided on, read strongly consistent. */
export interface ConsentState {
  /** Standing suppressions by scope. */
  readonly suppressions: Readonly<Record<string, Suppression>>;
  /** Sort key of the subject's latest ledger event. @default - none: no event recorded yet */
  readonly head?: string;
  /** Whether the subscriber is waiting for its double opt-in confirmation. */
  readonly pendingConfirmation: boolean;
}

export interface OptInChanges {
  /** Delete the suppression of the event's scope (it must exist). */
  readonly clearSuppression: boolean;
  /** Move a `pending_confirmation` subscriber to `active` (it must still be pending). */
  readonly confirmSubscriber: boolean;
  /** Remember that the provider opt-out lists still hold the number, until a removal succeeds. */
  readonly requestProviderRemoval: boolean;
}

/** 'stale': another consent event of the subject committed after `head` was read; nothing was written. */
export type Committed<T extends string> = T | 'stale';

export interface ConsentStore {
  /** Standing suppressions of a subject, read strongly consistent. */
  suppressionState(tenantId: string, subjectId: string): Promise<SuppressionState>;
  state(tenantId: string, subjectId: string, now: Date): Promise<ConsentState>;
  /**
   * In one transaction: puts the suppression unless one stands, appends the `opt_out` event, moves the head and,
   * for scope `all`, deletes the marketing item. A standing suppression makes it 'already' and writes nothing.
   */
  optOut(
    suppression: Suppression,
    event: ConsentEvent,
    head: string | undefined,
  ): Promise<Committed<'recorded' | 'already'>>;
  /**
   * In one transaction: the requested changes, the ledger event and the head. 'unchanged' (nothing written) when a
   * condition on the subject's own items no longer holds.
   */
  optIn(
    event: ConsentEvent,
    changes: OptInChanges,
    head: string | undefined,
  ): Promise<Committed<'recorded' | 'unchanged'>>;
  /** Records that the opt-out confirmation SMS of a suppression went out. */
  markConfirmed(tenantId: string, subjectId: string, scope: string, at: Date): Promise<void>;
  /** The provider lists no longer hold the number: forget the pending removal. */
  providerRemovalDone(tenantId: string, subjectId: string): Promise<void>;
  /** A provider refused the removal: keep it pending, with why, for the reconcile job to retry. */
  providerRemovalRefused(tenantId: string, subjectId: string, refusal: string, at: Date): Promise<void>;
  /** Whether a provider removal is still pending for the subject. */
  providerRemovalPending(tenantId: string, subjectId: string): Promise<boolean>;
}

/** One number on a provider's opt-out list, as the reconcile job reads it. */
export interface ProviderOptedOutNumber {
  readonly e164: string;
  readonly provider: 'end-user-messaging' | 'sns';
}

/** A provider's answer to a removal; `refused` lists who refused and why (never the number). */
export type ProviderRemoval =
  { readonly removed: true } | { readonly removed: false; readonly refusal: string };

/**
 * The cell's provider opt-out lists (End User Messaging's opt-out list, SNS's account list). Our Suppressions are
 * the source of truth; these mirror them so the provider also blocks a number we suppressed.
 */
export interface ProviderOptOutList {
  /** Adds the number where the provider lets us; throws when that fails, so the caller retries. */
  add(e164: string): Promise<void>;
  /** Removes the number everywhere the provider allows (each number once per 30 days); never throws. */
  remove(e164: string): Promise<ProviderRemoval>;
  /** Every number on the providers' lists, page by page. */
  optedOut(): AsyncIterable<ProviderOptedOutNumber>;
}

export interface ConsentDeps {
  readonly consent: ConsentStore;
  readonly subjectIds: SubjectIdDeriver;
  /** @default - no mirroring: the caller has no provider list (tests of the ledger alone) */
  readonly providerOptOuts?: ProviderOptOutList;
  /** @default newEventId (time-ordered, so same-millisecond events keep their order) */
  readonly newLedgerId?: () => string;
}

/**
 * Who the change is about: the subject id the caller derived, and the E.164 number it derived it from (for the
 * provider lists). Callers parse numbers themselves, so code that only ever knows a subject id, such as the DSR
 * worker, carries no phone-number parser.
 */
export interface ConsentSubject {
  readonly subjectId: string;
  readonly e164: string;
}

export type ConsentChange = ConsentSubject & {
  /** `all` or a topic. @default 'all' */
  readonly scope?: string;
  readonly source: ConsentSource;
  /** Evidence kept with the event: the keyword, or the notice the subscriber saw. @default - none */
  readonly evidence?: ConsentEvent['evidence'];
  /**
   * The inbound message, or the DSR objection, that carried the change: it is kept on the suppression it records,
   * so a redelivery knows it. SQS redelivers an inbound change with the same `sentAt`, so a retry of an inbound
   * opt-in is safe to ask for. @default - none
   */
  readonly causeId?: string;
  /**
   * When the subject gave the change: for an inbound message, the time SNS accepted it, which stays the same when
   * SQS redelivers it or it is redriven from the dead-letter queue; for consent given through the API, its
   * `capturedAt`. An opt-in given before the opt-out standing for its scope is superseded by that opt-out and
   * changes nothing; an opt-out is always honoured.
   * @default - the change is current
   */
  readonly sentAt?: Date;
};

export interface OptOutResult {
  /** 'already' when the suppression stood before: nothing was written. */
  readonly outcome: 'recorded' | 'already';
  /** When the suppression for this scope began (the earlier one on a repeat). */
  readonly since: string;
  readonly subjectId: string;
  readonly scope: string;
  /**
   * Whether the caller owes the subject the opt-out confirmation: a new opt-out from an inbound message, or a
   * redelivery of the message that caused it before its confirmation went out.
   */
  readonly confirmationDue: boolean;
  /** Whether this change (an earlier delivery of it included, by `causeId`) recorded the standing suppression. */
  readonly recordedByThisChange: boolean;
}

export interface OptInResult {
  /**
   * 'unchanged' when nothing was suppressed or pending, or when a later consent event supersedes the opt-in: no
   * event is recorded.
   */
  readonly outcome: 're_opt_in' | 'opt_in_confirmed' | 'unchanged';
  readonly subjectId: string;
}

/** Too many concurrent consent changes of one subject: the caller retries later. */
export class ConsentContentionError extends ServiceUnavailableError {
  override readonly name = 'ConsentContentionError';
  constructor() {
    super(1, { detail: 'Other consent changes of this number are being recorded; retry in a second.' });
  }
}

/** A ledger entry's sort key, which is also what the subject's consent head holds: time, then event id. */
export const ledgerSortKey = (at: string, eventId: string): string => `${at}#${eventId}`;

/** The opt-out stands, but the provider list could not be told yet: the caller retries, which mirrors it again. */
export class ProviderMirrorPendingError extends ServiceUnavailableError {
  override readonly name = 'ProviderMirrorPendingError';
  constructor(cause: unknown) {
    super(5, {
      detail:
        'The opt-out is recorded and already honoured; copying it to the SMS provider failed. Retry in a few seconds.',
      cause,
    });
  }
}

/** The instant of the next event: now, or just after the head when clocks disagree, so the ledger stays ordered. */
export function nextEventInstant(now: Date, head: string | undefined): Date {
  const headAt = head === undefined ? Number.NEGATIVE_INFINITY : Date.parse(head.slice(0, head.indexOf('#')));
  return now.getTime() > headAt ? now : new Date(headAt + 1);
}

/** Lists the number with the providers; a failure throws after our own state is recorded, for the caller's retry. */
async function listWithProviders(providerOptOuts: ProviderOptOutList, e164: string): Promise<void> {
  try {
    await providerOptOuts.add(e164);
  } catch (error) {
    throw new ProviderMirrorPendingError(error);
  }
}

function ledgerEvent(
  deps: ConsentDeps,
  tenantId: string,
  subjectId: string,
  type: ConsentEvent['type'],
  change: ConsentChange,
  at: Date,
): ConsentEvent {
  return {
    tenantId,
    subjectId,
    eventId: (deps.newLedgerId ?? newEventId)(),
    type,
    at: at.toISOString(),
    channel: 'sms',
    source: change.source,
    scope: change.scope ?? SCOPE_ALL,
    evidence: change.evidence ?? {},
    expiresAt: expiresAt('consentProof', at),
  };
}

/** Runs one consent write until it is not stale; each attempt decides again from a fresh read. */
export async function untilCurrent<T>(attempt: () => Promise<T | 'stale'>): Promise<T> {
  for (let i = 0; i < MAX_CONSENT_ATTEMPTS; i++) {
    const result = await attempt();
    if (result !== 'stale') return result;
  }
  throw new ConsentContentionError();
}

/**
 * Records an opt-out idempotently: a repeat reports the standing suppression's `since` and writes nothing. An
 * opt-out of every message is then mirrored to the provider opt-out list; a failure there throws after our own
 * state is recorded, so the caller's retry (an SQS redelivery, a client retry) mirrors it again.
 */
export async function recordOptOut(
  deps: ConsentDeps,
  tenantId: string,
  change: ConsentChange,
  now: Date,
): Promise<OptOutResult> {
  const { subjectId, e164 } = change;
  const scope = change.scope ?? SCOPE_ALL;
  const result = await untilCurrent(async (): Promise<OptOutResult | 'stale'> => {
    const state = await deps.consent.state(tenantId, subjectId, now);
    const standing = state.suppressions[scope];
    if (standing) {
      const redelivered = change.causeId !== undefined && standing.causeId === change.causeId;
      return {
        outcome: 'already',
        since: standing.since,
        subjectId,
        scope,
        confirmationDue: redelivered && standing.confirmedAt === undefined,
        recordedByThisChange: redelivered,
      };
    }
    const at = nextEventInstant(now, state.head);
    const suppression: Suppression = {
      tenantId,
      subjectId,
      scope,
      since: at.toISOString(),
      source: change.source as ConsentChangeSource,
      ...(change.causeId === undefined ? {} : { causeId: change.causeId }),
    };
    const written = await deps.consent.optOut(
      suppression,
      ledgerEvent(deps, tenantId, subjectId, 'opt_out', change, at),
      state.head,
    );
    if (written === 'stale') return 'stale';
    // 'already' here means a suppression appeared between the read and the write: decide again from a fresh read.
    if (written === 'already') return 'stale';
    return {
      outcome: 'recorded',
      since: suppression.since,
      subjectId,
      scope,
      confirmationDue: change.causeId !== undefined,
      recordedByThisChange: true,
    };
  });
  if (scope === SCOPE_ALL && deps.providerOptOuts) await listWithProviders(deps.providerOptOuts, e164);
  return result;
}

/**
 * Records an opt-in by the subject: `re_opt_in` when a suppression stood (it is cleared), or `opt_in_confirmed`
 * when the subscriber was waiting for its double opt-in (it becomes active, and a standing suppression is cleared
 * too). Anything else records nothing: an opt-in keyword is not new consent from someone who never gave any.
 * Clearing an opt-out of every message also asks the providers to forget the number (see `removeFromProviders`).
 *
 * An opt-in given (`change.sentAt`) before the opt-out standing for its scope records nothing: an SQS redelivery
 * of a START, a START overtaken in the queue, or an import of consent captured earlier must not undo a later
 * STOP. Should the superseded START already have taken the number off the provider lists, the opt-out standing
 * now is listed again.
 */
export async function recordOptIn(
  deps: ConsentDeps,
  tenantId: string,
  change: ConsentChange,
  now: Date,
  options: {
    /** Whether this opt-in may confirm a pending double opt-in: only the subject's own reply can. @default true */
    readonly confirm?: boolean;
  } = {},
): Promise<OptInResult> {
  const { subjectId, e164 } = change;
  const scope = change.scope ?? SCOPE_ALL;
  const result = await untilCurrent(
    async (): Promise<(OptInResult & { changes?: OptInChanges; relist?: boolean }) | 'stale'> => {
      const state = await deps.consent.state(tenantId, subjectId, now);
      const standing = state.suppressions[scope];
      if (change.sentAt !== undefined && standing && Date.parse(standing.since) > change.sentAt.getTime()) {
        return { outcome: 'unchanged', subjectId, relist: scope === SCOPE_ALL };
      }
      const clearSuppression = standing !== undefined;
      const confirmSubscriber = state.pendingConfirmation && (options.confirm ?? true);
      const changes: OptInChanges = {
        clearSuppression,
        confirmSubscriber,
        requestProviderRemoval: clearSuppression && scope === SCOPE_ALL && deps.providerOptOuts !== undefined,
      };
      if (!changes.clearSuppression && !changes.confirmSubscriber) return { outcome: 'unchanged', subjectId };
      const type = confirmSubscriber ? 'opt_in_confirmed' : 're_opt_in';
      const at = nextEventInstant(now, state.head);
      const written = await deps.consent.optIn(
        ledgerEvent(deps, tenantId, subjectId, type, change, at),
        changes,
        state.head,
      );
      if (written === 'stale' || written === 'unchanged') return 'stale';
      return { outcome: type, subjectId, changes };
    },
  );
  if (result.changes?.requestProviderRemoval) {
    const removal = await removeFromProviders(deps, tenantId, subjectId, e164, now);
    // Only an inbound message may ask for a retry: its redelivery keeps its `sentAt`, so it is superseded and lists
    // the number again. An API client's retry may carry a later `capturedAt` (or none), which is new consent and
    // would lift the opt-out it failed to list.
    if ('relistError' in removal && change.causeId !== undefined) {
      throw new ProviderMirrorPendingError(removal.relistError);
    }
  }
  if (result.relist && deps.providerOptOuts) await listWithProviders(deps.providerOptOuts, e164);
  return { outcome: result.outcome, subjectId };
}

/**
 * Asks the providers to forget an opted-back-in number. The pending removal was recorded in the same transaction
 * as the opt-in, so a crash here loses nothing; a refusal (a provider allows one removal per number every 30
 * days) is recorded for the daily reconcile job to retry, and never changes the subject's consent.
 *
 * An opt-out that commits while the removal is under way lists the number itself, possibly just before the
 * removal takes it off again. So this tenant's suppressions are read after the removal, and an opt-out of
 * everything found there is listed again (that opt-out has already dropped the pending removal). A failure to list
 * it again is returned as `relistError`, never thrown: whether a retry is safe is for the caller to say.
 */
export async function removeFromProviders(
  deps: ConsentDeps,
  tenantId: string,
  subjectId: string,
  e164: string,
  now: Date,
): Promise<ProviderRemoval | { readonly removed: true; readonly relistError: unknown }> {
  if (!deps.providerOptOuts) return { removed: true };
  const removal = await deps.providerOptOuts.remove(e164);
  if (!removal.removed) {
    await deps.consent.providerRemovalRefused(tenantId, subjectId, removal.refusal, now);
    return removal;
  }
  if ((await deps.consent.suppressionState(tenantId, subjectId)).scopes.includes(SCOPE_ALL)) {
    try {
      await deps.providerOptOuts.add(e164);
      return removal;
    } catch (error) {
      return { removed: true, relistError: error };
    }
  }
  await deps.consent.providerRemovalDone(tenantId, subjectId);
  return removal;
}
