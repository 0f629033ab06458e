/**
 * Data-subject requests (DESIGN §2 erasure, §4 DSR): deadlines by regime, the one extension, the lifecycle of a
 * request, and what each type does to the subject's data. Pure module (no AWS SDK); the worker that queries
 * and deletes lives in the adapters.
 */
import {
  type DsrStatus,
  type DsrStatusView,
  type DsrType,
  type RectificationChanges,
  rectificationChanges,
  type VerificationMethod,
} from '../shared/dsr-schemas';
import { InvalidInputError, ProblemError, type ProblemOptions } from '../shared/problem';
import type { Regime } from './regimes';
import { addCalendarMonths, expiresAt, type RetentionCategoryId } from './retention';

export type { DsrStatus, DsrType, RectificationChanges, VerificationMethod } from '../shared/dsr-schemas';

const MS_PER_DAY = 86_400_000;

/** A request within this many days of its effective deadline is due soon. */
export const DUE_SOON_DAYS = 5;
/** The longest extension reason, as the API accepts it. */
export const MAX_EXTENSION_REASON_LENGTH = 500;

/** Statuses of a request still being worked on; the others are final. */
export const OPEN_DSR_STATUSES: readonly DsrStatus[] = ['received', 'in_progress'];

/** A category of data kept despite a request, with the reason it is kept. */
export interface RetainedCategory {
  readonly category: RetentionCategoryId;
  readonly reason: string;
}

export interface DsrResult {
  /** Access and portability: the object key of the export file. Never shown to clients. */
  readonly exportKey?: string;
  /** When the export file is deleted by the bucket lifecycle (ISO 8601). */
  readonly exportExpiresAt?: string;
  /** Erasure: what was kept and why. Empty for the other types. */
  readonly retained: readonly RetainedCategory[];
  /** Counts of what was done, such as `{ messagesDeleted: 3 }`: never personal data. */
  readonly counts?: Readonly<Record<string, number>>;
}

/** One DsrRequests item (`T#<tenant>` / `R#<requestId>`). Times are ISO 8601; `expiresAt` is epoch seconds. */
export interface DsrRecord {
  readonly tenantId: string;
  readonly requestId: string;
  readonly type: DsrType;
  readonly subjectId: string;
  readonly regime: Regime;
  readonly status: DsrStatus;
  readonly receivedAt: string;
  readonly dueAt: string;
  readonly extendedUntil?: string;
  readonly extensionReason?: string;
  readonly verification: { readonly method: VerificationMethod; readonly reference: string };
  /** Rectification only: the validated corrections. */
  readonly changes?: RectificationChanges;
  /** Set when the request is completed or rejected. */
  readonly completedAt?: string;
  /** Rejected requests only: why, as told to the data subject (GDPR Art. 12(4)). */
  readonly rejectionReason?: string;
  readonly result?: DsrResult;
  /**
   * Retention category `dsrRecord`: 5 years after `receivedAt` while the request is open (a bound: the deadline
   * job raises an alarm long before), then 5 years after `completedAt` once it is closed.
   */
  readonly expiresAt?: number;
}

/** 409: the request was already extended once; neither regime allows a second extension. */
export class DsrAlreadyExtendedError extends ProblemError {
  override readonly name: string = 'DsrAlreadyExtendedError';
  constructor(extendedUntil: string, options: ProblemOptions = {}) {
    super('conflict', {
      ...options,
      detail:
        options.detail ??
        `The request was already extended, until ${extendedUntil}; it can be extended only once.`,
      extensions: { extendedUntil, ...options.extensions },
    });
  }
}

/** 409: the request is completed or rejected, so it can no longer change. */
export class DsrClosedError extends ProblemError {
  override readonly name: string = 'DsrClosedError';
  constructor(status: DsrStatus, action: string, options: ProblemOptions = {}) {
    super('conflict', {
      ...options,
      detail: options.detail ?? `The request is ${status}; a closed request cannot be ${action}.`,
      extensions: { status, ...options.extensions },
    });
  }
}

/** 409: the original deadline has passed; the subject had to be told of an extension before it. */
export class DsrExtensionTooLateError extends ProblemError {
  override readonly name: string = 'DsrExtensionTooLateError';
  constructor(dueAt: string, options: ProblemOptions = {}) {
    super('conflict', {
      ...options,
      detail:
        options.detail ??
        `The deadline ${dueAt} has passed; an extension must be notified to the data subject before the original deadline.`,
      extensions: { dueAt, ...options.extensions },
    });
  }
}

function validDate(value: Date, field: string): Date {
  if (Number.isNaN(value.getTime())) throw new RangeError(`${field} must be a valid date`);
  return value;
}

/**
 * The original deadline of a request received at `receivedAt`.
 *
 * - GDPR Art. 12(3): "without undue delay and in any event within one month of receipt of the request".
 *   One calendar month, with the retention module's end-of-month rule: 2026-01-31 → 2026-02-28.
 * - CCPA, Cal. Civ. Code §1798.130(a)(2): "within 45 days of receiving the verifiable consumer request".
 */
export function dueAtFor(regime: Regime, receivedAt: Date): Date {
  validDate(receivedAt, 'receivedAt');
  switch (regime) {
    case 'GDPR':
      return addCalendarMonths(receivedAt, 1);
    case 'CCPA':
      return new Date(receivedAt.getTime() + 45 * MS_PER_DAY);
  }
}

/**
 * The deadline after the one extension a request may get.
 *
 * - GDPR Art. 12(3) lets the period "be extended by two further months where necessary", so the law allows
 *   3 months from receipt. optline promises less: at most 2 calendar months from receipt (DESIGN §4).
 * - CCPA, Cal. Civ. Code §1798.130(a)(2): "may be extended once by an additional 45 days when reasonably
 *   necessary, provided the consumer is provided notice of the extension within the first 45-day period":
 *   90 days from receipt in total.
 */
export function extendedUntilFor(regime: Regime, receivedAt: Date): Date {
  validDate(receivedAt, 'receivedAt');
  switch (regime) {
    case 'GDPR':
      return addCalendarMonths(receivedAt, 2);
    case 'CCPA':
      return new Date(receivedAt.getTime() + 90 * MS_PER_DAY);
  }
}

export function isOpen(record: Pick<DsrRecord, 'status'>): boolean {
  return OPEN_DSR_STATUSES.includes(record.status);
}

/** The deadline that applies now: the extended one once extended, else the original. */
export function effectiveDeadline(record: Pick<DsrRecord, 'dueAt' | 'extendedUntil'>): Date {
  return new Date(record.extendedUntil ?? record.dueAt);
}

export interface NewDsr {
  readonly tenantId: string;
  readonly requestId: string;
  readonly type: DsrType;
  readonly subjectId: string;
  readonly regime: Regime;
  readonly receivedAt: Date;
  readonly verification: DsrRecord['verification'];
  /** Required for rectification, refused otherwise. @default - none */
  readonly changes?: RectificationChanges;
}

/** Parses rectification changes again (they may come from storage); field errors are prefixed `changes.`. */
function validChanges(changes: unknown): RectificationChanges {
  const parsed = rectificationChanges.safeParse(changes);
  if (parsed.success) return parsed.data;
  throw new InvalidInputError(
    parsed.error.issues.map((issue) => ({
      field: ['changes', ...issue.path.map((key) => String(key))].join('.'),
      message: issue.message,
    })),
  );
}

/** A newly received request: status `received`, with the deadline of its regime. */
export function receiveDsr(input: NewDsr): DsrRecord {
  const receivedAt = validDate(input.receivedAt, 'receivedAt');
  let changes: RectificationChanges | undefined;
  if (input.type === 'rectification') {
    if (input.changes === undefined) {
      throw new InvalidInputError([{ field: 'changes', message: 'is required when type is rectification' }]);
    }
    changes = validChanges(input.changes);
  } else if (input.changes !== undefined) {
    throw new InvalidInputError([
      { field: 'changes', message: 'is allowed only when type is rectification' },
    ]);
  }
  return {
    tenantId: input.tenantId,
    requestId: input.requestId,
    type: input.type,
    subjectId: input.subjectId,
    regime: input.regime,
    status: 'received',
    receivedAt: receivedAt.toISOString(),
    dueAt: dueAtFor(input.regime, receivedAt).toISOString(),
    verification: { method: input.verification.method, reference: input.verification.reference },
    ...(changes ? { changes } : {}),
    // Every item carries an expiry (issue 7): 5 years from receipt bounds a request that would never close;
    // closing it replaces this with 5 years from completion, which is always later.
    expiresAt: expiresAt('dsrRecord', receivedAt),
  };
}

/**
 * Extends a request once, to the regime's maximum (`extendedUntilFor`), with the reason the data subject is
 * told. Refuses (409) a second extension, a closed request, and an extension after the original deadline
 * (both GDPR Art. 12(3) and §1798.130(a)(2) require notice within the first period); refuses (400) an empty
 * or over-long reason.
 */
export function extend(record: DsrRecord, reason: string, now: Date): DsrRecord {
  const trimmed = reason.trim();
  if (trimmed.length === 0) {
    throw new InvalidInputError([{ field: 'reason', message: 'must not be empty' }]);
  }
  if (trimmed.length > MAX_EXTENSION_REASON_LENGTH) {
    throw new InvalidInputError([
      { field: 'reason', message: `must be at most ${MAX_EXTENSION_REASON_LENGTH} characters` },
    ]);
  }
  if (!isOpen(record)) throw new DsrClosedError(record.status, 'extended');
  if (record.extendedUntil !== undefined) throw new DsrAlreadyExtendedError(record.extendedUntil);
  if (validDate(now, 'now').getTime() > new Date(record.dueAt).getTime()) {
    throw new DsrExtensionTooLateError(record.dueAt);
  }
  return {
    ...record,
    extendedUntil: extendedUntilFor(record.regime, new Date(record.receivedAt)).toISOString(),
    extensionReason: trimmed,
  };
}

export type DeadlineState = 'on_time' | 'due_soon' | 'overdue';

/**
 * Where an open request stands against its effective deadline (`extendedUntil ?? dueAt`), for the daily
 * `DsrDueSoon` / `DsrOverdue` metrics:
 * - `overdue` once `now` is past the deadline (the deadline instant itself still counts as in time);
 * - `due_soon` when the deadline is `DUE_SOON_DAYS` (5) days away or less;
 * - `on_time` otherwise.
 * A closed request is never due soon or overdue: it is `on_time`, since the job counts open requests only.
 */
export function deadlineState(
  record: Pick<DsrRecord, 'status' | 'dueAt' | 'extendedUntil'>,
  now: Date,
): DeadlineState {
  if (!isOpen(record)) return 'on_time';
  const remainingMs = effectiveDeadline(record).getTime() - now.getTime();
  if (remainingMs < 0) return 'overdue';
  if (remainingMs <= DUE_SOON_DAYS * MS_PER_DAY) return 'due_soon';
  return 'on_time';
}

/** A received request is being worked on. Idempotent for a request already in progress. */
export function startDsr(record: DsrRecord): DsrRecord {
  if (!isOpen(record)) throw new DsrClosedError(record.status, 'started');
  return { ...record, status: 'in_progress' };
}

function close(record: DsrRecord, now: Date, action: string): Pick<DsrRecord, 'completedAt' | 'expiresAt'> {
  if (!isOpen(record)) throw new DsrClosedError(record.status, action);
  validDate(now, 'now');
  return { completedAt: now.toISOString(), expiresAt: expiresAt('dsrRecord', now) };
}

/** Completes a request with its result; from now on the record is kept 5 years (MessageBird 7.4). */
export function completeDsr(record: DsrRecord, result: DsrResult, now: Date): DsrRecord {
  return { ...record, ...close(record, now, 'completed'), status: 'completed', result };
}

/**
 * Rejects a request, for example when the identity could not be verified or the request is manifestly
 * unfounded (GDPR Art. 12(4)-(5)). A rejection closes the request like a completion: the record is kept
 * 5 years from then as proof of how it was handled.
 */
export function rejectDsr(record: DsrRecord, reason: string, now: Date): DsrRecord {
  const trimmed = reason.trim();
  if (trimmed.length === 0) throw new InvalidInputError([{ field: 'reason', message: 'must not be empty' }]);
  return { ...record, ...close(record, now, 'rejected'), status: 'rejected', rejectionReason: trimmed };
}

/**
 * What an erasure keeps (DESIGN §2): these two categories, each reported in the DSR result, and under legal hold
 * `LEGAL_HOLD_RETAINED` too. Everything else of the subject is deleted (see the worker's `erase`).
 */
export const ERASURE_RETAINED: readonly RetainedCategory[] = [
  {
    category: 'consentProof',
    reason:
      'The consent ledger is kept to prove consent and its withdrawal, a legal obligation: GDPR Art. 7(1) ' +
      '(the controller "shall be able to demonstrate" consent) and Art. 17(3)(b) (erasure does not apply where ' +
      'processing is necessary for compliance with a legal obligation). It holds no phone number and is ' +
      'deleted 5 years after each event (MessageBird 7.4).',
  },
  {
    category: 'optOutSuppression',
    reason:
      'The pseudonymous suppression entry is kept so that the opt-out keeps being honoured: the number must ' +
      'never be messaged again (CTIA Messaging Principles; TCPA, 47 CFR 64.1200; GDPR Art. 17(3)(b) and ' +
      'Art. 21(3)). It holds only the pseudonymous subject id, the scope and the date, no phone number.',
  },
];

/**
 * What an erasure keeps, beyond `ERASURE_RETAINED`, while the subscriber is under legal hold (DESIGN §2; MASS:
 * "except where retention is necessary to enforce our legal rights"). The profile and the message traffic are
 * the evidence the hold protects; the marketing item and earlier export files are deleted all the same.
 */
export const LEGAL_HOLD_RETAINED: readonly RetainedCategory[] = [
  {
    category: 'subscriberProfile',
    reason:
      'The subscriber is under legal hold: the profile is kept while it is needed for the establishment, ' +
      'exercise or defence of legal claims (GDPR Art. 17(3)(e); MASS: "except where retention is necessary to ' +
      'enforce our legal rights"). It is deleted when the hold is lifted and its retention period ends.',
  },
  {
    category: 'messageTraffic',
    reason:
      'The subscriber is under legal hold: the message log is kept as evidence while the hold stands (GDPR ' +
      'Art. 17(3)(e)), and is deleted 6 months after each message at the latest (MessageBird 7.1).',
  },
];

/**
 * An objection is carried out as a marketing opt-out: a Suppressions entry and a ConsentLedger `opt_out`, in
 * one transaction, exactly as a STOP. GDPR Art. 21(2)-(3): after an objection to direct marketing the data
 * "shall no longer be processed for such purposes"; optline sends nothing but marketing and transactional
 * messages on consent, so the opt-out covers every scope (`all`) and is kept while it stands.
 */
export const OBJECTION_OPT_OUT = { scope: 'all', source: 'api' } as const;

/** The body of `POST /v1/dsr` 202. */
export function toDsrAccepted(record: DsrRecord): { requestId: string; status: DsrStatus; dueAt: string } {
  return { requestId: record.requestId, status: record.status, dueAt: record.dueAt };
}

/**
 * The body of `GET /v1/dsr/{id}`. `download` is a presigned URL the handler issued for this GET (access and
 * portability, until the export file expires); the export key itself is never shown.
 */
export function toDsrStatusView(
  record: DsrRecord,
  download?: { readonly url: string; readonly expiresAt: Date },
): DsrStatusView {
  return {
    status: record.status,
    dueAt: record.dueAt,
    ...(record.extendedUntil !== undefined ? { extendedUntil: record.extendedUntil } : {}),
    ...(record.completedAt !== undefined ? { completedAt: record.completedAt } : {}),
    ...(record.result
      ? {
          result: {
            ...(download ? { downloadUrl: download.url, expiresAt: download.expiresAt.toISOString() } : {}),
            retained: record.result.retained.map(({ category, reason }) => ({ category, reason })),
          },
        }
      : {}),
  };
}
