/**
 * Phone-number normalisation: every number optline stores, keys on or sends to is validated E.164.
 *
 * Uses libphonenumber-js with its `max` metadata so a number must be valid for its country's numbering plan,
 * not merely the right length. Error messages never echo the input, and contain no digits at all, because
 * the input is personal data and ends up in responses and logs.
 */
import {
  type CountryCode,
  ParseError,
  type PhoneNumber,
  parsePhoneNumberFromString,
  parsePhoneNumberWithError,
} from 'libphonenumber-js/max';
import { InvalidInputError } from '../shared/problem';

export type { CountryCode };

/** Why a phone number was refused; stable codes for callers and tests. */
export type PhoneNumberProblem =
  | 'not-a-string'
  | 'not-a-number'
  | 'missing-country'
  | 'too-short'
  | 'too-long'
  | 'has-extension'
  | 'invalid'
  | 'not-e164'
  | 'not-canonical';

// Digit-free wording, so a message can never reflect any part of the number back.
const MESSAGES: Readonly<Record<PhoneNumberProblem, string>> = {
  'not-a-string': 'must be a string',
  'not-a-number': 'is not a phone number',
  'missing-country': 'must be in international format: a plus sign, the country code, then the number',
  'too-short': 'is too short to be a phone number',
  'too-long': 'is too long to be a phone number',
  'has-extension': 'must not include an extension',
  invalid: 'is not a valid phone number for its country',
  'not-e164':
    'must be a URL-encoded international number: a plus sign, the country code and the number, digits only',
  'not-canonical': 'must be in canonical international form, without a trunk prefix',
};

/** A 400 `invalid-input` naming the offending field (`phone`, `to`, …) and never the number. */
export class InvalidPhoneNumberError extends InvalidInputError {
  override readonly name: string = 'InvalidPhoneNumberError';
  readonly reason: PhoneNumberProblem;

  constructor(field: string, reason: PhoneNumberProblem) {
    super([{ field, message: MESSAGES[reason] }], {
      detail: `The ${field} field is not a valid phone number.`,
    });
    this.reason = reason;
  }
}

export interface NormalizeOptions {
  /** Country for numbers written in national format. @default - national format is refused */
  readonly defaultCountry?: CountryCode;
  /** The request field reported in the error. @default 'phone' */
  readonly field?: string;
}

export interface PathPhoneOptions {
  /** The path parameter reported in the error. @default 'phone' */
  readonly field?: string;
}

// Longer input is never a phone number; refusing it early bounds the parser's work.
const MAX_INPUT_LENGTH = 64;

// The characters of the API's `phone` format (lambdas/shared/schemas.ts). libphonenumber alone would also read
// letters ("vanity" numbers) and other punctuation, which the document does not allow.
const WRITTEN_NUMBER = /^[0-9+()\-.\s]+$/;

// E.164 allows up to 15 digits. Seven is the shortest valid number in use (Saint Helena +290, Tokelau +690).
const E164_SHAPE = /^\+[1-9]\d{6,14}$/;

const PARSE_REASONS: Readonly<Record<string, PhoneNumberProblem>> = {
  INVALID_COUNTRY: 'missing-country',
  NOT_A_NUMBER: 'not-a-number',
  TOO_SHORT: 'too-short',
  TOO_LONG: 'too-long',
  INVALID_LENGTH: 'invalid',
};

/**
 * Parses a number as written in a request body ("+44 7400 123456", "+1 (201) 555-0123", or national
 * format when `defaultCountry` is given) and returns it as E.164. Throws `InvalidPhoneNumberError`.
 */
export function normalizeE164(input: string, opts: NormalizeOptions = {}): string {
  const field = opts.field ?? 'phone';
  // Callers pass parsed JSON; a non-string must still be a 400, not a TypeError.
  if (typeof input !== 'string') throw new InvalidPhoneNumberError(field, 'not-a-string');
  if (input.length > MAX_INPUT_LENGTH) throw new InvalidPhoneNumberError(field, 'too-long');

  let parsed: PhoneNumber;
  try {
    // extract: false so "call +44… now" is refused instead of having a number fished out of it.
    parsed = parsePhoneNumberWithError(input, { defaultCountry: opts.defaultCountry, extract: false });
  } catch (error) {
    // Any parser failure is bad input: it must map to a 400, never a 500.
    const reason = error instanceof ParseError ? PARSE_REASONS[error.message] : undefined;
    throw new InvalidPhoneNumberError(field, reason ?? 'not-a-number');
  }
  // E.164 cannot carry an extension, and dropping it silently would address a different line.
  if (parsed.ext !== undefined) throw new InvalidPhoneNumberError(field, 'has-extension');
  if (!WRITTEN_NUMBER.test(input)) throw new InvalidPhoneNumberError(field, 'not-a-number');
  if (!parsed.isValid()) throw new InvalidPhoneNumberError(field, 'invalid');
  return parsed.number;
}

/**
 * Parses a `{phone}` path segment: URL-encoded E.164 such as `%2B447400123456`. The decoded form is accepted
 * too, since some front ends decode path parameters. Only canonical E.164 passes, so one subscriber has
 * exactly one path. Throws `InvalidPhoneNumberError`.
 */
export function parsePathPhone(segment: string, opts: PathPhoneOptions = {}): string {
  const field = opts.field ?? 'phone';
  if (typeof segment !== 'string') throw new InvalidPhoneNumberError(field, 'not-a-string');
  if (segment.length > MAX_INPUT_LENGTH) throw new InvalidPhoneNumberError(field, 'too-long');

  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    throw new InvalidPhoneNumberError(field, 'not-e164');
  }
  if (!E164_SHAPE.test(decoded)) throw new InvalidPhoneNumberError(field, 'not-e164');

  const e164 = normalizeE164(decoded, { field });
  if (e164 !== decoded) throw new InvalidPhoneNumberError(field, 'not-canonical');
  return e164;
}

/** The region a number belongs to, or `undefined` for non-geographic or unparseable numbers. Never throws. */
export function countryOf(e164: string): CountryCode | undefined {
  if (typeof e164 !== 'string' || e164.length > MAX_INPUT_LENGTH) return undefined;
  return parsePhoneNumberFromString(e164, { extract: false })?.country;
}
