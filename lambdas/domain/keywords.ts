/**
 * The keyword engine for inbound SMS: decides whether a reply opts out, opts back in, asks for help, or is
 * ordinary text. Pure module (no AWS SDK).
 *
 * How a message is read (see `normalizeInbound` for the exact steps):
 * - It is normalised first: Unicode compatibility forms (full-width ＳＴＯＰ, 𝐒𝐓𝐎𝐏) fold to ASCII, diacritics are
 *   dropped (ARRÊT → ARRET), letters are upper-cased, and every run of punctuation, emoji or white space
 *   becomes one space. A hyphen, underscore or apostrophe between two letters or digits joins them, so
 *   OPT-OUT, OPT_OUT and OPTOUT are one token and DON'T reads DONT.
 * - **Opt-out** when one of these holds, checked in this order:
 *   1. the message starts with an opt-out keyword (`OPT_OUT_KEYWORDS`) as a whole word: "STOP", "Stop please",
 *      "stop sending these" all opt out, "stopwatch" and "weekend" do not;
 *   2. the whole message is an opt-out phrase (`OPT_OUT_PHRASES`, e.g. "please stop", "take me off");
 *   3. the message is made of keywords only and one of them opts out ("YES STOP", "HELP STOP"): opt-out wins.
 * - **Help** when the first word is a help keyword (`HELP_KEYWORDS`).
 * - **Opt-in** only when the whole message is an opt-in keyword (`OPT_IN_KEYWORDS`). Opt-in is recorded as
 *   consent, which must be an unambiguous affirmative act (GDPR Art. 4(11)), so "Yes, but who is this?" or
 *   "Start time?" is ordinary text, not consent.
 * - Everything else, including blank and digits-only messages, is `none`.
 *
 * Keywords are never searched for inside a word or further into the message: "Don't stop me now" starts with
 * DONT and is `none` (a negation is the classic reason not to scan every word), and "arrêtez-vous" is the one
 * hyphenated token ARRETEZVOUS. The opt-out keywords of every language are honoured whatever the subscriber's
 * locale, so an opt-out is never missed because of a locale mismatch.
 *
 * Table entries write a hyphen where a subscriber may type a hyphen, an underscore, a space or nothing:
 * 'OPT-OUT' matches OPT-OUT, OPT_OUT, OPT OUT and OPTOUT. The canonical `keyword` reported is the entry's
 * normalised, joined form ('OPTOUT', 'ARRET', 'KUNDIGEN').
 */

export const LANGUAGES = ['en', 'fr', 'es', 'de', 'nl'] as const;
export type Language = (typeof LANGUAGES)[number];

export type InboundAction = 'opt_out' | 'opt_in' | 'help' | 'none';

export interface InboundClassification {
  readonly action: InboundAction;
  /** The canonical keyword or phrase matched, normalised (e.g. 'STOP', 'ARRET', 'OPTOUT'). @default - none */
  readonly keyword?: string;
  /**
   * The language whose table holds the match. A word shared by several languages (STOP, INFO, JA) reports the
   * first in `LANGUAGES` order, so this is a hint only; replies use the subscriber's locale. @default - none
   */
  readonly language?: Language;
}

type KeywordTable = Readonly<Record<Language, readonly string[]>>;

/**
 * Words that opt out when they are the whole message or its first word.
 *
 * English: the CTIA Messaging Principles and Best Practices (STOP, END, CANCEL, UNSUBSCRIBE, QUIT, plus the
 * industry's STOPALL) and the FCC's 2024 TCPA revocation order (FCC 24-24, 47 CFR 64.1200(a)(10)), which holds
 * that a reply of "stop, quit, end, revoke, opt out, cancel, or unsubscribe" revokes consent; REMOVE,
 * OPT-OUT/OPTOUT and ARRET come from AWS End User Messaging's required opt-out keywords (its TD is a
 * whole-message phrase here).
 * French: ARRET, the French keyword Canadian carriers use next to STOP, and its imperative forms.
 * Spanish, German, Dutch: the usual verbs for stopping or cancelling a subscription.
 *
 * Deliberately left out, because as a first word they usually mean something else: QUITTER (French "to
 * leave"), KÜNDIGUNG/ABMELDUNG (German nouns, often about a contract), PARA (Spanish "for"; listed as a
 * whole-message phrase instead), ENDE and FIN (whole-message phrases only). STOPP, STOPPEN, ARRETER,
 * ARRETEZ and CANCELAR are keywords in their own right, listed explicitly; a word is never matched because it
 * contains a shorter keyword.
 */
export const OPT_OUT_KEYWORDS: KeywordTable = {
  en: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'UNSUB', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPT-OUT', 'REMOVE'],
  fr: [
    'STOP',
    'ARRÊT',
    'ARRÊTE',
    'ARRÊTER',
    'ARRÊTEZ',
    'DÉSABONNER',
    'DÉSABONNEMENT',
    'DÉSABONNEZ-MOI',
    'DÉSINSCRIRE',
    'DÉSINSCRIPTION',
    'DÉSINSCRIVEZ-MOI',
    'ANNULER',
  ],
  es: [
    'STOP',
    'ALTO',
    'PARAR',
    'PARE',
    'BAJA',
    'CANCELAR',
    'DETENER',
    'DESUSCRIBIR',
    'DESUSCRIBIRME',
    'DESUSCRIBIRSE',
  ],
  de: ['STOP', 'STOPP', 'STOPPEN', 'ABMELDEN', 'ABBESTELLEN', 'AUSTRAGEN', 'KÜNDIGEN', 'KUENDIGEN'],
  nl: ['STOP', 'STOPPEN', 'AFMELDEN', 'UITSCHRIJVEN', 'OPZEGGEN'],
};

/**
 * Phrases that opt out only when they are the whole message (after normalisation, so "Please stop!!" and
 * "please, stop" match "PLEASE STOP"). Single words here are real opt-outs alone but too common as the first
 * word of ordinary text ("Para mañana", "Ende der Woche"). Phrases that start with a keyword ("STOP TEXTING
 * ME") would match anyway and are listed for the documentation.
 */
export const OPT_OUT_PHRASES: KeywordTable = {
  en: [
    'STOP TEXTING ME',
    'STOP MESSAGING ME',
    'PLEASE STOP',
    'PLS STOP',
    'TAKE ME OFF',
    'TAKE ME OFF YOUR LIST',
    'TAKE ME OFF THE LIST',
    'REMOVE ME',
    'UNSUBSCRIBE ME',
    'DO NOT TEXT',
    'DO NOT TEXT ME',
    "DON'T TEXT ME",
    'NO MORE TEXTS',
    'NO MORE MESSAGES',
    'LEAVE ME ALONE',
    // On AWS End User Messaging's default opt-out list; an abbreviation, so honoured as the whole message only.
    'TD',
  ],
  fr: [
    'SVP STOP',
    'SVP ARRÊTEZ',
    "MERCI D'ARRÊTER",
    'RETIREZ-MOI',
    'RETIREZ-MOI DE LA LISTE',
    "NE M'ÉCRIVEZ PLUS",
    "NE M'ENVOYEZ PLUS DE MESSAGES",
    'FIN',
  ],
  es: [
    'PARA',
    'PARA YA',
    'POR FAVOR PARA',
    'DAR DE BAJA',
    'DARME DE BAJA',
    'NO MÁS',
    'NO MÁS MENSAJES',
    'NO ME ENVÍEN MÁS MENSAJES',
    'DEJEN DE ENVIARME MENSAJES',
  ],
  de: ['ENDE', 'BITTE STOPP', 'BITTE STOP', 'BITTE ABMELDEN', 'KEINE NACHRICHTEN MEHR', 'KEINE SMS MEHR'],
  nl: ['GEEN BERICHTEN MEER', 'GEEN SMS MEER', 'STUUR ME GEEN BERICHTEN MEER', 'HAAL ME VAN DE LIJST'],
};

/** Words that ask for help when they are the whole message or its first word. */
export const HELP_KEYWORDS: KeywordTable = {
  en: ['HELP', 'INFO'],
  fr: ['AIDE'],
  es: ['AYUDA'],
  de: ['HILFE'],
  nl: ['HULP'],
};

/**
 * Words that opt back in (or confirm a double opt-in) only when they are the whole message. SÍ is written with
 * its accent; normalisation makes SI match too.
 */
export const OPT_IN_KEYWORDS: KeywordTable = {
  en: ['START', 'UNSTOP', 'YES'],
  fr: ['OUI'],
  es: ['SÍ'],
  de: ['JA'],
  nl: ['JA'],
};

// Apostrophe look-alikes; mapped before NFKD, which would split the acute accent (U+00B4) into space + mark.
const APOSTROPHES = /[\u2018\u2019\u201B\u02BC\u02B9\u0060\u00B4\uFF07]/gu;
// Hyphens and underscores that join two letters or digits into one token. Dashes (– —) separate instead.
const JOINERS = /(?<=[\p{L}\p{N}])[-_\u2010\u2011]+(?=[\p{L}\p{N}])/gu;
const INNER_APOSTROPHE = /(?<=[\p{L}\p{N}])'+(?=[\p{L}\p{N}])/gu;

/**
 * Normalises an inbound message for keyword matching: upper-cased, NFKD with diacritics and invisible format
 * characters (zero-width space, soft hyphen) removed, hyphens/underscores/apostrophes inside a token removed, every other character that is
 * not a letter or digit (punctuation, symbols, emoji) turned into a space, white space collapsed and trimmed.
 *
 * @example normalizeInbound('  Opt-Out!! 🙏') === 'OPTOUT'
 * @example normalizeInbound('Arrêt, merci') === 'ARRET MERCI'
 */
export function normalizeInbound(text: string): string {
  return (
    text
      .replace(APOSTROPHES, "'")
      .toUpperCase()
      .normalize('NFKD')
      .replace(/[\p{M}\p{Cf}]/gu, '')
      // Again: a few compatibility forms decompose to lower case (ª → a).
      .toUpperCase()
      .replace(JOINERS, '')
      .replace(INNER_APOSTROPHE, '')
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim()
  );
}

interface Entry {
  readonly action: Exclude<InboundAction, 'none'>;
  readonly keyword: string;
  readonly language: Language;
  /** One way of typing the entry, as normalised tokens. */
  readonly tokens: readonly string[];
}

/** Every way of typing a table entry: each hyphen may be written as nothing or as a space. */
function spellings(written: string): string[][] {
  const [first = '', ...rest] = written.split('-');
  let variants = [first];
  for (const part of rest) variants = variants.flatMap((v) => [`${v}${part}`, `${v} ${part}`]);
  return variants.map((v) => normalizeInbound(v).split(' '));
}

function entries(table: KeywordTable, action: Entry['action']): Entry[] {
  return LANGUAGES.flatMap((language) =>
    table[language].flatMap((written) => {
      const keyword = normalizeInbound(written);
      return spellings(written).map((tokens) => ({ action, keyword, language, tokens }));
    }),
  );
}

/** Indexes entries by a key; the first entry for a key (in `LANGUAGES` order) wins. */
function indexBy(list: readonly Entry[], key: (entry: Entry) => string): Map<string, Entry[]> {
  const index = new Map<string, Entry[]>();
  for (const entry of list) {
    const k = key(entry);
    const bucket = index.get(k) ?? [];
    if (!bucket.some((e) => e.tokens.join(' ') === entry.tokens.join(' '))) bucket.push(entry);
    index.set(k, bucket);
  }
  // Longest spelling first, so "DESABONNEZ MOI" reports DESABONNEZMOI rather than a shorter keyword.
  for (const bucket of index.values()) bucket.sort((a, b) => b.tokens.length - a.tokens.length);
  return index;
}

const OPT_OUT_ENTRIES = entries(OPT_OUT_KEYWORDS, 'opt_out');
const HELP_ENTRIES = entries(HELP_KEYWORDS, 'help');
const OPT_IN_ENTRIES = entries(OPT_IN_KEYWORDS, 'opt_in');

const BY_FIRST_TOKEN = {
  opt_out: indexBy(OPT_OUT_ENTRIES, (e) => e.tokens[0] ?? ''),
  help: indexBy(HELP_ENTRIES, (e) => e.tokens[0] ?? ''),
  opt_in: indexBy(OPT_IN_ENTRIES, (e) => e.tokens[0] ?? ''),
};
const PHRASES = indexBy(entries(OPT_OUT_PHRASES, 'opt_out'), (e) => e.tokens.join(' '));
const OPT_IN_WHOLE = indexBy(OPT_IN_ENTRIES, (e) => e.tokens.join(' '));

/** The entry of this action whose spelling starts `tokens` at `at`, if any. */
function entryAt(tokens: readonly string[], at: number, action: Entry['action']): Entry | undefined {
  const candidates = BY_FIRST_TOKEN[action].get(tokens[at] ?? '') ?? [];
  return candidates.find((e) => e.tokens.every((token, i) => tokens[at + i] === token));
}

/** Reads the whole message as a run of keywords; returns the first opt-out among them, if it is one. */
function optOutInKeywordRun(tokens: readonly string[]): Entry | undefined {
  let firstOptOut: Entry | undefined;
  for (let at = 0; at < tokens.length;) {
    const optOut = entryAt(tokens, at, 'opt_out');
    const entry = optOut ?? entryAt(tokens, at, 'help') ?? entryAt(tokens, at, 'opt_in');
    if (entry === undefined) return undefined;
    firstOptOut ??= optOut;
    at += entry.tokens.length;
  }
  return firstOptOut;
}

function result(entry: Entry): InboundClassification {
  return { action: entry.action, keyword: entry.keyword, language: entry.language };
}

const NONE: InboundClassification = { action: 'none' };

/** Classifies an inbound SMS body; see the module comment for the rules. Never throws. */
export function classifyInbound(text: string): InboundClassification {
  const normalized = normalizeInbound(text);
  if (!/\p{L}/u.test(normalized)) return NONE;
  const tokens = normalized.split(' ');

  const optOut = entryAt(tokens, 0, 'opt_out') ?? PHRASES.get(normalized)?.[0] ?? optOutInKeywordRun(tokens);
  if (optOut !== undefined) return result(optOut);

  const help = entryAt(tokens, 0, 'help');
  if (help !== undefined) return result(help);

  const optIn = OPT_IN_WHOLE.get(normalized)?.[0];
  if (optIn !== undefined) return result(optIn);

  return NONE;
}
