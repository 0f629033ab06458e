import fc from 'fast-check';
import {
  classifyInbound,
  HELP_KEYWORDS,
  type Language,
  LANGUAGES,
  normalizeInbound,
  OPT_IN_KEYWORDS,
  OPT_OUT_KEYWORDS,
  OPT_OUT_PHRASES,
} from '../../lambdas/domain/keywords';

type Table = Readonly<Record<Language, readonly string[]>>;

/** Every [language, written entry] pair of a table. */
const rows = (table: Table): [Language, string][] =>
  LANGUAGES.flatMap((language) => table[language].map((written): [Language, string] => [language, written]));

/** The first language (in LANGUAGES order) whose table holds this normalised word: the one classify reports. */
const firstLanguageOf = (table: Table, written: string): Language | undefined =>
  LANGUAGES.find((l) => table[l].some((w) => normalizeInbound(w) === normalizeInbound(written)));

/** Each way of typing an entry: a hyphen may be typed as nothing or as a space. */
const spellingsOf = (written: string): string[] => {
  const [first = '', ...rest] = written.split('-');
  return rest.reduce((acc, part) => acc.flatMap((v) => [`${v}${part}`, `${v} ${part}`]), [first]);
};

const ALL_TABLES = [OPT_OUT_KEYWORDS, OPT_OUT_PHRASES, HELP_KEYWORDS, OPT_IN_KEYWORDS];

/** Every normalised token that any spelling of any table entry contains. */
const TABLE_TOKENS = new Set(
  ALL_TABLES.flatMap(rows).flatMap(([, written]) =>
    spellingsOf(written).flatMap((s) => normalizeInbound(s).split(' ')),
  ),
);

const OPT_OUT_ROWS = rows(OPT_OUT_KEYWORDS);
const SINGLE_WORD_PHRASES = rows(OPT_OUT_PHRASES).filter(([, p]) => !/[\s-]/u.test(p));

describe('normalizeInbound', () => {
  it.each([
    ['  stop!!', 'STOP'],
    ['Stop.', 'STOP'],
    ['ARRÊT', 'ARRET'],
    ['ＳＴＯＰ', 'STOP'],
    ['𝐒𝐓𝐎𝐏', 'STOP'],
    ['Opt-Out', 'OPTOUT'],
    ['OPT_OUT', 'OPTOUT'],
    ['opt   out', 'OPT OUT'],
    ['🛑 Stop 🙏', 'STOP'],
    ['Don’t stop me now', 'DONT STOP ME NOW'],
    ['S\u00ADT\u200BOP', 'STOP'],
    ['Kündigen', 'KUNDIGEN'],
    ['¡Sí!', 'SI'],
    ['stop\n\tplease', 'STOP PLEASE'],
    ['stop – please', 'STOP PLEASE'],
  ])('normalises %j to %j', (input, expected) => {
    // GIVEN a raw inbound body  WHEN it is normalised  THEN it matches the canonical form
    expect(normalizeInbound(input)).toBe(expected);
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const once = normalizeInbound(text);
        expect(normalizeInbound(once)).toBe(once);
      }),
    );
  });

  it('leaves only upper-case letters, digits and single spaces', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const normalized = normalizeInbound(text);
        expect(normalized).not.toMatch(/^ | $| {2}/u);
        expect(normalized).not.toMatch(/[^\p{L}\p{N} ]/u);
        expect(normalized).toBe(normalized.toUpperCase());
      }),
    );
  });
});

describe('the keyword tables', () => {
  it('hold the English set required by CTIA and the FCC revocation order', () => {
    const english = new Set(OPT_OUT_KEYWORDS.en.map(normalizeInbound));
    for (const word of [
      'STOP',
      'STOPALL',
      'UNSUBSCRIBE',
      'CANCEL',
      'END',
      'QUIT',
      'REVOKE',
      'OPTOUT',
      'REMOVE',
    ]) {
      expect(english).toContain(word);
    }
  });

  it('share no word between opt-out and help or opt-in, so precedence never hides a keyword', () => {
    // GIVEN the normalised opt-out words  WHEN compared with help and opt-in words  THEN none is in both
    const optOut = new Set(OPT_OUT_ROWS.map(([, w]) => normalizeInbound(w)));
    const others = [...rows(HELP_KEYWORDS), ...rows(OPT_IN_KEYWORDS)].map(([, w]) => normalizeInbound(w));
    expect(others.filter((w) => optOut.has(w))).toEqual([]);
  });

  it('normalise every keyword entry to one upper-case ASCII word', () => {
    for (const [, written] of [...OPT_OUT_ROWS, ...rows(HELP_KEYWORDS), ...rows(OPT_IN_KEYWORDS)]) {
      expect(normalizeInbound(written)).toMatch(/^[A-Z]+$/u);
    }
  });
});

describe('classifyInbound: opt-out keywords', () => {
  it.each(OPT_OUT_ROWS)('opts out on the %s keyword %s as the whole message', (language, written) => {
    // GIVEN a message that is only the keyword  WHEN classified  THEN it opts out with that keyword
    expect(classifyInbound(written)).toEqual({
      action: 'opt_out',
      keyword: normalizeInbound(written),
      language: firstLanguageOf(OPT_OUT_KEYWORDS, written) ?? language,
    });
  });

  it.each(OPT_OUT_ROWS)(
    'opts out on the %s keyword %s in any case, with punctuation, spacing and trailing words',
    (_language, written) => {
      const keyword = normalizeInbound(written);
      const variants = [
        written.toLowerCase(),
        `  ${written}!!  `,
        `${written.charAt(0)}${written.slice(1).toLowerCase()}.`,
        `"${written}"`,
        `${written} please`,
        `${written.toLowerCase()}, thanks 🙏`,
        ...spellingsOf(written),
        written.replace(/-/gu, '_'),
        written.normalize('NFD').replace(/\p{M}/gu, ''),
      ];
      for (const variant of variants) {
        expect({ variant, ...classifyInbound(variant) }).toMatchObject({
          variant,
          action: 'opt_out',
          keyword,
        });
      }
    },
  );

  it.each([
    ['  stop!!', 'STOP'],
    ['Stop.', 'STOP'],
    ['ARRÊT', 'ARRET'],
    ['arret', 'ARRET'],
    ['ＳＴＯＰ', 'STOP'],
    ['opt out', 'OPTOUT'],
    ['Opt-Out', 'OPTOUT'],
    ['OPT_OUT', 'OPTOUT'],
    ['optout', 'OPTOUT'],
    ['STOP please', 'STOP'],
    ['stop sending these', 'STOP'],
    ['Unsubscribe me from this list', 'UNSUBSCRIBE'],
    ['Désabonnez-moi', 'DESABONNEZMOI'],
    ['desabonnez moi svp', 'DESABONNEZMOI'],
    ['Arrêtez de m’écrire', 'ARRETEZ'],
    ['Baja, por favor', 'BAJA'],
    ['KUENDIGEN', 'KUENDIGEN'],
    ['kündigen bitte', 'KUNDIGEN'],
    ['Stopp!', 'STOPP'],
    ['Afmelden aub', 'AFMELDEN'],
  ])('opts out on %j', (text, keyword) => {
    expect(classifyInbound(text)).toMatchObject({ action: 'opt_out', keyword });
  });

  it.each([
    ['STOP', 'en'],
    ['ARRÊT', 'fr'],
    ['BAJA', 'es'],
    ['STOPP', 'de'],
    ['AFMELDEN', 'nl'],
  ] as const)('reports %s as %s', (text, language) => {
    expect(classifyInbound(text).language).toBe(language);
  });
});

describe('classifyInbound: opt-out phrases', () => {
  it.each(rows(OPT_OUT_PHRASES))('opts out on the %s phrase %j as the whole message', (_language, phrase) => {
    // GIVEN the phrase in lower case with punctuation  WHEN classified  THEN it opts out
    for (const variant of spellingsOf(phrase).map((s) => ` ${s.toLowerCase()}!! `)) {
      expect({ variant, ...classifyInbound(variant) }).toMatchObject({ variant, action: 'opt_out' });
    }
  });

  it.each([
    ['Please stop', 'PLEASE STOP'],
    ['please, stop!', 'PLEASE STOP'],
    ['Take me off', 'TAKE ME OFF'],
    ['Don’t text me', 'DONT TEXT ME'],
    ['Retirez moi', 'RETIREZMOI'],
    ['No más mensajes', 'NO MAS MENSAJES'],
    ['Para.', 'PARA'],
    ['Ende', 'ENDE'],
    ['Geen berichten meer', 'GEEN BERICHTEN MEER'],
  ])('opts out on the phrase %j', (text, keyword) => {
    expect(classifyInbound(text)).toMatchObject({ action: 'opt_out', keyword });
  });

  it.each([
    'Please stop by the shop tomorrow',
    'Take me off the hook',
    'Para mañana',
    'Ende der Woche passt',
    'Fin de semaine',
    'No más de dos',
  ])('does not treat a phrase followed by more text as an opt-out: %j', (text) => {
    expect(classifyInbound(text).action).toBe('none');
  });
});

describe('classifyInbound: never inside a word', () => {
  it.each([
    'weekend plans?',
    'WEEKEND',
    'stopwatch',
    'stop-watch',
    'unstoppable',
    'cancellation',
    'ending',
    'Endless summer',
    'quitter',
    'arretez-vous',
    'parade',
    'Parará',
    'finish',
    'Abmeldung',
    'Kündigung',
    'Stoppuhr',
    'removed',
    'Alton Towers',
    'Bajamar',
  ])('does not opt out on %j', (text) => {
    expect(classifyInbound(text).action).not.toBe('opt_out');
  });

  it('reads "Don\'t stop me now" as none: its first word is DONT and a negation is never an opt-out', () => {
    expect(classifyInbound("Don't stop me now")).toEqual({ action: 'none' });
  });

  it('does not opt out when STOP is a later word of ordinary text', () => {
    expect(classifyInbound('I will stop by later')).toEqual({ action: 'none' });
  });
});

describe('classifyInbound: help, opt-in and precedence', () => {
  it.each(rows(HELP_KEYWORDS))('asks for help on the %s keyword %s, alone or first', (_language, written) => {
    for (const variant of [written, `${written.toLowerCase()}?`, `${written} me please`]) {
      expect(classifyInbound(variant)).toMatchObject({ action: 'help', keyword: normalizeInbound(written) });
    }
  });

  it.each(rows(OPT_IN_KEYWORDS))(
    'opts in on the %s keyword %s as the whole message',
    (_language, written) => {
      for (const variant of [written, `${written.toLowerCase()}!`, ` ${written}. `]) {
        expect(classifyInbound(variant)).toMatchObject({
          action: 'opt_in',
          keyword: normalizeInbound(written),
        });
      }
    },
  );

  it.each(['Yes, but who is this?', 'Start time?', 'Oui mais non', 'Ja genau, morgen', 'Unstoppable'])(
    'records no consent for %j, which only starts with an opt-in word',
    (text) => {
      expect(classifyInbound(text).action).not.toBe('opt_in');
    },
  );

  it.each(['Si', 'SÍ', 'sí', 'ＹＥＳ'])('opts in on %j', (text) => {
    expect(classifyInbound(text).action).toBe('opt_in');
  });

  it.each([
    ['YES STOP', 'STOP'],
    ['HELP STOP', 'STOP'],
    ['Start, arrêt', 'ARRET'],
    ['info opt out', 'OPTOUT'],
    ['STOP HELP', 'STOP'],
    ['STOP START', 'STOP'],
  ])('lets opt-out win in the keyword-only message %j', (text, keyword) => {
    expect(classifyInbound(text)).toMatchObject({ action: 'opt_out', keyword });
  });

  it.each(['', '   ', '12345', '0 0 7', '!!!', '🙏🙏', '\u200B'])('classifies %j as none', (text) => {
    expect(classifyInbound(text)).toEqual({ action: 'none' });
  });

  it('classifies any digits-and-punctuation-only message as none', () => {
    const noLetters = fc.string({ unit: fc.constantFrom(...'0123456789 .,!?-+()#*\t\n') });
    fc.assert(fc.property(noLetters, (text) => expect(classifyInbound(text)).toEqual({ action: 'none' })));
  });

  it('classifies a message exactly as it classifies its normalised form', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(classifyInbound(text)).toEqual(classifyInbound(normalizeInbound(text)));
      }),
    );
  });
});

describe('classifyInbound: properties', () => {
  const FULL_WIDTH_OFFSET = 0xfee0;
  /** One character in a random case, or as its full-width form when it is ASCII. */
  const charVariant = (c: string): fc.Arbitrary<string> =>
    /[A-Z]/u.test(c)
      ? fc.constantFrom(c, c.toLowerCase(), String.fromCharCode(c.charCodeAt(0) + FULL_WIDTH_OFFSET))
      : fc.constantFrom(c, c.toLowerCase(), c.normalize('NFD').replace(/\p{M}/gu, ''));

  /** The keyword with random case, full-width letters, dropped accents, and any separator for its hyphens. */
  const keywordVariant = (written: string): fc.Arbitrary<string> =>
    fc
      .tuple(
        ...Array.from(written).map((c) =>
          c === '-' ? fc.constantFrom('-', '_', ' ', '', '\uFF0D', '  ') : charVariant(c),
        ),
      )
      .map((chars) => chars.join(''));

  const surrounding = fc
    .array(
      fc.constantFrom(
        ' ',
        '\t',
        '\n',
        '\u00A0',
        '\u3000',
        '!',
        '¡',
        '¿',
        '?',
        '.',
        '…',
        '"',
        '«',
        '»',
        "'",
        '’',
        '*',
        '(',
        ')',
        '-',
        '—',
        '🛑',
        '🙏',
        '👍🏽',
      ),
      {
        maxLength: 5,
      },
    )
    .map((chars) => chars.join(''));

  const trailingWords = fc
    .array(fc.string({ unit: 'binary', maxLength: 12 }), { maxLength: 4 })
    .map((words) => words.map((w) => ` ${w}`).join(''));

  it('(a) opts out on every keyword variant, whatever the case, punctuation, spacing and trailing words', () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom(...OPT_OUT_ROWS)
          .chain(([, written]) =>
            fc.tuple(fc.constant(written), surrounding, keywordVariant(written), surrounding, trailingWords),
          ),
        ([written, before, variant, after, trailing]) => {
          const message = `${before}${variant}${after}${trailing}`;
          // WHEN the message is classified  THEN it opts out on that keyword
          expect(classifyInbound(message)).toMatchObject({
            action: 'opt_out',
            keyword: normalizeInbound(written),
          });
        },
      ),
      { numRuns: 2000 },
    );
  });

  const LETTERS = Array.from('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéüñàßÉ');
  const affix = (minLength: number) =>
    fc.string({ unit: fc.constantFrom(...LETTERS), minLength, maxLength: 6 });
  const NEUTRAL_WORDS = [
    'hello',
    'see',
    'you',
    'tomorrow',
    'weekend',
    'plans',
    'great',
    'thanks',
    'bonjour',
    'gracias',
    'danke',
    'bedankt',
    'ok',
    '42',
  ];

  /** A word that contains an opt-out keyword (or single-word phrase) plus at least one more letter. */
  const containingWord = fc
    .tuple(
      fc.constantFrom(...OPT_OUT_ROWS, ...SINGLE_WORD_PHRASES).map(([, w]) => w),
      fc.oneof(fc.tuple(affix(1), affix(0)), fc.tuple(affix(0), affix(1))),
    )
    .map(([keyword, [prefix, suffix]]) => `${prefix}${keyword}${suffix}`)
    .filter((word) => !TABLE_TOKENS.has(normalizeInbound(word)));

  it('uses neutral words that are no keyword or phrase word', () => {
    expect(NEUTRAL_WORDS.filter((w) => TABLE_TOKENS.has(normalizeInbound(w)))).toEqual([]);
  });

  it('(b) never opts out when the only STOP-like text sits inside longer words', () => {
    fc.assert(
      fc.property(
        containingWord,
        fc.array(fc.oneof(containingWord, fc.constantFrom(...NEUTRAL_WORDS)), { maxLength: 5 }),
        fc.nat(),
        fc.array(fc.constantFrom(' ', ', ', '! ', '? ', '\n', ' – ', '. '), { minLength: 6, maxLength: 6 }),
        (required, others, position, separators) => {
          // GIVEN a message of containing words and neutral words, with at least one containing word
          const words = [...others];
          words.splice(position % (words.length + 1), 0, required);
          const message = words.map((w, i) => `${w}${separators[i] ?? ' '}`).join('');
          // WHEN it is classified  THEN it is not an opt-out
          expect({ message, ...classifyInbound(message) }).not.toMatchObject({ action: 'opt_out' });
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('(b) generates containing words for every keyword, including ones that start or end with it', () => {
    // A sample shows the generator covers words like "stopwatch" (empty prefix) and "weekend" (empty suffix).
    const sample = fc.sample(containingWord, { numRuns: 3000, seed: 42 }).map(normalizeInbound);
    const missing = [...OPT_OUT_ROWS, ...SINGLE_WORD_PHRASES]
      .map(([, w]) => normalizeInbound(w))
      .filter((keyword) => !sample.some((w) => w.includes(keyword)));
    expect(missing).toEqual([]);
    expect(sample.some((w) => w.startsWith('STOP'))).toBe(true);
    expect(sample.some((w) => w.endsWith('STOP'))).toBe(true);
  });
});
