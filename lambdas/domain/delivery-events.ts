/**
 * Delivery events from AWS End User Messaging SMS (pinpoint-sms-voice-v2), as its configuration set's SNS
 * event destination publishes them (DESIGN §4, Send: "Delivery events update the status"). Pure: no AWS SDK.
 *
 * Event record format, per the AWS End User Messaging SMS User Guide:
 * - "Example SMS event data" (https://docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-event-format.html):
 *   a JSON object with `eventType`, `eventVersion`, `eventTimestamp` (Unix time in milliseconds), `isFinal`,
 *   `originationPhoneNumber`, `destinationPhoneNumber`, `messageId` (the provider's id), `messageStatus`,
 *   `messageStatusDescription`, `context` (the `Context` map given to SendTextMessage), prices, and more.
 * - "Event types for SMS, MMS, and voice" (https://docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-event-types.html):
 *   the TEXT_* event types mapped in {@link TEXT_EVENT_STATUS}.
 *
 * The EndUserMessagingSender puts `{ tenantId, messageId }` (our ids) in `Context`; an event without them is
 * not about a message optline sent and is ignored. The parsed update keeps ids, a status, a time and the event
 * type only: the phone numbers and the free-text description in the event are dropped here.
 */
import type { MessageStatus } from '../shared/schemas';
import * as z from '../shared/zod';

/** What one delivery event says about one of our messages. */
export interface DeliveryUpdate {
  /** Our message id, from the event's `context.messageId` (not the provider's `messageId`). */
  readonly messageId: string;
  /** From the event's `context.tenantId`. */
  readonly tenantId: string;
  readonly status: MessageStatus;
  /** When the provider reported the event (`eventTimestamp`). */
  readonly at: Date;
  /** The provider's event type, e.g. `TEXT_DELIVERED`: a fixed code, safe to store and log. */
  readonly providerStatus: string;
}

/** What applying an update did: changed the stored status, found nothing to change, or found no such message. */
export type DeliveryOutcome = 'updated' | 'unchanged' | 'unknown';

/** The port the delivery-status consumer writes through (DynamoMessageStatusStore in production). */
export interface DeliveryStatusStore {
  /**
   * Moves the tenant's message to `update.status` if that is a step forward (see {@link statusesReplacedBy}).
   * `unknown`: no such message for that tenant (never logged, expired, or another tenant's).
   */
  applyDelivery(update: DeliveryUpdate, now: Date): Promise<DeliveryOutcome>;
}

/**
 * The status each SMS event type means for optline; `undefined` means the event is ignored.
 *
 * - TEXT_DELIVERED: delivered to the handset, the final success.
 * - TEXT_SUCCESSFUL: "accepted by the recipient's carrier", which is where optline's `sent` already stands.
 *   The guide notes that, depending on the destination country, TEXT_DELIVERED and TEXT_SUCCESSFUL "may be
 *   used interchangeably": where a country only ever reports TEXT_SUCCESSFUL the message stays `sent`.
 * - TEXT_QUEUED, TEXT_PENDING: on the way; nothing to record.
 * - every failure type: `failed` (but see {@link parseDeliveryEvent} on `isFinal`).
 */
export const TEXT_EVENT_STATUS: Readonly<Record<string, MessageStatus | undefined>> = {
  TEXT_DELIVERED: 'delivered',
  TEXT_SUCCESSFUL: 'sent',
  TEXT_QUEUED: undefined,
  TEXT_PENDING: undefined,
  TEXT_BLOCKED: 'failed',
  TEXT_TTL_EXPIRED: 'failed',
  TEXT_CARRIER_UNREACHABLE: 'failed',
  TEXT_INVALID: 'failed',
  TEXT_INVALID_MESSAGE: 'failed',
  TEXT_CARRIER_BLOCKED: 'failed',
  TEXT_UNREACHABLE: 'failed',
  TEXT_SPAM: 'failed',
  TEXT_UNKNOWN: 'failed',
  TEXT_PROTECT_BLOCKED: 'failed',
};

/** How far along a status is: a status only ever moves to a higher rank. delivered and failed are final. */
const STATUS_RANK: Readonly<Record<MessageStatus, number>> = { sent: 0, delivered: 1, failed: 1 };

/** The stored statuses that an update to `status` may replace. Final statuses are never replaced. */
export function statusesReplacedBy(status: MessageStatus): MessageStatus[] {
  return (Object.keys(STATUS_RANK) as MessageStatus[]).filter(
    (stored) => STATUS_RANK[stored] < STATUS_RANK[status],
  );
}

/** Whether a status can never change again (delivered, failed). */
export const isFinalStatus = (status: MessageStatus): boolean =>
  STATUS_RANK[status] === Math.max(...Object.values(STATUS_RANK));

// Our ids: UUID message ids and tenant ids such as `demo`. No `#`, so a tenant id cannot forge a key prefix.
const ourId = z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/));

/** The fields optline reads; zod drops every other one (the phone numbers among them). */
const smsEvent = z.object({
  eventType: z.string().check(z.regex(/^[A-Z][A-Z0-9_]{0,63}$/)),
  // Unix time in milliseconds; the bound keeps `new Date` valid.
  eventTimestamp: z.int().check(z.gte(0), z.lte(8.64e15)),
  isFinal: z.optional(z.boolean()),
  context: z.object({ tenantId: ourId, messageId: ourId }),
});

/**
 * Parses one SMS event (the body of one SQS record: the SNS subscription uses raw message delivery).
 *
 * Returns `undefined`, never throws, for anything that is not an update to record: malformed JSON, a missing
 * or foreign `context`, a queued or pending event, an event type optline does not know (voice, MMS, types
 * added later), and a failure event flagged `isFinal: false`. The guide calls some failures temporary
 * (TEXT_CARRIER_UNREACHABLE; TEXT_UNKNOWN "can be temporary or permanent"), and the service reports a final
 * status within 72 hours, so only a failure that is final, or not flagged either way, marks the message failed.
 */
export function parseDeliveryEvent(json: string): DeliveryUpdate | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return undefined;
  }
  const parsed = smsEvent.safeParse(raw);
  if (!parsed.success) return undefined;
  const event = parsed.data;
  if (!Object.hasOwn(TEXT_EVENT_STATUS, event.eventType)) return undefined;
  const status = TEXT_EVENT_STATUS[event.eventType];
  if (status === undefined) return undefined;
  if (status === 'failed' && event.isFinal === false) return undefined;
  return {
    messageId: event.context.messageId,
    tenantId: event.context.tenantId,
    status,
    at: new Date(event.eventTimestamp),
    providerStatus: event.eventType,
  };
}
