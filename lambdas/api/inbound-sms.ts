/**
 * The deployed inbound path: End User Messaging two-way SMS → SNS → SQS → this batch handler. Each record is one
 * inbound message; the tenant is the owner of the number it was sent to.
 *
 * The queue receives SNS's notification envelope, not the raw message, for its `Timestamp`: when SNS accepted the
 * message. That is when the subscriber's keyword counts as sent (an opt-in sent before a standing opt-out changes
 * nothing), and unlike the SQS `SentTimestamp` it survives a redrive from the dead-letter queue, which queues the
 * message anew under a new id and enqueue time. A raw record (queued before the subscription delivered envelopes)
 * is still read, with its `SentTimestamp`.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DynamoSubscriberStore } from '../adapters/dynamo/subscriber-store';
import { processInbound, type InboundDeps, type InboundOutcome } from '../domain/inbound';
import {
  carrierAnswersStop,
  inboundNumbersByNumber,
  type InboundNumber,
} from '../domain/origination-identities';
import * as z from '../shared/zod';
import { consentDeps, sendDeps } from './domain-deps';
import type { INBOUND_TABLES } from './function-tables';
import type { ConsentPorts, SendingPorts } from './ports';

/** The stores and sender the inbound path needs, built from ports: shared by the Lambda and the local server. */
export function inboundDeps(
  ports: SendingPorts<(typeof INBOUND_TABLES)[number]> & ConsentPorts<(typeof INBOUND_TABLES)[number]>,
): InboundDeps {
  return {
    ...sendDeps(ports),
    ...consentDeps(ports),
    subscribers: new DynamoSubscriberStore(ports.db, ports.tables),
  };
}

/** The fields optline reads of an End User Messaging inbound-message record. */
const inboundRecord = z.object({
  originationNumber: z.string(),
  destinationNumber: z.string(),
  messageBody: z.string(),
  inboundMessageId: z.optional(z.string().check(z.minLength(1))),
});

/** The fields optline reads of SNS's notification envelope around a message delivered to SQS. */
const snsNotification = z.object({
  Type: z.literal('Notification'),
  MessageId: z.string().check(z.minLength(1)),
  Message: z.string(),
  Timestamp: z.iso.datetime(),
});

interface InboundEnvelope {
  /** The End User Messaging record, still unparsed. */
  readonly payload: unknown;
  /** When the message entered the pipeline, kept across redeliveries and redrives where the format allows. */
  readonly sentAt: Date;
  /** An id for a record that carries no provider id of its own. */
  readonly fallbackId: string;
}

/** Opens an SQS record: SNS's envelope, or a raw message queued before envelopes. Throws on anything else. */
function openEnvelope(record: SQSRecord): InboundEnvelope {
  const body: unknown = JSON.parse(record.body);
  const notification = snsNotification.safeParse(body);
  if (notification.success) {
    const { Message, Timestamp, MessageId } = notification.data;
    return { payload: JSON.parse(Message), sentAt: new Date(Timestamp), fallbackId: MessageId };
  }
  return {
    payload: body,
    sentAt: new Date(Number(record.attributes.SentTimestamp)),
    fallbackId: record.messageId,
  };
}

export interface InboundSmsDeps {
  readonly inbound: InboundDeps;
  /** The cell's inbound numbers, each with its tenant and, for a provisioned identity, its type. */
  readonly inboundNumbers: readonly InboundNumber[];
  readonly logger: Pick<Logger, 'info' | 'warn'>;
}

/** Handles one record; throws only when it should be retried (a store or provider failure). */
export function inboundRecordProcessor(
  deps: InboundSmsDeps,
): (record: SQSRecord) => Promise<InboundOutcome | 'ignored'> {
  const numbers = inboundNumbersByNumber(deps.inboundNumbers);
  return async (record) => {
    let envelope: InboundEnvelope;
    let parsed: z.infer<typeof inboundRecord>;
    try {
      envelope = openEnvelope(record);
      parsed = inboundRecord.parse(envelope.payload);
    } catch {
      deps.logger.warn('Inbound record ignored: not an inbound SMS', { outcome: 'ignored' });
      return 'ignored';
    }
    const inboundNumber = numbers.get(parsed.destinationNumber);
    if (!inboundNumber) {
      deps.logger.warn('Inbound record ignored: the number belongs to no tenant of this cell', {
        outcome: 'ignored',
      });
      return 'ignored';
    }
    const tenantId = inboundNumber.tenant;
    const { action, keyword } = await processInbound(deps.inbound, {
      // Both survive redelivery: the provider's id (else the envelope's) and the time the message was sent.
      messageId: parsed.inboundMessageId ?? envelope.fallbackId,
      tenantId,
      carrierAnswersStop: carrierAnswersStop(inboundNumber),
      from: parsed.originationNumber,
      body: parsed.messageBody,
      at: envelope.sentAt,
    });
    deps.logger.info('Inbound SMS processed', { tenantId, action, keyword });
    return action;
  };
}

export function inboundSmsHandler(
  deps: InboundSmsDeps,
): (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  const processRecord = inboundRecordProcessor(deps);
  return (event, context) =>
    processPartialResponse(event, processRecord, processor, context === undefined ? {} : { context });
}
