/**
 * SQS implementation of the campaign queue and of the campaign start (DESIGN §10):
 * - work goes on the campaign queue in batches of up to ten messages (SendMessageBatch), ids only, with
 *   `DelaySeconds` for a deferral (SQS's limit, 900 s);
 * - a campaign starts with its first fan-out page on that queue: now, or at `sendAt` through a one-time
 *   EventBridge Scheduler schedule whose target is the same queue. The schedule is named after the campaign, so
 *   starting twice (a retried create) finds it existing and changes nothing; it deletes itself after it runs.
 *   ("Scheduler one-time schedules", https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html;
 *   ActionAfterCompletion, https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html)
 */
import { ConflictException, CreateScheduleCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { CampaignQueue, CampaignWork } from '../domain/campaign-dispatch';
import type { CampaignRecord, CampaignStarter } from '../domain/campaigns';

/** SendMessageBatch takes at most ten entries. */
const SQS_BATCH = 10;
/** A start this close to now goes straight on the queue. */
const SCHEDULE_THRESHOLD_MS = 60_000;

export interface CampaignScheduleTarget {
  readonly schedulerClient: SchedulerClient;
  /** The campaign queue's ARN, the schedule's target. */
  readonly queueArn: string;
  /** The role EventBridge Scheduler assumes to send to the queue. */
  readonly roleArn: string;
  /** The schedule group the API function may create schedules in. */
  readonly groupName: string;
}

export class SqsCampaignQueue implements CampaignQueue, CampaignStarter {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly schedule?: CampaignScheduleTarget,
  ) {}

  async send(work: readonly CampaignWork[], delaySeconds = 0): Promise<void> {
    for (let start = 0; start < work.length; start += SQS_BATCH) {
      const entries = work.slice(start, start + SQS_BATCH).map((item, i) => ({
        Id: String(i),
        MessageBody: JSON.stringify(item),
        DelaySeconds: delaySeconds,
      }));
      const { Failed = [] } = await this.sqs.send(
        new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }),
      );
      // Not sent: the caller fails, and its own message is delivered again (claims keep recipients to one send).
      if (Failed.length > 0)
        throw new Error(`SendMessageBatch failed for ${Failed.length} campaign messages`);
    }
  }

  async start(record: Pick<CampaignRecord, 'tenantId' | 'campaignId' | 'sendAt'>, now: Date): Promise<void> {
    const first: CampaignWork = {
      kind: 'page',
      tenantId: record.tenantId,
      campaignId: record.campaignId,
      page: 0,
    };
    const at = new Date(record.sendAt);
    const waitMs = at.getTime() - now.getTime();
    if (waitMs <= SCHEDULE_THRESHOLD_MS || !this.schedule) {
      // Within the minute: the queue's own delay holds the first page until sendAt.
      await this.send([first], Math.max(0, Math.ceil(waitMs / 1000)));
      return;
    }
    try {
      await this.schedule.schedulerClient.send(
        new CreateScheduleCommand({
          Name: `campaign-${record.campaignId}`,
          GroupName: this.schedule.groupName,
          // at(yyyy-mm-ddThh:mm:ss) in UTC, to the second.
          ScheduleExpression: `at(${at.toISOString().slice(0, 19)})`,
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: {
            Arn: this.schedule.queueArn,
            RoleArn: this.schedule.roleArn,
            Input: JSON.stringify(first),
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConflictException)) throw error;
    }
  }
}
