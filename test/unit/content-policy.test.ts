import fc from 'fast-check';
import {
  checkContent,
  ContentRejectedError,
  countSegments,
  DEFAULT_DENY_LIST,
  DEFAULT_MAX_SEGMENTS,
  findDeniedTerms,
  isGsmCharacter,
} from '../../lambdas/domain/content-policy';
import { ProblemError, toProblemResponse } from '../../lambdas/shared/problem';

// GSM 03.38 written out independently of the module: 127 basic characters (no escape) and 10 extension ones.
const GSM_BASIC_CHARS = Array.from(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENSION_CHARS = Array.from('\f^{}\\[~]|€');

/** Runs checkContent and returns the rejection it throws. */
function rejection(body: string, policy?: Parameters<typeof checkContent>[1]): ContentRejectedError {
  try {
    checkContent(body, policy);
  } catch (error) {
    if (error instanceof ContentRejectedError) return error;
    throw error;
  }
  throw new Error('expected the body to be rejected');
}

const graphemes = (text: string): string[] =>
  Array.from(new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text), (s) => s.segment);

describe('countSegments', () => {
  it('knows the whole GSM 03.38 alphabet and nothing outside it', () => {
    expect(GSM_BASIC_CHARS).toHaveLength(127);
    for (const character of [...GSM_BASIC_CHARS, ...GSM_EXTENSION_CHARS])
      expect(isGsmCharacter(character)).toBe(true);
    for (const character of ['\t', '’', '“', 'ł', 'ç', 'Á', '😀', '\u001B', '`']) {
      expect(isGsmCharacter(character)).toBe(false);
    }
  });

  it.each([
    ['plain ASCII', 'GSM-7', 'Your code is 123456'],
    ['GSM accents and Greek', 'GSM-7', 'Grüße aus Köln, ÄÖÜ ß é à ΔΩ'],
    ['extension characters', 'GSM-7', 'Price: 5€ [promo] {x} ^ ~ \\ |'],
    ['a Polish letter', 'UCS-2', 'Dzień dobry'],
    ['a curly apostrophe', 'UCS-2', 'It’s here'],
    ['a tab', 'UCS-2', 'a\tb'],
    ['an emoji', 'UCS-2', 'Hi 😀'],
  ])('encodes %s as %s', (_case, encoding, body) => {
    expect(countSegments(body).encoding).toBe(encoding);
  });

  it.each([
    [160, 1],
    [161, 2],
    [306, 2],
    [307, 3],
  ])('puts %i GSM-7 characters in %i segment(s)', (length, segments) => {
    expect(countSegments('a'.repeat(length))).toEqual({ encoding: 'GSM-7', characters: length, segments });
  });

  it.each([
    [70, 1],
    [71, 2],
    [134, 2],
    [135, 3],
  ])('puts %i UCS-2 characters in %i segment(s)', (length, segments) => {
    expect(countSegments('ł'.repeat(length))).toEqual({ encoding: 'UCS-2', characters: length, segments });
  });

  it('counts an extension character as two septets', () => {
    expect(countSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', characters: 160, segments: 1 });
    expect(countSegments('€'.repeat(81))).toEqual({ encoding: 'GSM-7', characters: 162, segments: 2 });
    expect(countSegments(`${'a'.repeat(159)}{`)).toEqual({ encoding: 'GSM-7', characters: 161, segments: 2 });
  });

  it('never splits an escape pair across segments', () => {
    // 152 + 2 + 152 = 306 septets would fit two parts of 153, but the € cannot straddle the boundary
    expect(countSegments(`${'a'.repeat(152)}€${'a'.repeat(152)}`)).toEqual({
      encoding: 'GSM-7',
      characters: 306,
      segments: 3,
    });
  });

  it('counts an emoji as two UTF-16 units and never splits the surrogate pair', () => {
    expect(countSegments('😀')).toEqual({ encoding: 'UCS-2', characters: 2, segments: 1 });
    expect(countSegments('😀'.repeat(35))).toEqual({ encoding: 'UCS-2', characters: 70, segments: 1 });
    expect(countSegments('😀'.repeat(36))).toEqual({ encoding: 'UCS-2', characters: 72, segments: 2 });
    // 66 + 2 + 66 = 134 units would fit two parts of 67, but the pair cannot straddle the boundary
    expect(countSegments(`${'ł'.repeat(66)}😀${'ł'.repeat(66)}`).segments).toBe(3);
  });

  it('needs no segment for an empty body', () => {
    expect(countSegments('')).toEqual({ encoding: 'GSM-7', characters: 0, segments: 0 });
  });

  describe('properties', () => {
    const gsmCharacter = fc.constantFrom(...GSM_BASIC_CHARS, ...GSM_EXTENSION_CHARS);
    const anyCharacter = fc.oneof(
      { weight: 4, arbitrary: gsmCharacter },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
    );
    const body = fc.array(anyCharacter, { maxLength: 1200 }).map((characters) => characters.join(''));

    it('never needs fewer segments after a character is appended', () => {
      fc.assert(
        fc.property(body, anyCharacter, (text, next) => {
          // GIVEN any body and any character
          const before = countSegments(text);

          // WHEN the character is appended
          const after = countSegments(text + next);

          // THEN the count does not go down
          expect(after.segments).toBeGreaterThanOrEqual(before.segments);
        }),
        { numRuns: 500 },
      );
    });

    it('never reports UCS-2 for a GSM-only body, and counts extension characters twice', () => {
      fc.assert(
        fc.property(fc.array(gsmCharacter, { maxLength: 1200 }), (characters) => {
          const count = countSegments(characters.join(''));
          const extensions = characters.filter((character) => GSM_EXTENSION_CHARS.includes(character)).length;

          expect(count.encoding).toBe('GSM-7');
          expect(count.characters).toBe(characters.length + extensions);
          if (count.characters > 160)
            expect(count.segments).toBeGreaterThanOrEqual(Math.ceil(count.characters / 153));
        }),
        { numRuns: 300 },
      );
    });
  });
});

describe('checkContent', () => {
  it.each([
    ['an empty body', ''],
    ['spaces', '   '],
    ['newlines and tabs', '\n\t\r\n'],
    ['non-breaking and zero-width spaces', '\u00A0\u200B\u2060\uFEFF'],
  ])('rejects %s, saying to write the text', (_case, body) => {
    // GIVEN a body with nothing to read
    // WHEN it is checked
    const error = rejection(body);

    // THEN it is a content-rejected problem on the body field
    expect(error.reasons).toEqual(['empty']);
    expect(error.detail).toBe('The body is empty or only whitespace; write the text of the message.');
    expect(error.errors).toEqual([{ field: 'body', message: error.detail }]);
  });

  it(`accepts ${DEFAULT_MAX_SEGMENTS} segments and rejects ${DEFAULT_MAX_SEGMENTS + 1} by default`, () => {
    // GIVEN bodies of exactly 10 and just over 10 GSM-7 segments
    const ten = 'a'.repeat(10 * 153);
    const eleven = 'a'.repeat(10 * 153 + 1);

    // WHEN they are checked
    // THEN only the second is refused, with what to cut
    expect(() => checkContent(ten)).not.toThrow();
    const error = rejection(eleven);
    expect(error.reasons).toEqual(['too-many-segments']);
    expect(error.detail).toBe(
      'The body needs 11 segments in GSM-7; the limit is 10. Shorten it by at least 1 character.',
    );
  });

  it('honours a tenant segment limit', () => {
    expect(() => checkContent('a'.repeat(160), { maxSegments: 1 })).not.toThrow();
    expect(rejection('a'.repeat(161), { maxSegments: 1 }).detail).toBe(
      'The body needs 2 segments in GSM-7; the limit is 1. Shorten it by at least 1 character.',
    );
  });

  it('refuses a segment limit that is not a positive integer', () => {
    expect(() => checkContent('hello', { maxSegments: 0 })).toThrow(RangeError);
    expect(() => checkContent('hello', { maxSegments: 2.5 })).toThrow(RangeError);
  });

  it('names the characters that force UCS-2 when replacing them would make the body fit', () => {
    // GIVEN 700 GSM characters (5 segments in GSM-7) made UCS-2 by two curly quotes and an emoji
    const body = `Café ’special’ offer 😀 ${'a'.repeat(700)}`;

    // WHEN it is checked
    const error = rejection(body);

    // THEN the detail gives both remedies and lists each offending character once, never the body
    expect(error.detail).toMatch(
      /^The body needs 11 segments in UCS-2; the limit is 10\. Shorten it by at least \d+ characters or replace the characters that force UCS-2 with GSM-7 ones: ’ \(U\+2019\), 😀 \(U\+1F600\)\.$/,
    );
    expect(error.detail).not.toContain('special');
  });

  it('does not suggest replacing characters when the body would still be too long', () => {
    const body = `’${'a'.repeat(1600)}`;

    const error = rejection(body);

    expect(error.detail).toMatch(
      /^The body needs 24 segments in UCS-2; the limit is 10\. Shorten it by at least \d+ characters; /,
    );
    expect(error.detail).toContain('the characters ’ (U+2019) force UCS-2');
    expect(error.detail).not.toContain('or replace');
  });

  it('lists invisible characters by code point and at most five of them', () => {
    const body = `\tłśćźż${'a'.repeat(700)}`;

    const error = rejection(body);

    expect(error.detail).toContain(': U+0009, ł (U+0142), ś (U+015B), ć (U+0107), ź (U+017A) and 1 more.');
  });

  it.each([
    ['GSM-7 text', 'a'.repeat(1600)],
    ['UCS-2 text', 'ł'.repeat(700)],
    ['emoji', '😀'.repeat(400)],
    ['extension characters', `${'a'.repeat(1520)}${'€'.repeat(20)}`],
    ['family emoji sequences', `${'a'.repeat(600)}${'👨‍👩‍👧'.repeat(10)}`],
  ])('for %s, asks to cut exactly as many characters as a cut at the end needs', (_case, body) => {
    // GIVEN a body over the limit
    const error = rejection(body);
    const cut = Number(/Shorten it by at least (\d+) character/.exec(error.detail)?.[1]);
    const characters = graphemes(body);

    // WHEN the end is cut by that many characters, or by one fewer
    const fitting = characters.slice(0, characters.length - cut).join('');
    const notFitting = characters.slice(0, characters.length - cut + 1).join('');

    // THEN the first fits and the second does not
    expect(cut).toBeGreaterThan(0);
    expect(countSegments(fitting).segments).toBeLessThanOrEqual(DEFAULT_MAX_SEGMENTS);
    expect(countSegments(notFitting).segments).toBeGreaterThan(DEFAULT_MAX_SEGMENTS);
  });

  describe('deny list', () => {
    it.each([
      ['a bare shortener link', 'Deal inside: bit.ly/x'],
      ['a link with a scheme, in capitals', 'Open HTTPS://BIT.LY/abc now'],
      ['a subdomain of the shortener', 'See go.bit.ly/abc'],
      ['the host at the end of a sentence', 'Our links use bit.ly.'],
      ['the host in parentheses', '(bit.ly)'],
    ])('rejects %s', (_case, body) => {
      // GIVEN the default deny list
      // WHEN a body using bit.ly is checked
      const error = rejection(body);

      // THEN the shortener is named with what to do instead
      expect(error.reasons).toEqual(['denied-term']);
      expect(error.violations[0]?.term).toBe('bit.ly');
      expect(error.detail).toBe(
        'Remove the link shortener bit.ly; link to the full destination address instead.',
      );
    });

    it.each([
      ['a word that contains the host', 'Read the orbit.lyrics page'],
      ['another domain ending the same way', 'Visit rabbit.ly today'],
      ['a longer host starting the same way', 'bit.lyrics.example/x'],
      ['another domain containing t.co', 'Reply at.com or tweet.co'],
      ['a sentence that merely mentions bits', 'Got a bit. Lying down now.'],
    ])('accepts %s', (_case, body) => {
      expect(() => checkContent(body)).not.toThrow();
      expect(findDeniedTerms(body)).toEqual([]);
    });

    it('includes the common URL shorteners by default', () => {
      expect(DEFAULT_DENY_LIST).toEqual(
        expect.arrayContaining(['bit.ly', 'tinyurl.com', 't.co', 'goo.gl', 'ow.ly']),
      );
      // in deny-list order, whatever the order in the body
      expect(findDeniedTerms('a t.co/y b goo.gl/z c tinyurl.com/x')).toEqual([
        'tinyurl.com',
        'goo.gl',
        't.co',
      ]);
    });

    it('lets a tenant list replace the default, matching words whole and hosts with any scheme', () => {
      // GIVEN a tenant that denies a word and a host, written with a scheme and trailing slash
      const policy = { denyPatterns: ['Casino', 'https://Example.com/'] };

      // WHEN bodies are checked
      // THEN the tenant's terms apply, whole-word only, and the default list no longer does
      expect(() => checkContent('bit.ly/x', policy)).not.toThrow();
      expect(() => checkContent('Casinos are fun', policy)).not.toThrow();
      expect(rejection('Casino night!', policy).detail).toBe(
        'Remove the term "casino"; the sender\'s content policy does not allow it.',
      );
      expect(rejection('see www.example.com/a', policy).detail).toBe(
        "Remove the link to example.com; the sender's content policy does not allow it.",
      );
    });

    it('treats deny-list terms literally, not as regular expressions', () => {
      expect(findDeniedTerms('visit bitxly now', ['bit.ly'])).toEqual([]);
      expect(findDeniedTerms('a+b', ['a+b'])).toEqual(['a+b']);
    });
  });

  it('reports every violation at once, one errors entry each', () => {
    // GIVEN a body that is too long and uses two shorteners
    const body = `${'a'.repeat(1600)} bit.ly/x tinyurl.com/y`;

    // WHEN it is checked
    const error = rejection(body);

    // THEN each problem has its own field error, and the detail joins them
    expect(error.reasons).toEqual(['too-many-segments', 'denied-term', 'denied-term']);
    expect(error.errors).toHaveLength(3);
    expect(error.errors.every((entry) => entry.field === 'body')).toBe(true);
    expect(error.detail).toBe(error.errors.map((entry) => entry.message).join(' '));
  });

  it('becomes a 422 content-rejected problem', () => {
    const error = rejection('');

    const response = toProblemResponse(error);

    expect(error).toBeInstanceOf(ProblemError);
    expect(error.name).toBe('ContentRejectedError');
    expect(response.statusCode).toBe(422);
    expect(JSON.parse(response.body)).toMatchObject({
      type: 'urn:optline:problem:content-rejected',
      errors: [
        { field: 'body', message: 'The body is empty or only whitespace; write the text of the message.' },
      ],
    });
  });

  it('accepts an ordinary marketing message', () => {
    expect(() =>
      checkContent('Spring sale: 20% off at https://shop.example.com/sale. Reply STOP to opt out.'),
    ).not.toThrow();
  });
});
