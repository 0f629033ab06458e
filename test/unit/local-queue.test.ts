import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { LocalQueue } from '../../local/local-queue';

/** A batch handler that fails each record until it has seen its body `failures` times. */
function handlerFailing(failures: number): {
  handle: (event: SQSEvent) => Promise<SQSBatchResponse>;
  seen: Array<{ body: string; receiveCount: string }>;
} {
  const seen: Array<{ body: string; receiveCount: string }> = [];
  const handle = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failed = event.Records.filter((record) => {
      seen.push({ body: record.body, receiveCount: record.attributes.ApproximateReceiveCount });
      return seen.filter((s) => s.body === record.body).length <= failures;
    });
    return { batchItemFailures: failed.map((record) => ({ itemIdentifier: record.messageId })) };
  };
  return { handle, seen };
}

describe('LocalQueue', () => {
  it('delivers after the publishing turn, and again while the handler reports the record failed', async () => {
    // GIVEN a handler that fails a record twice (the message is not logged yet)
    const { handle, seen } = handlerFailing(2);
    const queue = new LocalQueue(handle, { name: 'test', maxReceives: 8, redeliveryDelayMs: 1 });

    // WHEN one event is published
    queue.publish('{"eventType":"TEXT_DELIVERED"}');

    // THEN nothing is handled within the publisher's turn
    expect(seen).toEqual([]);
    // AND it is handled a third time, with the receive count going up, and nothing is dead-lettered
    await queue.idle();
    expect(seen.map((s) => s.receiveCount)).toEqual(['1', '2', '3']);
    expect(queue.deadLetters).toEqual([]);
  });

  it('dead-letters an event that fails every delivery, as the queue redrive policy would', async () => {
    const { handle, seen } = handlerFailing(Number.POSITIVE_INFINITY);
    const queue = new LocalQueue(handle, { name: 'test', maxReceives: 3, redeliveryDelayMs: 1 });

    queue.publish('poison');
    await queue.idle();

    expect(seen).toHaveLength(3);
    expect(queue.deadLetters).toEqual(['poison']);
  });

  it('treats a thrown batch (every record failed) as a failure to redeliver', async () => {
    let calls = 0;
    const queue = new LocalQueue(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('All records failed processing');
        return { batchItemFailures: [] };
      },
      { name: 'test', maxReceives: 8, redeliveryDelayMs: 1 },
    );

    queue.publish('event');
    await queue.idle();

    expect(calls).toBe(2);
    expect(queue.deadLetters).toEqual([]);
  });
});
