/** The ContinuationQueue port on SQS: one delayed message per continuation, holding only the hop count. */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { CONTINUATION_DELAY_SECONDS, type ContinuationQueue } from '../jobs/continuation';

export class SqsContinuationQueue implements ContinuationQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(hop: number): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify({ continuation: hop }),
        DelaySeconds: CONTINUATION_DELAY_SECONDS,
      }),
    );
  }
}
