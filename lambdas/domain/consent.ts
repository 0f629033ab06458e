/**
 * Opt-out and opt-in (DESIGN §4 Opt-out), free of any AWS SDK: the consent store and the subject-id deriver
 * are ports. A suppression stands until the subject opts back in; every change is also a ConsentLedger event.
 */
import type { ConsentSource } from '../shared/schemas';
import { newEventId } from './event-id';
import { normalizeE164 } from './phone';
import { expiresAt } from './retention';
import type { SubjectIdDeriver } from './subject-id';
import type { ConsentEvent } from './subscribers';

/** The scope that withdraws consent to every message, as opposed to one topic. */
export const SCOPE_ALL = 'all';

/** Sources an opt-out or opt-in recorded by optline itself may have. */
export type ConsentChangeSource = Extract<ConsentSource, 'api' | 'keyword' | 'provider_reconcile'>;

/** A standing suppression: no phone number, and no expiry while the opt-out stands. */
export interface Suppression {
  readonly tenantId: string;
  readonly subjectId: string;
  readonly scope: string;
  readonly since: string;
  readonly source: ConsentChangeSource;
}

export interface SuppressionState {
  /** Scopes with a standing suppression, sorted: `all` and/or topics. */
  readonly scopes: readonly string[];
  /** The earliest `since` of those suppressions. @default - none when nothing is suppressed */
  readonly since?: string;
}

export interface OptOutWrite {
  /** 'already' when the suppression stood before: nothing was written. */
  readonly outcome: 'recorded' | 'already';
  /** When the suppression for this scope began (the earlier one on a repeat). */
  readonly since: string;
}

export interface OptInChanges {
  /** Delete the suppression of the event's scope (it must exist). */
  readonly clearSuppression: boolean;
  /** Move a `pending_confirmation` subscriber to `active` (it must still be pending). */
  readonly confirmSubscriber: boolean;
}

export interface ConsentStore {
  /** Standing suppressions of a subject, read strongly consistent. */
  suppressionState(tenantId: string, subjectId: string): Promise<SuppressionState>;
  /**
   * In one transaction: puts the suppression unless one stands, appends the `opt_out` event and, for scope
   * `all`, deletes the marketing item. A standing suppression makes it 'already' and writes nothing.
   */
  optOut(suppression: Suppression, event: ConsentEvent): Promise<OptOutWrite>;
  /**
   * In one transaction: the requested changes and the ledger event. 'unchanged' (nothing written) when a
   * condition no longer holds, such as a concurrent opt-in that got there first.
   */
  optIn(event: ConsentEvent, changes: OptInChanges): Promise<'recorded' | 'unchanged'>;
  /** Whether the subject's subscriber is waiting for its double opt-in confirmation. */
  isPendingConfirmation(tenantId: string, subjectId: string, now: Date): Promise<boolean>;
}

export interface ConsentDeps {
  readonly consent: ConsentStore;
  readonly subjectIds: SubjectIdDeriver;
  /** @default newEventId (time-ordered, so same-millisecond events keep their order) */
  readonly newId?: () => string;
}

/** Who the change is about: a phone number (normalised here) or an already derived subject id. */
export type ConsentSubject =
  | { readonly e164: string; readonly subjectId?: undefined }
  | { readonly subjectId: string; readonly e164?: undefined };

export type ConsentChange = ConsentSubject & {
  /** `all` or a topic. @default 'all' */
  readonly scope?: string;
  readonly source: ConsentChangeSource;
  /** The keyword that triggered the change, kept as evidence. @default - none */
  readonly keyword?: string;
  /** Field name for errors about the number. @default 'phone' */
  readonly field?: string;
};

export interface OptOutResult extends OptOutWrite {
  readonly subjectId: string;
  readonly scope: string;
}

export interface OptInResult {
  /** 'unchanged' when nothing was suppressed or pending: no event is recorded. */
  readonly outcome: 're_opt_in' | 'opt_in_confirmed' | 'unchanged';
  readonly subjectId: string;
}

async function subjectOf(deps: ConsentDeps, tenantId: string, change: ConsentChange): Promise<string> {
  if (change.subjectId !== undefined) return change.subjectId;
  return deps.subjectIds.derive(tenantId, normalizeE164(change.e164, { field: change.field ?? 'phone' }));
}

function ledgerEvent(
  deps: ConsentDeps,
  tenantId: string,
  subjectId: string,
  type: ConsentEvent['type'],
  change: ConsentChange,
  now: Date,
): ConsentEvent {
  return {
    tenantId,
    subjectId,
    eventId: (deps.newId ?? newEventId)(),
    type,
    at: now.toISOString(),
    channel: 'sms',
    source: change.source,
    scope: change.scope ?? SCOPE_ALL,
    evidence: change.keyword === undefined ? {} : { keyword: change.keyword },
    expiresAt: expiresAt('consentProof', now),
  };
}

/** Records an opt-out idempotently: a repeat reports the standing suppression's `since` and writes nothing. */
export async function recordOptOut(
  deps: ConsentDeps,
  tenantId: string,
  change: ConsentChange,
  now: Date,
): Promise<OptOutResult> {
  const subjectId = await subjectOf(deps, tenantId, change);
  const scope = change.scope ?? SCOPE_ALL;
  const written = await deps.consent.optOut(
    { tenantId, subjectId, scope, since: now.toISOString(), source: change.source },
    ledgerEvent(deps, tenantId, subjectId, 'opt_out', change, now),
  );
  return { ...written, subjectId, scope };
}

/**
 * Records an opt-in by the subject: `re_opt_in` when a suppression stood (it is cleared), or
 * `opt_in_confirmed` when the subscriber was waiting for its double opt-in (it becomes active, and a standing
 * suppression is cleared too). Anything else records nothing: an opt-in keyword is not new consent from
 * someone who never gave any.
 */
export async function recordOptIn(
  deps: ConsentDeps,
  tenantId: string,
  change: ConsentChange,
  now: Date,
): Promise<OptInResult> {
  const subjectId = await subjectOf(deps, tenantId, change);
  const scope = change.scope ?? SCOPE_ALL;
  const [state, pending] = await Promise.all([
    deps.consent.suppressionState(tenantId, subjectId),
    deps.consent.isPendingConfirmation(tenantId, subjectId, now),
  ]);
  const changes: OptInChanges = {
    clearSuppression: state.scopes.includes(scope),
    confirmSubscriber: pending,
  };
  if (!changes.clearSuppression && !changes.confirmSubscriber) return { outcome: 'unchanged', subjectId };
  const type = pending ? 'opt_in_confirmed' : 're_opt_in';
  const written = await deps.consent.optIn(
    ledgerEvent(deps, tenantId, subjectId, type, change, now),
    changes,
  );
  return { outcome: written === 'recorded' ? type : 'unchanged', subjectId };
}
