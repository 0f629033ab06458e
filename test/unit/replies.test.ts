import { countSegments } from '../../lambdas/domain/content-policy';
import { classifyInbound, LANGUAGES } from '../../lambdas/domain/keywords';
import {
  doubleOptInRequest,
  helpReply,
  optInConfirmation,
  optOutConfirmation,
  REPLY_KEYWORDS,
  resolveReplyLanguage,
} from '../../lambdas/domain/replies';

const BRAND_20 = 'Twenty Char Brand Co';
const CONTACTS = ['help@demo-shop.example', '+44 20 7946 0958', 'https://demo.example/help'];

/** Every reply optline writes for one locale, by name. */
const repliesFor = (locale: string, contact = CONTACTS[0] ?? ''): Record<string, string> => ({
  optOutConfirmation: optOutConfirmation(BRAND_20, locale),
  helpReply: helpReply({ brand: BRAND_20, contact }, locale),
  optInConfirmation: optInConfirmation(BRAND_20, locale),
  doubleOptInRequest: doubleOptInRequest(BRAND_20, locale),
});

describe('resolveReplyLanguage', () => {
  it.each([
    ['fr-FR', 'fr'],
    ['fr_CA', 'fr'],
    ['FR', 'fr'],
    ['es-419', 'es'],
    ['de-AT', 'de'],
    ['nl-BE', 'nl'],
    ['en-GB', 'en'],
    ['pt-BR', 'en'],
    ['french', 'en'],
    ['', 'en'],
    [undefined, 'en'],
  ])('resolves %j to %s', (locale, expected) => {
    expect(resolveReplyLanguage(locale)).toBe(expected);
  });
});

describe('optOutConfirmation', () => {
  it('confirms in English with the brand and how to resubscribe', () => {
    expect(optOutConfirmation('Demo Shop')).toBe(
      'Demo Shop: you are unsubscribed and will receive no more messages. Reply START to resubscribe.',
    );
  });

  it.each([
    ['fr-FR', 'désinscription confirmée'],
    ['es-ES', 'te has dado de baja'],
    ['de-DE', 'Sie sind abgemeldet'],
    ['nl-NL', 'je bent afgemeld'],
  ])('confirms in the subscriber locale %s', (locale, expected) => {
    // GIVEN a subscriber locale  WHEN the confirmation is built  THEN it is in that language and names the brand
    const reply = optOutConfirmation('Demo Shop', locale);
    expect(reply).toContain(expected);
    expect(reply.startsWith('Demo Shop')).toBe(true);
  });

  it('falls back to English for an unsupported locale', () => {
    expect(optOutConfirmation('Demo Shop', 'ja-JP')).toBe(optOutConfirmation('Demo Shop', 'en'));
  });

  it.each(LANGUAGES)('contains no marketing words in any %s reply', (language) => {
    const marketing =
      /\b(offers?|sales?|deals?|discounts?|promo\w*|free|offres?|soldes?|ofertas?|descuentos?|gratis|angebot\w*|rabatt\w*|aanbieding\w*|korting)\b|%/iu;
    for (const reply of Object.values(repliesFor(language))) expect(reply).not.toMatch(marketing);
  });
});

describe('helpReply', () => {
  it('gives the brand, contact, STOP instruction and rates notice in English', () => {
    expect(helpReply({ brand: 'Demo Shop', contact: '+1 555 0100' })).toBe(
      'Demo Shop: for help contact +1 555 0100. Reply STOP to opt out. Msg&data rates may apply.',
    );
  });

  it.each([
    ['fr', ['Répondez STOP', 'Frais de SMS']],
    ['es', ['Responde STOP', 'tarifas de mensajes y datos']],
    ['de', ['Antworten Sie STOP', 'Datengebühren']],
    ['nl', ['Antwoord STOP', 'kosten']],
  ] as const)('gives the STOP instruction and rates notice in %s', (locale, fragments) => {
    const reply = helpReply({ brand: 'Demo Shop', contact: 'help@demo.example' }, locale);
    expect(reply).toContain('Demo Shop');
    expect(reply).toContain('help@demo.example');
    for (const fragment of fragments) expect(reply).toContain(fragment);
  });

  it('sends the tenant help text as-is, in every locale', () => {
    const tenant = {
      brand: 'Demo Shop',
      contact: 'x',
      helpText: 'Demo Shop help: call 0800 123. STOP to end.',
    };
    for (const language of LANGUAGES) expect(helpReply(tenant, language)).toBe(tenant.helpText);
  });

  it('ignores a blank tenant help text rather than sending an empty SMS', () => {
    const reply = helpReply({ brand: 'Demo Shop', contact: 'help@demo.example', helpText: '  ' });
    expect(reply).toContain('Reply STOP to opt out');
  });
});

describe('optInConfirmation and doubleOptInRequest', () => {
  it('asks for YES in English and explains how to opt out', () => {
    const request = doubleOptInRequest('Demo Shop');
    expect(request).toMatch(/^Demo Shop: reply YES to confirm/u);
    expect(request).toContain('Reply STOP to opt out');
  });

  it.each([
    ['fr-CA', 'OUI'],
    ['es-MX', 'SI'],
    ['de-CH', 'JA'],
    ['nl-BE', 'JA'],
  ])('asks for the %s confirmation word %s', (locale, word) => {
    expect(doubleOptInRequest('Demo Shop', locale)).toMatch(new RegExp(`\\b${word}\\b`, 'u'));
  });

  it('confirms an opt-in with the HELP and STOP keywords of the locale', () => {
    expect(optInConfirmation('Demo Shop', 'de')).toContain('HILFE');
    expect(optInConfirmation('Demo Shop', 'de')).toContain('STOP');
    expect(optInConfirmation('Demo Shop')).toContain('Reply HELP');
  });
});

describe('every reply', () => {
  it.each(LANGUAGES.flatMap((language) => CONTACTS.map((contact) => [language, contact] as const)))(
    'fits one GSM-7 segment in %s for a 20-character brand and contact %s',
    (language, contact) => {
      // GIVEN a brand of exactly 20 characters
      expect(BRAND_20).toHaveLength(20);
      // WHEN every reply is built  THEN each is GSM-7 and one segment
      for (const [name, reply] of Object.entries(repliesFor(language, contact))) {
        expect({ name, ...countSegments(reply) }).toMatchObject({ name, encoding: 'GSM-7', segments: 1 });
        expect(reply.length).toBeLessThanOrEqual(160);
      }
    },
  );

  it.each(LANGUAGES)('names only keywords that classifyInbound honours, in %s', (language) => {
    // GIVEN the keywords a reply tells the subscriber to send  WHEN each is sent back  THEN it does what it says
    const words = REPLY_KEYWORDS[language];
    expect(classifyInbound(words.stop).action).toBe('opt_out');
    expect(classifyInbound(words.start).action).toBe('opt_in');
    expect(classifyInbound(words.yes).action).toBe('opt_in');
    expect(classifyInbound(words.help).action).toBe('help');
    const replies = repliesFor(language);
    expect(replies.optOutConfirmation).toContain(words.start);
    expect(replies.helpReply).toContain(words.stop);
    expect(replies.optInConfirmation).toContain(words.help);
    expect(replies.doubleOptInRequest).toContain(words.yes);
  });

  it.each(LANGUAGES)('differs from English in %s unless the locale is English', (language) => {
    const english = repliesFor('en');
    const localised = repliesFor(language);
    for (const name of Object.keys(english)) {
      if (language === 'en') expect(localised[name]).toBe(english[name]);
      else expect(localised[name]).not.toBe(english[name]);
    }
  });
});
