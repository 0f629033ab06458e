/**
 * Origination identities: the numbers and sender ids a cell sends from, and the rules each type brings. Pure module
 * (no AWS SDK); the Data stack provisions the types it can, the cell config is validated against the rules, and
 * the inbound path reads them. CloudFormation cannot register numbers: "Registering phone numbers is not
 * supported by AWS CloudFormation" (aws-resource-smsvoice-phonenumber.html).
 *
 * Every rule names the page of the AWS End User Messaging SMS user guide it comes from.
 */

export const IDENTITY_TYPES = ['SIMULATOR', 'LONG_CODE', 'TEN_DLC', 'TOLL_FREE', 'SENDER_ID'] as const;
export type IdentityType = (typeof IDENTITY_TYPES)[number];

export interface IdentityRules {
  /** It can receive SMS, so a two-way channel, keywords and an opt-out list apply to it. */
  readonly twoWay: boolean;
  /**
   * CloudFormation can create it ready to send. A type that must be registered first cannot be: CloudFormation
   * does not register numbers, and an unregistered one stays pending (a US toll-free number up to 15 business
   * days), which would hold up or roll back the stack. Such a number is registered by hand and listed under the
   * cell's `inboundNumbers` with its type.
   */
  readonly provisioned: boolean;
  /**
   * The carrier answers STOP itself with a reply that cannot be changed: optline records the opt-out and sends
   * no confirmation of its own, so the subscriber gets one, never two.
   */
  readonly carrierAnswersStop: boolean;
  /** The only countries it exists in (ISO 3166-1 alpha-2). @default - any */
  readonly countries?: readonly string[];
  /** What must happen outside CloudFormation before it can send. @default - nothing */
  readonly registration?: string;
  /** Where the rules above come from. */
  readonly source: string;
}

export const IDENTITY_RULES: Readonly<Record<IdentityType, IdentityRules>> = {
  SIMULATOR: {
    twoWay: true,
    // "Simulator numbers … with no registration required."
    provisioned: true,
    carrierAnswersStop: false,
    // "AWS End User Messaging SMS currently supports origination simulator phone numbers in the United States",
    // and they send only to destination simulator numbers of the same country.
    countries: ['US'],
    source: 'https://docs.aws.amazon.com/sms-voice/latest/userguide/test-phone-numbers.html',
  },
  LONG_CODE: {
    twoWay: true,
    provisioned: true,
    carrierAnswersStop: false,
    source: 'https://docs.aws.amazon.com/sms-voice/latest/userguide/phone-numbers.html',
  },
  TEN_DLC: {
    twoWay: true,
    provisioned: false,
    carrierAnswersStop: false,
    countries: ['US'],
    registration:
      'a US 10DLC brand and campaign registration; the number it provisions is then imported into the Data stack',
    // "In the United States, 10DLC is the standard local number type and requires registration before you can send."
    source:
      'https://docs.aws.amazon.com/end-user-messaging/latest/userguide/nx-sms-get-set-up-identities.html',
  },
  TOLL_FREE: {
    twoWay: true,
    provisioned: false,
    // "For US toll-free numbers, opt-outs are managed at the carrier level. … You can't … change the response
    // message that your recipients get when they opt-out."
    carrierAnswersStop: true,
    countries: ['US', 'CA'],
    registration: 'a toll-free number registration (up to 15 business days) before it can send',
    source: 'https://docs.aws.amazon.com/sms-voice/latest/userguide/keywords-required.html',
  },
  SENDER_ID: {
    // "Sender IDs are a great option for one-way use cases": recipients cannot reply, so a sender id has no
    // keywords and no opt-out list of its own (AWS::SMSVOICE::SenderId has neither property). CloudFormation
    // requests sender ids "that don't require registration".
    twoWay: false,
    provisioned: true,
    carrierAnswersStop: false,
    registration: 'a sender id registration in the countries that require one',
    source: 'https://docs.aws.amazon.com/sms-voice/latest/userguide/phone-numbers.html',
  },
};

/** A number the cell receives SMS on, and whose it is. */
export interface InboundNumber {
  /** E.164. */
  readonly number: string;
  readonly tenant: string;
  /** @default - a number listed by hand: no carrier rules known */
  readonly type?: IdentityType;
}

/** Inbound numbers by E.164, from the `INBOUND_NUMBERS` list the stack writes. */
export function inboundNumbersByNumber(
  entries: readonly InboundNumber[],
): ReadonlyMap<string, InboundNumber> {
  return new Map(entries.map((entry) => [entry.number, entry]));
}

/** Whether the carrier answers a STOP sent to this number itself (so optline must not confirm it again). */
export const carrierAnswersStop = (entry: InboundNumber): boolean =>
  entry.type !== undefined && IDENTITY_RULES[entry.type].carrierAnswersStop;
