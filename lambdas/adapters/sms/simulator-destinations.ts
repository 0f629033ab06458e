/**
 * End User Messaging's destination simulator numbers: sends to them never reach a carrier, and the service
 * answers with a success or a failure delivery event. The smoke test sends to the US pair, and local mode's
 * outbox answers them as the simulator does (DESIGN §9, Smoke test).
 *
 * The numbers are copied from the table in "Simulator phone numbers in AWS End User Messaging SMS"
 * (https://docs.aws.amazon.com/sms-voice/latest/userguide/test-phone-numbers.html). The US pair is the one to
 * use: origination simulator numbers exist only in the United States, and they send only to destination
 * simulator numbers of the same country.
 */
import type { OutboundSms } from '../../domain/sms';
import { smsMessageType } from './end-user-messaging-sender';

/** The United States destination simulator numbers (public test numbers, not personal data). */
export const US_SIMULATOR_DESTINATIONS = {
  /** Produces a message success event. */
  success: '+14254147755',
  /** Produces a message failure event. */
  failure: '+14254147167',
} as const;

export type SimulatedOutcome = keyof typeof US_SIMULATOR_DESTINATIONS;

/** The outcome the simulator gives a destination number, or `undefined` for any other number. */
export function simulatedOutcome(to: string): SimulatedOutcome | undefined {
  if (to === US_SIMULATOR_DESTINATIONS.success) return 'success';
  if (to === US_SIMULATOR_DESTINATIONS.failure) return 'failure';
  return undefined;
}

/**
 * The event types the local stand-in reports. The guide does not say which failure type the simulator's
 * failure number produces; TEXT_UNREACHABLE ("the recipient's device is unavailable") is a final failure.
 */
const EVENT_TYPE: Readonly<Record<SimulatedOutcome, string>> = {
  success: 'TEXT_DELIVERED',
  failure: 'TEXT_UNREACHABLE',
};

/**
 * The delivery event End User Messaging publishes to the configuration set's SNS topic for a message sent to a
 * simulator number, as JSON: the body one delivery-events SQS record carries (raw message delivery).
 *
 * Fields follow "Example SMS event data"
 * (https://docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-event-format.html), with
 * `context` holding what EndUserMessagingSender passes as `Context`. Fields the stand-in cannot know, such as
 * the origination number and prices, are left out; the delivery-status consumer does not read them.
 */
export function simulatorDeliveryEvent(
  message: OutboundSms,
  outcome: SimulatedOutcome,
  times: { requestedAt: Date; reportedAt: Date },
  providerMessageId: string,
): string {
  return JSON.stringify({
    eventType: EVENT_TYPE[outcome],
    eventVersion: '1.0',
    eventTimestamp: times.reportedAt.getTime(),
    isFinal: true,
    destinationPhoneNumber: US_SIMULATOR_DESTINATIONS[outcome],
    isoCountryCode: 'US',
    messageId: providerMessageId,
    messageRequestTimestamp: times.requestedAt.getTime(),
    messageType: smsMessageType(message.category),
    context: { tenantId: message.tenantId, messageId: message.messageId },
  });
}
