/**
 * Campaigns in local mode (DESIGN §10 "Locally the same code dispatches in-process"): the campaign queue is an
 * in-process queue in front of the same work handler the deployed worker runs, a delayed message stands in for
 * SQS's DelaySeconds, and the start at `sendAt` is a delayed first page instead of an EventBridge Scheduler
 * schedule. Sends go through the outbox, paced like the deployed sender.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { CampaignQueue, CampaignWork } from '../lambdas/domain/campaign-dispatch';
import type { CampaignRecord, CampaignStarter } from '../lambdas/domain/campaigns';
import { LocalQueue } from './local-queue';

export class LocalCampaignQueue implements CampaignQueue, CampaignStarter {
  private readonly queue: LocalQueue;

  constructor(handle: (event: SQSEvent) => Promise<SQSBatchResponse>) {
    this.queue = new LocalQueue(handle, { name: 'campaigns', maxReceives: 5, redeliveryDelayMs: 200 });
  }

  send(work: readonly CampaignWork[], delaySeconds = 0): Promise<void> {
    for (const item of work) this.queue.publish(JSON.stringify(item), delaySeconds * 1000);
    return Promise.resolve();
  }

  /** The first page, now or at `sendAt`. */
  start(record: Pick<CampaignRecord, 'tenantId' | 'campaignId' | 'sendAt'>, now: Date): Promise<void> {
    const delayMs = Math.max(0, Date.parse(record.sendAt) - now.getTime());
    const first: CampaignWork = {
      kind: 'page',
      tenantId: record.tenantId,
      campaignId: record.campaignId,
      page: 0,
    };
    this.queue.publish(JSON.stringify(first), delayMs);
    return Promise.resolve();
  }

  /** Work that failed every delivery. */
  get deadLetters(): CampaignWork[] {
    return this.queue.deadLetters.map((body) => JSON.parse(body) as CampaignWork);
  }

  /** Resolves once everything queued so far (delayed work included) has been handled. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Drops whatever is still queued or delayed: the server is closing. */
  stop(): void {
    this.queue.stop();
  }
}
