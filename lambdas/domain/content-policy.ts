/**
 * The content policy of the send flow (DESIGN §4 Send), after MassTransit's acceptable-use policy: no empty
 * body, at most `maxSegments` SMS segments, and nothing on the tenant's deny list (URL shorteners by default).
 *
 * Segment counting follows GSM 03.38 / 3GPP TS 23.040:
 * - **GSM-7** when every character is in the GSM 03.38 basic set or its extension table. A basic character
 *   takes one septet, an extension character (`€ [ ] { } ^ ~ \ |` and form feed) two (escape + character).
 *   One segment holds 160 septets; a multipart message holds 153 per segment (the rest is the UDH).
 * - **UCS-2** otherwise, counted in UTF-16 code units, so a character outside the BMP (most emoji) takes two.
 *   One segment holds 70 units; a multipart message holds 67 per segment.
 * - **No splitting.** In a multipart message an escape pair or a surrogate pair never straddles two segments:
 *   it moves whole to the next one, as SMSCs and AWS End User Messaging do. This can only add a segment
 *   compared with naive division, so the limit is never under-counted.
 *
 * Pure: no AWS SDK. Messages quote the tenant's deny-list terms and a few offending characters, never the body.
 */
import { ProblemError } from '../shared/problem';

/** The segment limit when the tenant sets none. */
export const DEFAULT_MAX_SEGMENTS = 10;

/** Common URL shorteners: they hide the destination, and carriers filter messages that use them. */
export const DEFAULT_DENY_LIST: readonly string[] = [
  'bit.ly',
  'bitly.com',
  'tinyurl.com',
  'goo.gl',
  't.co',
  'ow.ly',
  'is.gd',
  'v.gd',
  'buff.ly',
  'rebrand.ly',
  'cutt.ly',
  'shorturl.at',
  'tiny.cc',
  'rb.gy',
  't.ly',
  'bl.ink',
  'lnkd.in',
  'adf.ly',
  'shorte.st',
];

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  readonly encoding: SmsEncoding;
  /** Length in the encoding's units: septets for GSM-7 (extension characters count 2), UTF-16 code units for UCS-2. */
  readonly characters: number;
  /** SMS segments needed; 0 for an empty body. */
  readonly segments: number;
}

export interface ContentPolicy {
  /** Most segments a message may use. @default DEFAULT_MAX_SEGMENTS (10) */
  readonly maxSegments?: number;
  /**
   * Terms the body must not contain, matched case-insensitively as whole hosts or words: a term with a dot is a
   * host (`bit.ly` matches `bit.ly/x`, `https://BIT.LY/x` and `go.bit.ly`, but not `orbit.lyrics` or
   * `rabbit.ly`); any other term is a word (`casino` does not match `casinos`). A leading scheme and trailing
   * slashes are ignored. Replaces the default list; spread `DEFAULT_DENY_LIST` to extend it.
   * @default DEFAULT_DENY_LIST
   */
  readonly denyPatterns?: readonly string[];
}

/** Stable codes for each kind of rejection. */
export type ContentProblem = 'empty' | 'too-many-segments' | 'denied-term';

export interface ContentViolation {
  readonly reason: ContentProblem;
  /** What to fix, in words safe to return to the client. */
  readonly message: string;
  /** The deny-list term that matched, for `denied-term`. @default - none */
  readonly term?: string;
}

/** The 422 `content-rejected` problem: one `errors[]` entry on `body` per violation, all joined in the detail. */
export class ContentRejectedError extends ProblemError {
  override readonly name: string = 'ContentRejectedError';
  readonly violations: readonly ContentViolation[];

  constructor(violations: readonly ContentViolation[]) {
    super('content-rejected', {
      detail: violations.map((violation) => violation.message).join(' '),
      errors: violations.map((violation) => ({ field: 'body', message: violation.message })),
    });
    this.violations = violations;
  }

  get reasons(): ContentProblem[] {
    return this.violations.map((violation) => violation.reason);
  }
}

// GSM 03.38 default alphabet, in table order; 0x1B (escape) is left out because it is not a character.
const GSM_BASIC = new Set(
  Array.from(
    '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
      '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
  ),
);
// The extension table: each is sent as escape + character.
const GSM_EXTENSION = new Set(Array.from('\f^{}\\[~]|€'));

const GSM_SINGLE = 160;
const GSM_PART = 153;
const UCS2_SINGLE = 70;
const UCS2_PART = 67;

/** True when the character (one code point) can be sent in GSM-7. */
export function isGsmCharacter(character: string): boolean {
  return GSM_BASIC.has(character) || GSM_EXTENSION.has(character);
}

/** Encoding, length and segment count of an SMS body (see the module comment for the rules). */
export function countSegments(body: string): SegmentCount {
  const characters = Array.from(body);
  const gsm = characters.every(isGsmCharacter);
  const costs = characters.map((character) =>
    gsm ? (GSM_EXTENSION.has(character) ? 2 : 1) : character.length,
  );
  const total = costs.reduce((sum, cost) => sum + cost, 0);
  const encoding: SmsEncoding = gsm ? 'GSM-7' : 'UCS-2';
  const [single, part] = gsm ? [GSM_SINGLE, GSM_PART] : [UCS2_SINGLE, UCS2_PART];
  if (total === 0) return { encoding, characters: 0, segments: 0 };
  if (total <= single) return { encoding, characters: total, segments: 1 };
  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > part) {
      segments += 1;
      used = cost;
    } else {
      used += cost;
    }
  }
  return { encoding, characters: total, segments };
}

// Whitespace plus the invisible characters that String.prototype.trim keeps (zero-width space, joiners, word joiner).
const BLANK = /^[\s\u200B-\u200D\u2060\uFEFF]*$/u;

const MAX_LISTED_CHARACTERS = 5;

function describeCharacter(character: string): string {
  const codePoint = `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  // Invisible characters are named by code point only.
  return /^[\p{C}\p{Z}]$/u.test(character) ? codePoint : `${character} (${codePoint})`;
}

function userCharacters(body: string): string[] {
  return Array.from(
    new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(body),
    (s) => s.segment,
  );
}

/** How many characters (grapheme clusters) must be cut from the end for the body to fit `maxSegments`. */
function excessCharacters(body: string, maxSegments: number): number {
  const graphemes = userCharacters(body);
  const fits = (keep: number): boolean =>
    countSegments(graphemes.slice(0, keep).join('')).segments <= maxSegments;
  // Segments never decrease as characters are appended, so the longest prefix that fits is found by bisection.
  let low = 0;
  let high = graphemes.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  return graphemes.length - low;
}

function segmentViolation(body: string, count: SegmentCount, maxSegments: number): ContentViolation {
  const cut = excessCharacters(body, maxSegments);
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  let message = `The body needs ${plural(count.segments, 'segment')} in ${count.encoding}; the limit is ${maxSegments}. Shorten it by at least ${plural(cut, 'character')}`;
  if (count.encoding === 'UCS-2') {
    const offending = [...new Set(Array.from(body).filter((character) => !isGsmCharacter(character)))];
    const listed = offending.slice(0, MAX_LISTED_CHARACTERS).map(describeCharacter).join(', ');
    const more =
      offending.length > MAX_LISTED_CHARACTERS ? ` and ${offending.length - MAX_LISTED_CHARACTERS} more` : '';
    // Replacing each of them with one GSM-7 character is the least a rewrite keeps; if that fits, say so.
    const replaced = countSegments(
      Array.from(body, (character) => (isGsmCharacter(character) ? character : '?')).join(''),
    );
    message +=
      replaced.segments <= maxSegments
        ? ` or replace the characters that force UCS-2 with GSM-7 ones: ${listed}${more}.`
        : `; the characters ${listed}${more} force UCS-2, which fits ${UCS2_PART} characters per segment instead of ${GSM_PART}.`;
  } else {
    message += '.';
  }
  return { reason: 'too-many-segments', message };
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//;

function normalizeTerm(raw: string): string {
  return raw.trim().toLowerCase().replace(SCHEME, '').replace(/\/+$/, '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

const termPatterns = new Map<string, RegExp>();

// A host may follow a dot (a subdomain) but not a letter, digit, '_' or '-'; it may be followed by a dot only
// at the end of a sentence, not by another label. A word needs a non-word character (or nothing) on each side.
function patternFor(term: string): RegExp {
  let pattern = termPatterns.get(term);
  if (!pattern) {
    const escaped = escapeRegExp(term);
    pattern = term.includes('.')
      ? new RegExp(`(?<![\\p{L}\\p{N}\\p{M}_-])${escaped}(?![\\p{L}\\p{N}\\p{M}_-]|\\.[\\p{L}\\p{N}])`, 'iu')
      : new RegExp(`(?<![\\p{L}\\p{N}\\p{M}_])${escaped}(?![\\p{L}\\p{N}\\p{M}_])`, 'iu');
    termPatterns.set(term, pattern);
  }
  return pattern;
}

/** The deny-list terms (normalised, in list order, each once) that occur in the body. */
export function findDeniedTerms(body: string, denyPatterns: readonly string[] = DEFAULT_DENY_LIST): string[] {
  const terms = [...new Set(denyPatterns.map(normalizeTerm))].filter((term) => term.length > 0);
  return terms.filter((term) => patternFor(term).test(body));
}

const DEFAULT_SHORTENERS = new Set(DEFAULT_DENY_LIST);

function deniedTermViolation(term: string): ContentViolation {
  const message = DEFAULT_SHORTENERS.has(term)
    ? `Remove the link shortener ${term}; link to the full destination address instead.`
    : term.includes('.')
      ? `Remove the link to ${term}; the sender's content policy does not allow it.`
      : `Remove the term "${term}"; the sender's content policy does not allow it.`;
  return { reason: 'denied-term', message, term };
}

/**
 * Throws `ContentRejectedError` listing every violation: an empty or whitespace-only body (reported alone),
 * more than `maxSegments` segments, and each deny-list term found. For too many segments, "shorten it by at
 * least N characters" counts user-perceived characters (grapheme clusters) that a cut at the end must remove;
 * for a UCS-2 body the message also names up to five of the characters that force UCS-2.
 */
export function checkContent(body: string, policy: ContentPolicy = {}): void {
  const maxSegments = policy.maxSegments ?? DEFAULT_MAX_SEGMENTS;
  if (!Number.isInteger(maxSegments) || maxSegments < 1) {
    throw new RangeError('content policy: maxSegments must be a positive integer');
  }
  if (typeof body !== 'string' || BLANK.test(body)) {
    throw new ContentRejectedError([
      { reason: 'empty', message: 'The body is empty or only whitespace; write the text of the message.' },
    ]);
  }
  const violations: ContentViolation[] = [];
  const count = countSegments(body);
  if (count.segments > maxSegments) violations.push(segmentViolation(body, count, maxSegments));
  for (const term of findDeniedTerms(body, policy.denyPatterns)) violations.push(deniedTermViolation(term));
  if (violations.length > 0) throw new ContentRejectedError(violations);
}
