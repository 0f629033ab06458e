/**
 * The deployed inbound path: End User Messaging two-way SMS → SNS → SQS (raw delivery) → this batch handler.
 * Each record is one inbound message; the tenant is the owner of the number it was sent to.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DynamoSubscriberStore } from '../adapters/dynamo/subscriber-store';
import { processInbound, type InboundDeps, type InboundOutcome } from '../domain/inbound';
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

export interface InboundSmsDeps {
  readonly inbound: InboundDeps;
  /** Inbound number (E.164) → tenant id. */
  readonly tenantByNumber: Readonly<Record<string, string>>;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
}

/** Handles one record; throws only when it should be retried (a store or provider failure). */
export function inboundRecordProcessor(
  deps: InboundSmsDeps,
): (record: SQSRecord) => Promise<InboundOutcome | 'ignored'> {
  return async (record) => {
    let parsed: z.infer<typeof inboundRecord>;
    try {
      parsed = inboundRecord.parse(JSON.parse(record.body));
    } catch {
      deps.logger.warn('Inbound record ignored: not an inbound SMS', { outcome: 'ignored' });
      return 'ignored';
    }
    const tenantId = deps.tenantByNumber[parsed.destinationNumber];
    if (!tenantId) {
      deps.logger.warn('Inbound record ignored: the number belongs to no tenant of this cell', {
        outcome: 'ignored',
      });
      return 'ignored';
    }
    const { action, keyword } = await processInbound(deps.inbound, {
      // Both survive redelivery: the provider's id (else the queue's) and the time the queue first got it.
      messageId: parsed.inboundMessageId ?? record.messageId,
      tenantId,
      from: parsed.originationNumber,
      body: parsed.messageBody,
      at: new Date(Number(record.attributes.SentTimestamp)),
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
