/**
 * The delivery-status consumer, without its Lambda wiring: End User Messaging configuration set → SNS topic →
 * SQS (raw message delivery, so each record body is one event's JSON) → this. Each record updates one message
 * through the DeliveryStatusStore port; Powertools batch reports failed records alone, so only they return to
 * the queue (and, after the queue's maxReceiveCount, its dead-letter queue).
 *
 * Logs carry our message id and the outcome, never the event: it holds both phone numbers.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  parseDeliveryEvent,
  type DeliveryOutcome,
  type DeliveryStatusStore,
} from '../domain/delivery-events';

/** How one record was handled; a record that throws is reported in `batchItemFailures` instead. */
export type DeliveryRecordOutcome = DeliveryOutcome | 'ignored';

export interface DeliveryStatusDeps {
  readonly store: DeliveryStatusStore;
  readonly clock: () => Date;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
  /**
   * An event whose message is not found is retried (the record fails) while the event is younger than this.
   * The provider can report a message before optline has logged it (the send returns before the log write)
   * and before the `ByMessageId` index shows it. Older events for unknown messages are ignored: the message
   * expired, was never logged, or belongs to another tenant. @default 300000 (5 minutes)
   */
  readonly retryUnknownForMs?: number;
}

/** The message an event names is not (yet) in MessageLog; the record is retried. */
export class MessageNotFoundYetError extends Error {
  override readonly name = 'MessageNotFoundYetError';
  constructor(readonly messageId: string) {
    super(`Message ${messageId} is not in the message log yet`);
  }
}

/** Handles one SQS record: parse, apply, log. Throws only when the record should be retried. */
export function deliveryRecordProcessor(
  deps: DeliveryStatusDeps,
): (record: SQSRecord) => Promise<DeliveryRecordOutcome> {
  const retryUnknownForMs = deps.retryUnknownForMs ?? 300_000;
  return async (record) => {
    const update = parseDeliveryEvent(record.body);
    if (update === undefined) {
      deps.logger.info('Delivery event ignored', { outcome: 'ignored' });
      return 'ignored';
    }
    const { messageId } = update;
    const now = deps.clock();
    let outcome: DeliveryOutcome;
    try {
      outcome = await deps.store.applyDelivery(update, now);
    } catch (error) {
      const errorName = error instanceof Error ? error.name : 'Error';
      deps.logger.warn('Delivery event not applied; it will be retried', {
        messageId,
        outcome: 'error',
        errorName,
      });
      throw error;
    }
    if (outcome === 'unknown' && now.getTime() - update.at.getTime() < retryUnknownForMs) {
      deps.logger.warn('Delivery event for a message not found yet; it will be retried', {
        messageId,
        outcome: 'retry',
      });
      throw new MessageNotFoundYetError(messageId);
    }
    deps.logger.info('Delivery event processed', { messageId, outcome });
    return outcome;
  };
}

/**
 * The SQS batch handler: records are processed in parallel (each update is a conditional, forward-only write,
 * so their order does not matter) and failed ones are returned as `batchItemFailures`. As Powertools does by
 * default, a batch in which every record failed throws, so the whole batch is retried.
 */
export function deliveryStatusHandler(
  deps: DeliveryStatusDeps,
): (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  const processRecord = deliveryRecordProcessor(deps);
  return (event, context) =>
    processPartialResponse(event, processRecord, processor, context === undefined ? {} : { context });
}
