import fc from 'fast-check';
import {
  type CountryCode,
  getCountries,
  getCountryCallingCode,
  getExampleNumber,
  type PhoneNumber,
} from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import {
  countryOf,
  InvalidPhoneNumberError,
  normalizeE164,
  parsePathPhone,
} from '../../lambdas/domain/phone';
import { toProblemResponse } from '../../lambdas/shared/problem';

// libphonenumber's own example mobile number for every country it knows.
const EXAMPLES: readonly { country: CountryCode; phone: PhoneNumber }[] = getCountries().flatMap(
  (country) => {
    const phone = getExampleNumber(country, examples);
    return phone === undefined ? [] : [{ country, phone }];
  },
);

const anExample = fc.constantFrom(...EXAMPLES);

/** Runs `fn` and returns what it threw, failing the test if it did not throw. */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** Asserts that nothing a client or a log could see about this error contains a digit. */
function expectNoDigitsExposed(error: InvalidPhoneNumberError): void {
  expect(error.message).not.toMatch(/\d/);
  expect(error.detail).not.toMatch(/\d/);
  for (const entry of error.errors) expect(entry.message).not.toMatch(/\d/);
  // The status member is the only number a problem body may carry.
  expect(toProblemResponse(error).body.replace('"status":400', '')).not.toMatch(/\d/);
}

describe('normalizeE164', () => {
  it('has example numbers for more than two hundred countries to test against', () => {
    expect(EXAMPLES.length).toBeGreaterThan(200);
  });

  it('normalises every country example number to itself', () => {
    for (const { phone } of EXAMPLES) {
      expect(normalizeE164(phone.number)).toBe(phone.number);
    }
  });

  it('accepts the example numbers written with spaces, dashes, dots and parentheses', () => {
    fc.assert(
      fc.property(
        anExample,
        fc.array(fc.constantFrom('', '', '', ' ', '-', '.'), { minLength: 16, maxLength: 16 }),
        fc.constantFrom('', ' ', '-'),
        fc.integer({ min: 0, max: 4 }),
        ({ phone }, gaps, afterCode, parenthesised) => {
          // GIVEN the national number split by random separators, its first digits optionally in parentheses
          const digits = [...phone.nationalNumber];
          const wrap = Math.min(parenthesised, digits.length - 1);
          const national = digits
            .map((digit, i) => {
              const open = wrap > 0 && i === 0 ? '(' : '';
              const close = wrap > 0 && i === wrap - 1 ? ')' : '';
              return `${open}${digit}${close}${i < digits.length - 1 ? (gaps[i] ?? '') : ''}`;
            })
            .join('');
          const written = `+${phone.countryCallingCode}${afterCode}${national}`;

          // WHEN it is normalised THEN it is the canonical E.164 again
          expect(normalizeE164(written)).toBe(phone.number);
        },
      ),
    );
  });

  it('accepts the international and national formats libphonenumber prints', () => {
    fc.assert(
      fc.property(anExample, ({ country, phone }) => {
        expect(normalizeE164(phone.formatInternational())).toBe(phone.number);
        expect(normalizeE164(phone.formatNational(), { defaultCountry: country })).toBe(phone.number);
      }),
    );
  });

  it('normalises common body formats', () => {
    expect(normalizeE164('+44 7400 123456')).toBe('+447400123456');
    expect(normalizeE164('+1 (201) 555-0123')).toBe('+12015550123');
    expect(normalizeE164('07400 123456', { defaultCountry: 'GB' })).toBe('+447400123456');
    expect(normalizeE164('0044 7400 123456', { defaultCountry: 'GB' })).toBe('+447400123456');
    expect(normalizeE164('(201) 555-0123', { defaultCountry: 'US' })).toBe('+12015550123');
  });

  it.each<[string, string, { defaultCountry?: CountryCode }, string]>([
    ['national format without a default country', '07400 123456', {}, 'missing-country'],
    ['a possible but unassigned number', '+44 1111 111111', {}, 'invalid'],
    ['a reserved drama number', '+44 7700 900123', {}, 'invalid'],
    ['a number with an extension', '+44 7400 123456 ext. 12', {}, 'has-extension'],
    ['a number inside other text', 'call +44 7400 123456 now', {}, 'not-a-number'],
    // The `phone` format of the document: digits, spaces and + ( ) - . only, though libphonenumber reads letters.
    ['a number spelled with letters', '+1 800 356 9377 CALL', {}, 'not-a-number'],
    ['a number with a slash', '+44 7400/123456', {}, 'not-a-number'],
    ['an empty string', '', {}, 'not-a-number'],
    ['a lone plus sign', '+', {}, 'not-a-number'],
    ['too many digits', '+44 7400 1234 5678 9012', {}, 'invalid'],
    ['a very long string', '+'.padEnd(500, '4'), {}, 'too-long'],
  ])('refuses %s with a 400 that names the field', (_case, input, opts, reason) => {
    // WHEN an unacceptable number is normalised
    const error = thrownBy(() => normalizeE164(input, opts));

    // THEN it is an invalid-input problem for the phone field, with a stable reason and no digits
    expect(error).toBeInstanceOf(InvalidPhoneNumberError);
    const problem = error as InvalidPhoneNumberError;
    expect(problem.reason).toBe(reason);
    expect(problem.status).toBe(400);
    expect(problem.slug).toBe('invalid-input');
    expect(problem.errors).toEqual([{ field: 'phone', message: expect.any(String) }]);
    expectNoDigitsExposed(problem);
  });

  it('reports the field name the caller gives, such as to', () => {
    const error = thrownBy(() => normalizeE164('not a phone', { field: 'to' })) as InvalidPhoneNumberError;

    expect(error.errors[0]?.field).toBe('to');
    expect(error.detail).toContain('to');
  });

  it('refuses a non-string from parsed JSON with a 400, not a TypeError', () => {
    const error = thrownBy(() => normalizeE164(447400123456 as unknown as string));

    expect(error).toBeInstanceOf(InvalidPhoneNumberError);
    expect((error as InvalidPhoneNumberError).reason).toBe('not-a-string');
  });

  const phoneish = fc.string({
    unit: fc.constantFrom(...'+0123456789 ()-./x#*ext'.split('')),
    maxLength: 24,
  });
  const mutatedExample = fc
    .tuple(anExample, fc.nat(), fc.integer({ min: 0, max: 9 }))
    .map(([{ phone }, at, digit]) => {
      const i = 1 + (at % (phone.number.length - 1));
      return `${phone.number.slice(0, i)}${digit}${phone.number.slice(i + 1)}`;
    });
  const anyInput = fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), phoneish, mutatedExample);
  const anyOptions = fc.record({ defaultCountry: fc.constantFrom(...getCountries()) }, { requiredKeys: [] });

  it('never throws anything but InvalidPhoneNumberError, and only returns E.164', () => {
    fc.assert(
      fc.property(anyInput, anyOptions, (input, opts) => {
        try {
          expect(normalizeE164(input, opts)).toMatch(/^\+[1-9]\d{6,14}$/);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidPhoneNumberError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never puts any digit of the input in a message, detail or body', () => {
    fc.assert(
      fc.property(anyInput, anyOptions, (input, opts) => {
        let error: unknown;
        try {
          normalizeE164(input, opts);
        } catch (caught) {
          error = caught;
        }
        // Valid inputs are not what this property is about.
        fc.pre(error !== undefined);
        expectNoDigitsExposed(error as InvalidPhoneNumberError);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parsePathPhone', () => {
  it('accepts every example number URL-encoded and already decoded', () => {
    for (const { phone } of EXAMPLES) {
      expect(parsePathPhone(encodeURIComponent(phone.number))).toBe(phone.number);
      expect(parsePathPhone(phone.number)).toBe(phone.number);
    }
  });

  it('decodes %2B in either case', () => {
    expect(parsePathPhone('%2B447400123456')).toBe('+447400123456');
    expect(parsePathPhone('%2b447400123456')).toBe('+447400123456');
  });

  it.each<[string, string, string]>([
    ['a number without the plus sign', '447400123456', 'not-e164'],
    ['a space-separated number', '%2B44%207400%20123456', 'not-e164'],
    ['a decoded number with spaces', '+44 7400 123456', 'not-e164'],
    ['a dashed number', '%2B44-7400-123456', 'not-e164'],
    ['a double-encoded plus sign', '%252B447400123456', 'not-e164'],
    ['a malformed escape', '%2B44%E0%A4%A', 'not-e164'],
    ['a country code starting with zero', '%2B0447400123456', 'not-e164'],
    ['sixteen digits', '%2B4474001234567890', 'not-e164'],
    ['a national trunk prefix after the country code', '%2B4407400123456', 'not-canonical'],
    ['a well-formed but invalid number', '%2B441111111111', 'invalid'],
    ['an empty segment', '', 'not-e164'],
  ])('refuses %s', (_case, segment, reason) => {
    // WHEN a path segment is not canonical, valid E.164
    const error = thrownBy(() => parsePathPhone(segment, { field: 'phone' }));

    // THEN it is a 400 for the path parameter, without the number in it
    expect(error).toBeInstanceOf(InvalidPhoneNumberError);
    const problem = error as InvalidPhoneNumberError;
    expect(problem.reason).toBe(reason);
    expect(problem.errors[0]?.field).toBe('phone');
    expectNoDigitsExposed(problem);
  });

  it('never throws anything but InvalidPhoneNumberError for arbitrary segments', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.string({ unit: fc.constantFrom(...'%+2Bb0123456789'.split('')) }),
        ),
        (segment) => {
          try {
            expect(parsePathPhone(segment)).toMatch(/^\+[1-9]\d{6,14}$/);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidPhoneNumberError);
            expectNoDigitsExposed(error as InvalidPhoneNumberError);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('countryOf', () => {
  it('finds the region of a number, telling NANP members apart', () => {
    expect(countryOf('+447400123456')).toBe('GB');
    expect(countryOf('+12015550123')).toBe('US');
    expect(countryOf('+16135550123')).toBe('CA');
  });

  it('gives every example number a region that shares its calling code, and the exact one where it is unique', () => {
    for (const { country, phone } of EXAMPLES) {
      const found = countryOf(phone.number);
      // Territories such as the Isle of Man share mobile ranges with their main country and resolve to it.
      expect(found && getCountryCallingCode(found)).toBe(phone.countryCallingCode);
      const sharesCode = getCountries().filter((c) => getCountryCallingCode(c) === phone.countryCallingCode);
      if (sharesCode.length === 1) expect(found).toBe(country);
    }
  });

  it('returns undefined for non-geographic and unparseable numbers instead of throwing', () => {
    expect(countryOf('+80012345678')).toBeUndefined();
    expect(countryOf('not a number')).toBeUndefined();
    expect(countryOf('')).toBeUndefined();
  });
});
