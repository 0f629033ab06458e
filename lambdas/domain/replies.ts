/**
 * The automatic replies optline sends to keywords: the opt-out confirmation, the HELP reply, the opt-in
 * confirmation and the double opt-in request. Pure module (no AWS SDK).
 *
 * Rules every reply follows:
 * - It names the brand first and carries no marketing: it only confirms or explains.
 * - It fits one GSM-7 segment (160 characters) for a brand of up to 20 characters and a short contact, so it
 *   uses only GSM 03.38 characters: no ê, ç, á, í, ó or ú (Spanish replies are phrased to avoid them).
 * - Every keyword it tells the subscriber to send is one `classifyInbound` honours (`REPLY_KEYWORDS`).
 * - It is written in the subscriber's locale when that is one of `LANGUAGES`, and in English otherwise.
 */
import { type Language, LANGUAGES } from './keywords';

/** The keywords each locale's replies tell the subscriber to send. */
export const REPLY_KEYWORDS: Readonly<
  Record<
    Language,
    { readonly stop: string; readonly start: string; readonly yes: string; readonly help: string }
  >
> = {
  en: { stop: 'STOP', start: 'START', yes: 'YES', help: 'HELP' },
  fr: { stop: 'STOP', start: 'START', yes: 'OUI', help: 'AIDE' },
  es: { stop: 'STOP', start: 'START', yes: 'SI', help: 'AYUDA' },
  de: { stop: 'STOP', start: 'START', yes: 'JA', help: 'HILFE' },
  nl: { stop: 'STOP', start: 'START', yes: 'JA', help: 'HULP' },
};

interface Templates {
  readonly optOut: (brand: string) => string;
  readonly help: (brand: string, contact: string) => string;
  readonly optIn: (brand: string) => string;
  readonly doubleOptIn: (brand: string) => string;
}

const TEMPLATES: Readonly<Record<Language, Templates>> = {
  en: {
    optOut: (b) =>
      `${b}: you are unsubscribed and will receive no more messages. Reply START to resubscribe.`,
    help: (b, c) => `${b}: for help contact ${c}. Reply STOP to opt out. Msg&data rates may apply.`,
    optIn: (b) => `${b}: you are subscribed. Reply HELP for help, STOP to opt out. Msg&data rates may apply.`,
    doubleOptIn: (b) =>
      `${b}: reply YES to confirm you want to receive our messages. Reply STOP to opt out. Msg&data rates may apply.`,
  },
  fr: {
    optOut: (b) =>
      `${b} : désinscription confirmée, vous ne recevrez plus de messages. Répondez START pour vous réabonner.`,
    help: (b, c) =>
      `${b} : pour de l'aide, contactez ${c}. Répondez STOP pour vous désabonner. Frais de SMS et données possibles.`,
    optIn: (b) =>
      `${b} : inscription confirmée. Répondez AIDE pour de l'aide, STOP pour vous désabonner. Frais de SMS et données possibles.`,
    doubleOptIn: (b) =>
      `${b} : répondez OUI pour confirmer votre inscription, STOP pour refuser. Frais de SMS et données possibles.`,
  },
  es: {
    optOut: (b) =>
      `${b}: te has dado de baja. Ya no te enviaremos mensajes. Responde START para volver a suscribirte.`,
    help: (b, c) =>
      `${b}: ayuda en ${c}. Responde STOP para darte de baja. Pueden aplicarse tarifas de mensajes y datos.`,
    optIn: (b) =>
      `${b}: te has suscrito. Responde AYUDA para ayuda, STOP para darte de baja. Pueden aplicarse tarifas de mensajes y datos.`,
    doubleOptIn: (b) =>
      `${b}: responde SI para confirmar que quieres recibir mensajes, STOP para cancelar. Pueden aplicarse tarifas de mensajes y datos.`,
  },
  de: {
    optOut: (b) =>
      `${b}: Sie sind abgemeldet und erhalten keine Nachrichten mehr. Antworten Sie START zum erneuten Anmelden.`,
    help: (b, c) =>
      `${b}: Hilfe unter ${c}. Antworten Sie STOP zum Abmelden. Es können SMS- und Datengebühren anfallen.`,
    optIn: (b) =>
      `${b}: Anmeldung bestätigt. Antworten Sie HILFE für Hilfe, STOP zum Abmelden. Es können SMS- und Datengebühren anfallen.`,
    doubleOptIn: (b) =>
      `${b}: Antworten Sie JA, um Ihre Anmeldung zu bestätigen, oder STOP zum Ablehnen. Es können SMS- und Datengebühren anfallen.`,
  },
  nl: {
    optOut: (b) =>
      `${b}: je bent afgemeld en ontvangt geen berichten meer. Antwoord START om je weer aan te melden.`,
    help: (b, c) =>
      `${b}: hulp via ${c}. Antwoord STOP om je af te melden. Er kunnen sms- en datakosten gelden.`,
    optIn: (b) =>
      `${b}: je bent aangemeld. Antwoord HULP voor hulp, STOP om je af te melden. Er kunnen sms- en datakosten gelden.`,
    doubleOptIn: (b) =>
      `${b}: antwoord JA om je aanmelding te bevestigen, STOP om te weigeren. Er kunnen sms- en datakosten gelden.`,
  },
};

/**
 * The reply language for a subscriber's locale: its primary language subtag when optline has replies in it
 * ('fr-FR', 'fr_CA', 'FR' → 'fr'), otherwise English.
 */
export function resolveReplyLanguage(locale?: string): Language {
  const primary = (locale ?? '').trim().toLowerCase().split(/[-_]/u)[0] ?? '';
  return (LANGUAGES as readonly string[]).includes(primary) ? (primary as Language) : 'en';
}

/** The single confirmation sent after an opt-out: no marketing, only how to come back. */
export function optOutConfirmation(brand: string, locale?: string): string {
  return TEMPLATES[resolveReplyLanguage(locale)].optOut(brand);
}

export interface HelpTenant {
  readonly brand: string;
  /** The tenant's own HELP reply, sent as-is in every locale. @default - optline's reply in the subscriber's locale */
  readonly helpText?: string;
  /** A phone number, e-mail address or URL where subscribers get help. */
  readonly contact: string;
}

/** The reply to HELP/INFO: the tenant's help text when it has one (a blank one counts as none). */
export function helpReply(tenant: HelpTenant, locale?: string): string {
  if (tenant.helpText !== undefined && tenant.helpText.trim() !== '') return tenant.helpText;
  return TEMPLATES[resolveReplyLanguage(locale)].help(tenant.brand, tenant.contact);
}

/** The confirmation sent when a subscriber opts in or back in. */
export function optInConfirmation(brand: string, locale?: string): string {
  return TEMPLATES[resolveReplyLanguage(locale)].optIn(brand);
}

/** The double opt-in request: the subscription stays pending until the subscriber replies YES (OUI, SI, JA). */
export function doubleOptInRequest(brand: string, locale?: string): string {
  return TEMPLATES[resolveReplyLanguage(locale)].doubleOptIn(brand);
}
