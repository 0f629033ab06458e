/**
 * Subscriber rules (DESIGN §4 Subscribe and Interaction), free of any AWS SDK: the store and the subject-id
 * deriver are ports.
 */
import { AgeRestrictionError, TimestampOutOfRangeError } from '../shared/problem';
import type {
  ConsentSource,
  CreateSubscriberRequest,
  PatchSubscriberRequest,
  SubscriberStatus,
} from '../shared/schemas';
import {
  ledgerSortKey,
  recordOptIn,
  removeFromProviders,
  SCOPE_ALL,
  untilCurrent,
  type ConsentDeps,
} from './consent';
import { newEventId } from './event-id';
import { normalizeE164 } from './phone';
import { expiresAt, purgeDayOf } from './retention';

/** Below this age nobody may be subscribed (GDPR Art. 8 lets member states go no lower than 13; we use 16). */
export const MINIMUM_AGE_YEARS = 16;
/** Client clocks drift; a timestamp this far in the future is still accepted as "now". */
export const CLOCK_SKEW_MS = 5 * 60_000;

export interface LegalHold {
  readonly reason: string;
  readonly heldBy: string;
  readonly since: string;
}

export interface SubscriberRecord {
  readonly tenantId: string;
  readonly subjectId: string;
  readonly phone: string;
  readonly status: SubscriberStatus;
  readonly topics: readonly string[];
  readonly locale?: string;
  readonly timeZone?: string;
  readonly createdAt: string;
  readonly lastInteractionAt: string;
  /** Absent while a legal hold stands. */
  readonly expiresAt?: number;
  readonly purgeDay?: string;
  readonly legalHold?: LegalHold;
}

export type ConsentEventType = 'opt_in' | 'opt_in_confirmed' | 'opt_out' | 're_opt_in';

/** One append-only ConsentLedger entry. It holds no phone number: the subject is found by its id. */
export interface ConsentEvent {
  readonly tenantId: string;
  readonly subjectId: string;
  readonly eventId: string;
  readonly type: ConsentEventType;
  readonly at: string;
  readonly channel: 'sms';
  readonly source: ConsentSource;
  readonly scope: string;
  readonly evidence: {
    readonly noticeVersion?: string;
    readonly ip?: string;
    readonly userAgent?: string;
    readonly keyword?: string;
  };
  readonly expiresAt: number;
}

/** The result of moving `lastInteractionAt`: only ever forward. */
export type InteractionOutcome = 'recorded' | 'unchanged' | 'absent';

export interface SubscriberStore {
  /** The subscriber, or undefined when absent or past `expiresAt`. Strongly consistent. */
  get(tenantId: string, subjectId: string, now: Date): Promise<SubscriberRecord | undefined>;
  /**
   * Writes the subscriber and its consent event in one transaction, ordered against the subject's consent head
   * (see `ConsentStore`). Returns 'exists' (and writes nothing) when a live subscriber is already there, and
   * 'stale' when another consent event of the subject committed after `ordering.head` was read.
   */
  create(
    record: SubscriberRecord,
    consent: ConsentEvent,
    now: Date,
    ordering: SubscribeOrdering,
  ): Promise<'created' | 'exists' | 'stale'>;
  /** Applies profile changes to a live subscriber; undefined when there is none. */
  update(
    tenantId: string,
    subjectId: string,
    changes: PatchSubscriberRequest,
    now: Date,
  ): Promise<SubscriberRecord | undefined>;
  /** Moves `lastInteractionAt` (and, unless held, `expiresAt` and `purgeDay`) forward to `at` in one UpdateItem. */
  recordInteraction(tenantId: string, subjectId: string, at: Date, now: Date): Promise<InteractionOutcome>;
}

/** How a new subscriber's consent event takes its place among the subject's earlier consent events. */
export interface SubscribeOrdering {
  /** The consent head read before deciding. @default - none: the subject has no event yet */
  readonly head: string | undefined;
  /**
   * Whether the event becomes the new head. Consent captured before the subject's latest event (an import with
   * an old `capturedAt`, after a later opt-out) is kept as proof but changes no standing opt-out.
   */
  readonly advance: boolean;
  /** Delete the standing suppression of scope `all` (only when advancing). */
  readonly clearSuppression: boolean;
  /** Record that the provider opt-out lists must forget the number (with `clearSuppression`). */
  readonly requestProviderRemoval: boolean;
}

export interface SubscriberDeps extends ConsentDeps {
  readonly store: SubscriberStore;
  readonly clock: () => Date;
}

/** Whole years between a birth date (YYYY-MM-DD) and a day, as people count birthdays. */
export function ageOn(birthDate: string, on: Date): number {
  const [year, month, day] = birthDate.split('-').map(Number) as [number, number, number];
  let age = on.getUTCFullYear() - year;
  const beforeBirthday =
    on.getUTCMonth() + 1 < month || (on.getUTCMonth() + 1 === month && on.getUTCDate() < day);
  if (beforeBirthday) age -= 1;
  return age;
}

/** The expiry a profile gets from an interaction at `at` (36 months, MASS policy). */
export function profileExpiry(at: Date): { expiresAt: number; purgeDay: string } {
  const seconds = expiresAt('subscriberProfile', at);
  return { expiresAt: seconds, purgeDay: purgeDayOf(seconds) };
}

/** Parses an optional client timestamp; refuses one in the future beyond the clock skew. */
export function pastInstant(value: string | undefined, field: string, now: Date): Date {
  if (value === undefined) return now;
  const instant = new Date(value);
  if (instant.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    throw new TimestampOutOfRangeError(field, 'must not be in the future');
  }
  return instant.getTime() > now.getTime() ? now : instant;
}

export interface CreateOutcome {
  readonly created: boolean;
  readonly subscriber: SubscriberRecord;
}

export async function createSubscriber(
  deps: SubscriberDeps,
  tenantId: string,
  input: CreateSubscriberRequest,
): Promise<CreateOutcome> {
  const now = deps.clock();
  const phone = normalizeE164(input.phone, { field: 'phone' });
  const capturedAt = pastInstant(input.consent.capturedAt, 'consent.capturedAt', now);
  if (input.birthDate !== undefined && ageOn(input.birthDate, capturedAt) < MINIMUM_AGE_YEARS) {
    throw new AgeRestrictionError({
      detail: `Subscribers must be at least ${MINIMUM_AGE_YEARS} years old when they consent.`,
      errors: [
        {
          field: 'birthDate',
          message: `must be at least ${MINIMUM_AGE_YEARS} years before consent.capturedAt`,
        },
      ],
    });
  }
  const expiry = profileExpiry(capturedAt);
  if (expiry.expiresAt * 1000 <= now.getTime()) {
    throw new TimestampOutOfRangeError(
      'consent.capturedAt',
      'is older than the 36-month inactivity period; the profile would be purged at once',
    );
  }

  const subjectId = await deps.subjectIds.derive(tenantId, phone);

  const record: SubscriberRecord = {
    tenantId,
    subjectId,
    phone,
    status: input.doubleOptIn ? 'pending_confirmation' : 'active',
    topics: input.topics ?? [],
    locale: input.locale,
    timeZone: input.timeZone,
    createdAt: now.toISOString(),
    lastInteractionAt: capturedAt.toISOString(),
    ...expiry,
  };
  const consent: ConsentEvent = {
    tenantId,
    subjectId,
    eventId: newEventId(),
    type: 'opt_in',
    at: capturedAt.toISOString(),
    channel: 'sms',
    source: input.consent.source,
    scope: 'all',
    evidence: {
      noticeVersion: input.consent.noticeVersion,
      ip: input.consent.ip,
      userAgent: input.consent.userAgent,
    },
    expiresAt: expiresAt('consentProof', capturedAt),
  };
  const result = await untilCurrent(async (): Promise<(CreateOutcome & { removal: boolean }) | 'stale'> => {
    const existing = await deps.store.get(tenantId, subjectId, now);
    if (existing) return { created: false, subscriber: existing, removal: false };
    const state = await deps.consent.state(tenantId, subjectId, now);
    const advance = state.head === undefined || ledgerSortKey(consent.at, consent.eventId) > state.head;
    const clearSuppression = advance && state.suppressions[SCOPE_ALL] !== undefined;
    const removal = clearSuppression && deps.providerOptOuts !== undefined;
    const outcome = await deps.store.create(record, consent, now, {
      head: state.head,
      advance,
      clearSuppression,
      requestProviderRemoval: removal,
    });
    if (outcome === 'stale') return 'stale';
    if (outcome === 'created') return { created: true, subscriber: record, removal };
    // Lost a race with a concurrent create of the same subscriber: report theirs.
    const winner = await deps.store.get(tenantId, subjectId, now);
    return { created: false, subscriber: winner ?? record, removal: false };
  });
  if (result.removal) await removeFromProviders(deps, tenantId, subjectId, phone, now);
  else if (!result.created) {
    // New consent from a known subscriber: it lifts an opt-out of every message, but confirms no double opt-in.
    // Consent captured before that opt-out began (an import with an old `capturedAt`) lifts nothing, as on create.
    const evidence = consent.evidence;
    await recordOptIn(
      deps,
      tenantId,
      { subjectId, e164: phone, source: input.consent.source, evidence, sentAt: capturedAt },
      now,
      { confirm: false },
    );
  }
  return { created: result.created, subscriber: result.subscriber };
}
