/**
 * Send rate per origination identity (DESIGN §10 "Rate"): every sender in the cell, 1:1 sends and campaign
 * dispatch alike, takes a slot on one shared schedule per identity before it starts a send. Pure module (no AWS
 * SDK); the shared schedule lives behind {@link SlotStore} (DynamoDB deployed, memory in the bench and tests).
 *
 * **Slots.** Time is counted in whole microseconds and cut into slots of `spacingUs` ≥ (1 s + lateness) / MPS.
 * A message of k parts (segments) is placed in the middle of 2k − 1 slots: it starts k − 1 slots after the
 * schedule's free point, and the next message may start no earlier than k slots after it. So two consecutive
 * starts a, b are at least (k_a + k_b − 1) slots apart, and for any run of consecutive starts a..b,
 * s_b − s_a ≥ (Σk − 1) × spacing. If Σk > MPS, then Σk − 1 ≥ MPS' (the largest whole number below Σk) and the run
 * spans at least one second plus the lateness allowance: **no window of one second (sliding, not only calendar
 * seconds) holds more than ⌈MPS⌉ parts**, or, for a single message longer than MPS, more than that one message.
 * The provider counts message parts, which arrive together when a message starts; the padding is what lets the
 * bound hold for parts counted at their start, at the cost of rate for multi-part traffic (k/(2k − 1) of MPS for
 * k-part messages only; single-part traffic runs at the full rate).
 *
 * **Idle identities** restart from now: a free point in the past is moved up to the present, never used to send
 * the backlog in a burst.
 *
 * **Late starts.** A start may lag its slot by at most `latenessUs` (a sleep wakes late, a clock differs). The
 * spacing includes that allowance, so starts that each lag their slot by at most `latenessUs` still keep the bound.
 * A caller that wakes later than that must not send: it gives the slot up and asks for a new one.
 *
 * **Deadlines.** A caller says how late a start it can wait for (its Lambda time budget, its SQS visibility). If
 * the schedule's next slot is later, nothing is taken and the caller re-queues the send for then.
 */

/** The schedule of a channel without a provisioned origination identity: the cell-wide `smsMps`. */
export const CELL_WIDE_IDENTITY = 'cell';

/**
 * MPS of each schedule of a cell, by identity name (its name in the cell config); it always has
 * {@link CELL_WIDE_IDENTITY}, the schedule of every channel that names no provisioned identity.
 */
export type SendRates = Readonly<Record<string, number>>;

/** The schedule a send through `identity` takes slots on: its own, or the cell-wide one for an unknown name. */
export const scheduleOf = (rates: SendRates, identity: string | undefined): string =>
  identity !== undefined && Object.hasOwn(rates, identity) ? identity : CELL_WIDE_IDENTITY;

/** Microseconds per second. */
const SECOND_US = 1_000_000;

/** Default lateness allowance: 20 ms, which costs 2 % of the rate. */
export const DEFAULT_LATENESS_US = 20_000;

/** What a reserver asks for: the parts of each message, in the order they are to start. */
export interface SlotRequest {
  /** Message parts (segments) of each message, each a whole number ≥ 1. */
  readonly parts: readonly number[];
  /** The caller's clock, µs since the epoch. */
  readonly nowUs: number;
  /** The latest first start the caller can wait for, µs since the epoch. */
  readonly latestStartUs: number;
}

/** Slots taken on an identity's schedule. */
export interface Reservation {
  readonly kind: 'reserved';
  /** When each message may start, µs since the epoch, in request order. */
  readonly startsUs: readonly number[];
  /** The schedule's free point before this reservation (restoring it gives the slots back). */
  readonly fromUs: number;
  /** The schedule's free point after it. */
  readonly toUs: number;
}

/** The schedule is full until `firstStartUs`, later than the caller can wait: nothing was taken. */
export interface Busy {
  readonly kind: 'busy';
  /** The earliest start the schedule could have given; re-queue the send for about then. */
  readonly firstStartUs: number;
}

export type SlotOutcome = Reservation | Busy;

/** One identity's shared schedule. Implementations make `reserve` atomic across every sender of the cell. */
export interface SlotStore {
  reserve(identity: string, request: SlotRequest): Promise<SlotOutcome>;
  /** Gives the slots back if nothing was reserved after them; true if it did. Unused slots are only lost rate. */
  release(identity: string, reservation: Reservation): Promise<boolean>;
}

export class SendRateError extends Error {
  override readonly name = 'SendRateError';
}

/**
 * Slot length for an identity: (1 s + lateness) / MPS, rounded up to a whole microsecond so the bound survives
 * rounding.
 */
export function slotSpacingUs(mps: number, latenessUs = DEFAULT_LATENESS_US): number {
  if (!Number.isFinite(mps) || mps <= 0) throw new RangeError('slotSpacingUs: mps must be a number > 0');
  if (!Number.isInteger(latenessUs) || latenessUs < 0) {
    throw new RangeError('slotSpacingUs: latenessUs must be a whole number >= 0');
  }
  return Math.ceil((SECOND_US + latenessUs) / mps);
}

function checkParts(parts: readonly number[]): void {
  if (parts.length === 0) throw new RangeError('a reservation needs at least one message');
  for (const k of parts) {
    if (!Number.isInteger(k) || k < 1) throw new RangeError('message parts must be whole numbers >= 1');
  }
}

/** How far the free point moves for these messages: Σ(2k − 1) slots. */
export function advanceUs(parts: readonly number[], spacingUs: number): number {
  checkParts(parts);
  return parts.reduce((sum, k) => sum + (2 * k - 1) * spacingUs, 0);
}

/** The starts of messages placed from free point `fromUs`, each in the middle of its 2k − 1 slots. */
export function startsFrom(fromUs: number, parts: readonly number[], spacingUs: number): number[] {
  checkParts(parts);
  const starts: number[] = [];
  let free = fromUs;
  for (const k of parts) {
    const start = free + (k - 1) * spacingUs;
    starts.push(start);
    free = start + k * spacingUs;
  }
  return starts;
}

/**
 * The free point below which a schedule counts as idle for this request: placing the first message from there
 * would start it in the past. Such a schedule restarts from now.
 */
export const idleBelowUs = (request: SlotRequest, spacingUs: number): number =>
  request.nowUs - (request.parts[0]! - 1) * spacingUs;

/** The latest free point from which the first message still starts by the caller's deadline. */
export const latestFromUs = (request: SlotRequest, spacingUs: number): number =>
  request.latestStartUs - (request.parts[0]! - 1) * spacingUs;

/**
 * The whole decision, for a schedule whose free point is `freeUs` (undefined: never used): restart an idle one
 * from now, refuse when the first start would be past the deadline, otherwise take the slots.
 */
export function reserveOn(freeUs: number | undefined, request: SlotRequest, spacingUs: number): SlotOutcome {
  checkParts(request.parts);
  const idleBelow = idleBelowUs(request, spacingUs);
  const fromUs = freeUs === undefined || freeUs < idleBelow ? idleBelow : freeUs;
  const startsUs = startsFrom(fromUs, request.parts, spacingUs);
  if (startsUs[0]! > request.latestStartUs) return { kind: 'busy', firstStartUs: startsUs[0]! };
  return { kind: 'reserved', startsUs, fromUs, toUs: fromUs + advanceUs(request.parts, spacingUs) };
}

/** What a caller holding a slot does at `nowUs`. */
export type StartDecision =
  | { readonly kind: 'wait'; readonly forUs: number }
  | { readonly kind: 'start' }
  /** Woke too late: starting now could bunch with the next slot. Take a new slot instead. */
  | { readonly kind: 'missed' };

export function startDecision(
  slotUs: number,
  nowUs: number,
  latenessUs = DEFAULT_LATENESS_US,
): StartDecision {
  if (nowUs < slotUs) return { kind: 'wait', forUs: slotUs - nowUs };
  return nowUs - slotUs <= latenessUs ? { kind: 'start' } : { kind: 'missed' };
}

/** A schedule in memory: the same decision, for one process (the bench, tests, local mode). */
export class InMemorySlotStore implements SlotStore {
  private readonly free = new Map<string, number>();

  constructor(private readonly spacingOf: (identity: string) => number) {}

  reserve(identity: string, request: SlotRequest): Promise<SlotOutcome> {
    const outcome = reserveOn(this.free.get(identity), request, this.spacingOf(identity));
    if (outcome.kind === 'reserved') this.free.set(identity, outcome.toUs);
    return Promise.resolve(outcome);
  }

  release(identity: string, reservation: Reservation): Promise<boolean> {
    if (this.free.get(identity) !== reservation.toUs) return Promise.resolve(false);
    this.free.set(identity, reservation.fromUs);
    return Promise.resolve(true);
  }
}
