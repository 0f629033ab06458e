/**
 * Local stand-in for an SQS queue in front of a Lambda batch handler (the delivery-events queue, the DSR work
 * queue): each message is delivered, after the request that sent it has returned, to the same SQS batch handler
 * the deployed function runs. A record the handler reports as failed is delivered again after a delay, as SQS does
 * after the visibility timeout, and after its last delivery goes to a dead-letter list, as a redrive policy sends
 * it to a dead-letter queue.
 */
import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

export interface LocalQueueOptions {
  /** Names the queue in the records' event source ARN. */
  readonly name: string;
  /** Deliveries of one message before it goes to the dead-letter list, as the redrive policy's maxReceiveCount. */
  readonly maxReceives: number;
  /** Delay before the n-th redelivery is n times this. */
  readonly redeliveryDelayMs: number;
  /**
   * Delay before the first delivery, as a deployed queue takes a moment before its function picks a message
   * up. @default 0 - right after the sender's turn
   */
  readonly pickupDelayMs?: number;
}

export class LocalQueue {
  /** Message bodies that failed every delivery. */
  readonly deadLetters: string[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly handle: (event: SQSEvent) => Promise<SQSBatchResponse>,
    private readonly options: LocalQueueOptions,
  ) {}

  /**
   * Queues one message body; it is handled later, never within the caller's turn, and no sooner than
   * `delayMs` (as SQS's DelaySeconds) when given.
   */
  publish(body: string, delayMs = 0): void {
    const pickup = Math.max(delayMs, this.options.pickupDelayMs ?? 0);
    const delivery = new Promise<void>((resolve) =>
      // A long delay (a deferral to the end of quiet hours) must not keep the process alive on its own.
      pickup > 0 ? setTimeout(resolve, pickup).unref() : setImmediate(resolve),
    ).then(() => (this.stopped ? undefined : this.deliver(body, 1)));
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  /** Delivers nothing more, delayed messages included; for a server that is closing. */
  stop(): void {
    this.stopped = true;
  }

  /** Resolves once every message published so far (and its redeliveries) has been handled. */
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
            eventSourceARN: `arn:aws:sqs:local:000000000000:${this.options.name}`,
            awsRegion: 'local',
          },
        ],
      });
      failed = response.batchItemFailures.some((failure) => failure.itemIdentifier === messageId);
    } catch {
      // The batch handler throws when every record of the batch failed.
      failed = true;
    }
    if (!failed || this.stopped) return;
    if (receiveCount >= this.options.maxReceives) {
      this.deadLetters.push(body);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, this.options.redeliveryDelayMs * receiveCount));
    await this.deliver(body, receiveCount + 1);
  }
}
