/**
 * Local stand-in for the delivery-events queue (configuration set → SNS topic → SQS, raw message delivery):
 * each event is delivered, after the send that produced it has returned, to the same SQS batch handler the
 * delivery-status Lambda runs. A record the handler reports as failed is delivered again after a delay, as SQS
 * does after the visibility timeout; the usual case is an event for a message not logged yet.
 */
import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

export interface LocalDeliveryQueueOptions {
  /** Deliveries of one event before it goes to the dead-letter list. @default 8 */
  readonly maxReceives?: number;
  /** Delay before the n-th redelivery is n times this. @default 100 */
  readonly redeliveryDelayMs?: number;
}

export class LocalDeliveryQueue {
  /** Event bodies that failed every delivery. */
  readonly deadLetters: string[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly maxReceives: number;
  private readonly redeliveryDelayMs: number;

  constructor(
    private readonly handle: (event: SQSEvent) => Promise<SQSBatchResponse>,
    options: LocalDeliveryQueueOptions = {},
  ) {
    this.maxReceives = options.maxReceives ?? 8;
    this.redeliveryDelayMs = options.redeliveryDelayMs ?? 100;
  }

  /** Queues one event body; it is handled later, never within the caller's turn. */
  publish(body: string): void {
    const delivery = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.deliver(body, 1));
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  /** Resolves once every event published so far (and its redeliveries) has been handled. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private async deliver(body: string, receiveCount: number): Promise<void> {
    const messageId = randomUUID();
    let failed: boolean;
    try {
      const response = await this.handle({
        Records: [
          {
            messageId,
            receiptHandle: messageId,
            body,
            attributes: {
              ApproximateReceiveCount: String(receiveCount),
              SentTimestamp: String(Date.now()),
              SenderId: 'local',
              ApproximateFirstReceiveTimestamp: String(Date.now()),
            },
            messageAttributes: {},
            md5OfBody: '',
            eventSource: 'aws:sqs',
            eventSourceARN: 'arn:aws:sqs:local:000000000000:delivery-events',
            awsRegion: 'local',
          },
        ],
      });
      failed = response.batchItemFailures.some((failure) => failure.itemIdentifier === messageId);
    } catch {
      // The batch handler throws when every record of the batch failed.
      failed = true;
    }
    if (!failed) return;
    if (receiveCount >= this.maxReceives) {
      this.deadLetters.push(body);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, this.redeliveryDelayMs * receiveCount));
    await this.deliver(body, receiveCount + 1);
  }
}
