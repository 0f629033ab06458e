/** SQS implementation of the DsrQueue port: one message per request, holding ids only. */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DsrQueue, DsrWorkItem } from '../domain/dsr-ports';

export class SqsDsrQueue implements DsrQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(item: DsrWorkItem): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify({ tenantId: item.tenantId, requestId: item.requestId }),
      }),
    );
  }
}
