import { ConflictException, CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { SqsCampaignQueue } from '../../lambdas/adapters/sqs-campaign-queue';
import type { CampaignWork } from '../../lambdas/domain/campaign-dispatch';

const sqs = mockClient(SQSClient);
const scheduler = mockClient(SchedulerClient);
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/campaigns';
const target = {
  schedulerClient: new SchedulerClient({}),
  queueArn: 'arn:aws:sqs:eu-west-1:123456789012:campaigns',
  roleArn: 'arn:aws:iam::123456789012:role/scheduler',
  groupName: 'optline-eu-campaigns',
};
const queue = new SqsCampaignQueue(new SQSClient({}), QUEUE_URL, target);
const NOW = new Date('2026-12-02T12:00:00.000Z');
const campaign = { tenantId: 'demo', campaignId: '3f0c2a7e-8d41-4b6a-9c55-0e2b7d1a4f90' };
const firstPage = { kind: 'page', ...campaign, page: 0 };

beforeEach(() => {
  sqs.reset();
  scheduler.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
});

describe('SqsCampaignQueue', () => {
  it('sends work in batches of ten with the delay, ids only', async () => {
    const work: CampaignWork[] = Array.from({ length: 12 }, (_, i) => ({
      kind: 'recipients',
      ...campaign,
      subjectIds: [`subject-${i}`],
    }));

    await queue.send(work, 900);

    const calls = sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.Entries!.length)).toEqual([10, 2]);
    expect(calls[0]!.Entries![0]).toEqual({
      Id: '0',
      MessageBody: JSON.stringify(work[0]),
      DelaySeconds: 900,
    });
  });

  it('fails when SQS refuses part of a batch, so the caller is redelivered', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Successful: [], Failed: [{ Id: '0', Code: 'x', SenderFault: false }] });
    await expect(queue.send([firstPage as CampaignWork])).rejects.toThrow('SendMessageBatch failed');
  });

  it('starts a campaign due within a minute with its first page on the queue, delayed until sendAt', async () => {
    await queue.start({ ...campaign, sendAt: new Date(NOW.getTime() + 30_000).toISOString() }, NOW);

    const [entry] = sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.Entries!;
    expect(JSON.parse(entry!.MessageBody!)).toEqual(firstPage);
    expect(entry!.DelaySeconds).toBe(30);
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
  });

  it('starts a later campaign with a one-time schedule named after it, deleted after it runs', async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });

    await queue.start({ ...campaign, sendAt: '2026-12-05T09:00:00.000Z' }, NOW);

    expect(scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input).toEqual({
      Name: `campaign-${campaign.campaignId}`,
      GroupName: 'optline-eu-campaigns',
      ScheduleExpression: 'at(2026-12-05T09:00:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: target.queueArn, RoleArn: target.roleArn, Input: JSON.stringify(firstPage) },
    });
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('treats a schedule that exists already as started: a retried create starts it once', async () => {
    scheduler
      .on(CreateScheduleCommand)
      .rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));

    await expect(
      queue.start({ ...campaign, sendAt: '2026-12-05T09:00:00.000Z' }, NOW),
    ).resolves.toBeUndefined();
  });
});
