/**
 * TCPA quiet hours (DESIGN §4 Send): marketing may reach a recipient only between 08:00 (inclusive) and
 * 21:00 (exclusive) on the recipient's local wall clock. Other categories are never held back.
 *
 * Which time zones count:
 * - **Profile.** The subscriber profile's `timeZone`, when it names a zone this runtime knows.
 *   An unknown name is ignored (never trusted, never fatal) and the country rule applies.
 * - **Country.** Otherwise every current zone of the number's country (`countryOf` + countries-and-timezones),
 *   without deprecated names and aliases. A message may go only when **every** one of them is inside its
 *   window, so the usable window is the intersection of the zones' local 08:00–21:00 windows, each zone with
 *   its own DST rules. For a +1 number in the US that is all of the mainland, Alaska and Hawaii together.
 * - **Unknown country.** Non-geographic numbers (+800, +881, +882 …) and regions without zone data fall back
 *   to UTC. Set the profile `timeZone` for such subscribers if UTC is wrong for them.
 * - **No common window.** If the zones never share a minute inside their windows, the widest subset that does
 *   is used: the most zones whose UTC offsets at `now` fit within 11 hours (ties: the narrowest spread, then
 *   the most westerly start). The dropped zones may then receive marketing in their quiet hours, so this is a
 *   last resort: with today's data no region libphonenumber knows needs it (a unit test checks every one), and
 *   Russia, the widest (UTC+2 to UTC+12), keeps a common window of 3 hours. The result's `zones` always
 *   names the zones actually used.
 *
 * Wall-clock times come from `Intl.DateTimeFormat` (the runtime's tz database); no offset is hand-coded.
 * Everything here is pure: no AWS SDK, no clock of its own.
 */
import { getTimezonesForCountry } from 'countries-and-timezones';
import { ProblemError, type ProblemOptions } from '../shared/problem';
import { countryOf } from './phone';
import type { MessageCategory } from './sms';

/** Start of the sending window, in minutes after local midnight (08:00, inclusive). */
export const QUIET_HOURS_WINDOW_START = 8 * 60;
/** End of the sending window, in minutes after local midnight (21:00, exclusive). */
export const QUIET_HOURS_WINDOW_END = 21 * 60;

/** The zone used when none can be derived from the profile or the number. */
export const FALLBACK_TIME_ZONE = 'Etc/UTC';

/** Only these categories are subject to quiet hours. */
export const QUIET_HOURS_CATEGORIES: readonly MessageCategory[] = ['marketing'];

export interface QuietHoursInput {
  readonly now: Date;
  readonly category: MessageCategory;
  /** IANA zone from the subscriber profile. @default - the zones of the number's country */
  readonly timeZone?: string;
  /** The recipient, E.164. Used only to find its country; never echoed. */
  readonly e164: string;
}

export interface QuietHoursAllowed {
  readonly allowed: true;
  /** The zones that were checked; empty when the category is not subject to quiet hours. */
  readonly zones: string[];
}

export interface QuietHoursRefusal {
  readonly allowed: false;
  /** The earliest instant at or after `now` at which every zone in `zones` is inside its window. */
  readonly retryAt: Date;
  /** The zones that were checked. */
  readonly zones: string[];
}

export type QuietHoursResult = QuietHoursAllowed | QuietHoursRefusal;

/** Where the zones of a recipient came from. */
export type TimeZoneSource = 'profile' | 'country' | 'fallback';

export interface RecipientTimeZones {
  readonly zones: string[];
  readonly source: TimeZoneSource;
}

const MINUTE_MS = 60_000;
const DAY_MINUTES = 24 * 60;
// Every set of zones with a common window shares one within a day or two; anything longer means none.
const SEARCH_HORIZON_MS = 8 * DAY_MINUTES * MINUTE_MS;
const MAX_SEARCH_STEPS = 10_000;
// An 11-hour spread leaves a 2-hour common window, which one DST shift (at most an hour) cannot close.
const MAX_SUBSET_SPREAD_MINUTES = 11 * 60;

// Regions libphonenumber knows that countries-and-timezones has no entry for.
const EXTRA_COUNTRY_ZONES: Readonly<Record<string, readonly string[]>> = {
  AC: ['Atlantic/St_Helena'], // Ascension Island, UTC all year
  TA: ['Atlantic/St_Helena'], // Tristan da Cunha, UTC all year
  XK: ['Europe/Belgrade'], // Kosovo
};

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** True when `zone` is an IANA zone name this runtime can format. */
export function isKnownTimeZone(zone: unknown): zone is string {
  if (typeof zone !== 'string' || zone.length === 0 || zone.length > 64) return false;
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

function wallClock(zone: string, instantMs: number): WallClock {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(instantMs)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? NaN,
    month: parts.month ?? NaN,
    day: parts.day ?? NaN,
    hour: parts.hour ?? NaN,
    minute: parts.minute ?? NaN,
    second: parts.second ?? NaN,
  };
}

/** The zone's UTC offset at an instant, in milliseconds (wall clock minus UTC). */
function offsetMs(zone: string, instantMs: number): number {
  const wall = wallClock(zone, instantMs);
  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return wallAsUtc - Math.floor(instantMs / 1000) * 1000;
}

function minuteOfDay(zone: string, instantMs: number): number {
  const wall = wallClock(zone, instantMs);
  return wall.hour * 60 + wall.minute;
}

/** True when the zone's wall clock at the instant is within [08:00, 21:00). */
export function isWithinWindow(zone: string, instant: Date | number): boolean {
  const minute = minuteOfDay(zone, typeof instant === 'number' ? instant : instant.getTime());
  return minute >= QUIET_HOURS_WINDOW_START && minute < QUIET_HOURS_WINDOW_END;
}

/** The earliest instant >= `fromMs` at which `zone` is inside its window. */
function nextWindowStart(zone: string, fromMs: number): number {
  if (isWithinWindow(zone, fromMs)) return fromMs;
  const wall = wallClock(zone, fromMs);
  const minute = wall.hour * 60 + wall.minute;
  // Outside the window: the next local 08:00 is today (before 08:00) or tomorrow (from 21:00).
  const targetWall = Date.UTC(
    wall.year,
    wall.month - 1,
    wall.day + (minute < QUIET_HOURS_WINDOW_START ? 0 : 1),
    0,
    QUIET_HOURS_WINDOW_START,
  );
  // Wall time → instant: subtract the offset in force at the result, which a DST change may alter.
  let candidate = targetWall - offsetMs(zone, fromMs);
  for (let pass = 0; pass < 3; pass += 1) {
    const next = targetWall - offsetMs(zone, candidate);
    if (next === candidate) break;
    candidate = next;
  }
  const isFirstInside =
    candidate > fromMs &&
    isWithinWindow(zone, candidate) &&
    (candidate - MINUTE_MS <= fromMs || !isWithinWindow(zone, candidate - MINUTE_MS));
  return isFirstInside ? candidate : scanForWindowStart(zone, fromMs);
}

// Only reached if 08:00 falls in a DST gap of some zone: walk minute by minute (window edges are whole minutes).
function scanForWindowStart(zone: string, fromMs: number): number {
  let instant = Math.ceil(fromMs / MINUTE_MS) * MINUTE_MS;
  const limit = fromMs + 2 * DAY_MINUTES * MINUTE_MS;
  while (instant <= limit && !isWithinWindow(zone, instant)) instant += MINUTE_MS;
  return instant;
}

/**
 * The earliest instant >= `now` at which every zone is inside its window, or `undefined` when the zones have
 * no common window. Each step jumps to the latest of the zones' next window starts; no earlier instant can be
 * allowed, because the zone that set the jump is outside its window until then.
 */
export function nextCommonWindowStart(now: Date, zones: readonly string[]): Date | undefined {
  const start = now.getTime();
  let instant = start;
  for (let step = 0; step < MAX_SEARCH_STEPS && instant - start <= SEARCH_HORIZON_MS; step += 1) {
    let latest = instant;
    for (const zone of zones) latest = Math.max(latest, nextWindowStart(zone, instant));
    if (latest === instant) return new Date(instant);
    instant = latest;
  }
  return undefined;
}

/**
 * The widest subset of `zones` that has a common window: the most zones whose offsets at `now` fit within
 * 11 hours on the 24-hour circle. Ties go to the narrowest spread, then to the most westerly start.
 */
export function widestCommonSubset(now: Date, zones: readonly string[]): string[] {
  const byOffset = zones
    .map((zone) => ({ zone, offset: Math.round(offsetMs(zone, now.getTime()) / MINUTE_MS) }))
    .sort((a, b) => a.offset - b.offset || a.zone.localeCompare(b.zone));
  let best: { members: string[]; spread: number } | undefined;
  for (const first of byOffset) {
    const members: string[] = [];
    let spread = 0;
    for (const other of byOffset) {
      const distance = (other.offset - first.offset + 2 * DAY_MINUTES) % DAY_MINUTES;
      if (distance <= MAX_SUBSET_SPREAD_MINUTES) {
        members.push(other.zone);
        spread = Math.max(spread, distance);
      }
    }
    if (
      !best ||
      members.length > best.members.length ||
      (members.length === best.members.length && spread < best.spread)
    ) {
      best = { members, spread };
    }
  }
  return best?.members ?? [];
}

/**
 * The current zones of a region (ISO 3166-1 alpha-2), without deprecated names or aliases, each usable by
 * this runtime; sorted. Empty for a region without zone data.
 */
export function zonesForCountry(country: string): string[] {
  const extra = EXTRA_COUNTRY_ZONES[country];
  const zones = extra
    ? [...extra]
    : (getTimezonesForCountry(country) ?? [])
        .filter((tz) => !tz.deprecated && !tz.aliasOf)
        .map((tz) => tz.name);
  return [...new Set(zones)].filter(isKnownTimeZone).sort();
}

/** The zones quiet hours are checked against, and where they came from (see the module comment). */
export function recipientTimeZones(input: {
  readonly timeZone?: string;
  readonly e164: string;
}): RecipientTimeZones {
  if (isKnownTimeZone(input.timeZone)) return { zones: [input.timeZone], source: 'profile' };
  const country = countryOf(input.e164);
  const zones = country === undefined ? [] : zonesForCountry(country);
  return zones.length > 0
    ? { zones, source: 'country' }
    : { zones: [FALLBACK_TIME_ZONE], source: 'fallback' };
}

/**
 * Checks `now` against the common window of `zones`, narrowing to `widestCommonSubset` when the zones have
 * no common window at all.
 */
export function quietHoursCheckForZones(now: Date, zones: readonly string[]): QuietHoursResult {
  if (Number.isNaN(now.getTime())) throw new RangeError('quiet hours: now is not a valid date');
  if (zones.length === 0) throw new RangeError('quiet hours: at least one time zone is required');
  let considered = [...zones];
  let retryAt = nextCommonWindowStart(now, considered);
  if (retryAt === undefined) {
    considered = widestCommonSubset(now, considered);
    retryAt = nextCommonWindowStart(now, considered);
  }
  if (retryAt === undefined) {
    // Unreachable for an 11-hour spread; kept so the result is always defined.
    considered = considered.slice(0, 1);
    retryAt = nextCommonWindowStart(now, considered) ?? now;
  }
  return retryAt.getTime() === now.getTime()
    ? { allowed: true, zones: considered }
    : { allowed: false, retryAt, zones: considered };
}

/**
 * Whether a message may be sent to the recipient now. Only marketing is subject to quiet hours; any other
 * category is always allowed. See the module comment for how the zones are chosen.
 */
export function quietHoursCheck(input: QuietHoursInput): QuietHoursResult {
  if (!QUIET_HOURS_CATEGORIES.includes(input.category)) return { allowed: true, zones: [] };
  return quietHoursCheckForZones(input.now, recipientTimeZones(input).zones);
}

const MAX_ZONES_IN_DETAIL = 4;

function describeZones(zones: readonly string[]): string {
  if (zones.length === 1) return `in ${zones[0]}`;
  const shown = zones.slice(0, MAX_ZONES_IN_DETAIL).join(', ');
  const more =
    zones.length > MAX_ZONES_IN_DETAIL
      ? ` and ${zones.length - MAX_ZONES_IN_DETAIL} more, listed in timeZones`
      : '';
  return `in every time zone of the recipient's country at once (${shown}${more})`;
}

/**
 * The 422 `quiet-hours` problem for a refusal. Its detail says when sending is allowed and when to retry, and
 * the body carries `retryAt` (ISO 8601) and `timeZones`. Never mentions the phone number.
 */
export class QuietHoursError extends ProblemError {
  override readonly name: string = 'QuietHoursError';
  readonly retryAt: Date;
  readonly zones: readonly string[];

  /** `options.now`, when given, also sets a `Retry-After` header in seconds. */
  constructor(
    refusal: Pick<QuietHoursRefusal, 'retryAt' | 'zones'>,
    options: Pick<ProblemOptions, 'cause'> & { now?: Date } = {},
  ) {
    const retryAt = refusal.retryAt.toISOString();
    const headers: Record<string, string> =
      options.now === undefined
        ? {}
        : {
            'retry-after': String(
              Math.max(0, Math.ceil((refusal.retryAt.getTime() - options.now.getTime()) / 1000)),
            ),
          };
    super('quiet-hours', {
      detail: `Marketing messages to this recipient may be sent between 08:00 and 21:00 ${describeZones(refusal.zones)}; retry at ${retryAt}.`,
      extensions: { retryAt, timeZones: [...refusal.zones] },
      headers,
      cause: options.cause,
    });
    this.retryAt = refusal.retryAt;
    this.zones = [...refusal.zones];
  }
}

/** Throws `QuietHoursError` when `quietHoursCheck` refuses; returns the zones checked otherwise. */
export function enforceQuietHours(input: QuietHoursInput): string[] {
  const result = quietHoursCheck(input);
  if (!result.allowed) throw new QuietHoursError(result, { now: input.now });
  return result.zones;
}
