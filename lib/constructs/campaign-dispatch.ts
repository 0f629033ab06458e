import { Duration, Stack } from 'aws-cdk-lib';
import { Role, ServicePrincipal, type CfnPolicy, type Policy } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { CAMPAIGN_WORKER_TIMEOUT_SECONDS } from '../../lambdas/domain/campaign-dispatch';
import { CAMPAIGN_QUEUE_URL_ENV } from '../../lambdas/shared/env';
import { acknowledgeFindings } from './acknowledge';
import type { PlatformFunction } from './platform-function';
import { QueueWorker } from './queue-worker';

export interface CampaignDispatchProps {
  /** Names the schedule group: `optline-<cell>-campaigns`. */
  readonly cellName: string;
  readonly queueKey: IKey;
  readonly logsKey: IKey;
  readonly alarmTopic: ITopic;
}

/**
 * Campaign dispatch (DESIGN §10): the campaign queue (KMS, dead-letter queue, alarm) and its worker, which runs
 * fan-out pages and recipient dispatch; and what starts a campaign at its `sendAt`, a Scheduler schedule group
 * and the role Scheduler assumes to put the first page on the queue.
 */
export class CampaignDispatch extends Construct {
  public readonly worker: QueueWorker;
  public readonly scheduleGroup: CfnScheduleGroup;
  public readonly schedulerRole: Role;

  constructor(scope: Construct, id: string, props: CampaignDispatchProps) {
    super(scope, id);
    const { account } = Stack.of(this);
    this.worker = new QueueWorker(this, 'Worker', {
      queueKey: props.queueKey,
      logsKey: props.logsKey,
      handler: 'campaign-worker',
      serviceName: 'optline-campaign-worker',
      alarmTopic: props.alarmTopic,
      // A dispatch message waits for up to ten send slots; at 1 MPS that is ten seconds and more.
      // A claim older than this is settled by the redelivery (lambdas/domain/campaign-dispatch.ts).
      timeout: Duration.seconds(CAMPAIGN_WORKER_TIMEOUT_SECONDS),
      memorySize: 512,
    });
    // The worker puts the next page, recipients and deferrals back on its own queue.
    this.worker.function.addEnvironment(CAMPAIGN_QUEUE_URL_ENV, this.worker.queue.queueUrl);
    this.worker.function.grantSendTo(this.worker.queue, 'the campaign queue');

    this.scheduleGroup = new CfnScheduleGroup(this, 'ScheduleGroup', {
      name: `optline-${props.cellName}-campaigns`,
    });
    // Held to this account and this group: Scheduler presents the group's ARN as aws:SourceArn.
    // https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html
    this.schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': account, 'aws:SourceArn': this.scheduleGroup.attrArn },
        },
      }),
      description: `EventBridge Scheduler starting the optline ${props.cellName} campaigns at their sendAt`,
    });
    // An SQS target needs sqs:SendMessage and, for a KMS-encrypted queue, the key's data-key operations; named
    // one by one, so no wildcard action is granted.
    // https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-templated.html
    this.worker.queue.grant(this.schedulerRole, 'sqs:SendMessage');
    props.queueKey.grant(this.schedulerRole, 'kms:GenerateDataKey', 'kms:Decrypt');
    acknowledgeFindings(
      (this.schedulerRole.node.findChild('DefaultPolicy') as Policy).node.defaultChild as CfnPolicy,
      "The Scheduler role's policy holds only what its one target needs (send to the campaign queue, with the " +
        "queue key's data key); it lives and dies with the role, so a managed policy would narrow nothing.",
      { nag: ['NIST.800.53.R5-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy'] },
    );
  }

  /** The campaign routes: send the first page now, or create a one-time schedule in the group for later. */
  public bindStarter(func: PlatformFunction): void {
    func.bindCampaignStarter(this.worker.queue, this.scheduleGroup.name!, this.schedulerRole);
  }
}
