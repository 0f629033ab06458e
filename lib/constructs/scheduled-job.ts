import { Duration, Stack } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Role, ServicePrincipal, type CfnPolicy, type Policy } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { JOB_CONTINUATION_QUEUE_ENV } from '../../lambdas/jobs/continuation';
import type { JobSpec } from '../../lambdas/jobs/registry';
import { acknowledgeFindings, nagText } from './acknowledge';
import { alarmOnDeadLetters, encryptedDeadLetterQueue } from './dead-letters';
import { PlatformFunction } from './platform-function';

/** Continuations the queue may run at once: SQS maximum concurrency cannot be below 2. */
const CONTINUATION_CONCURRENCY = 2;

export interface ScheduledJobProps {
  /** The job's name in the registry, which is also its entry point: `lambdas/handlers/<name>.ts`. */
  readonly name: string;
  readonly spec: JobSpec;
  /** Encrypts the dead-letter queue. */
  readonly queueKey: IKey;
  /** Encrypts the function's log group. */
  readonly logsKey: IKey;
  /** Where the dead-letter alarm notifies. */
  readonly alarmTopic: ITopic;
  /**
   * Reserve concurrency: 1 for the scheduled run, plus one per continuation (`addContinuationQueue`). A
   * reservation takes from the account pool and fails the deploy on an account with a low concurrency quota.
   * @default false: runs share the account pool; every job tolerates an overlapping run (its writes are
   *   conditional or idempotent), which only a redelivered invocation can cause
   */
  readonly reserveConcurrency?: boolean;
}

/**
 * A job of the registry on an EventBridge Scheduler cron (UTC), run by its own function:
 * - one scheduled run a day; with `reserveConcurrency`, never two at once (a job with a continuation queue gets
 *   a slot per continuation, see `addContinuationQueue`);
 * - a run that fails is retried by Lambda, then kept in a KMS-encrypted dead-letter queue, as is an
 *   invocation Scheduler could not deliver; anything there raises an alarm.
 */
export class ScheduledJob extends Construct {
  public readonly function: PlatformFunction;
  public readonly schedule: Schedule;
  public readonly deadLetterQueue: Queue;
  public readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);
    const { name, spec } = props;
    this.deadLetterQueue = encryptedDeadLetterQueue(this, props.queueKey);
    this.function = new PlatformFunction(this, 'Function', {
      handler: name,
      serviceName: `optline-${name}`,
      description: `optline job ${name}: ${spec.description}`.slice(0, 256),
      logsKey: props.logsKey,
      timeout: Duration.seconds(spec.timeoutSeconds ?? 300),
      reservedConcurrentExecutions: props.reserveConcurrency ? 1 : undefined,
      deadLetterQueue: this.deadLetterQueue,
    });
    // Its own role, so its one policy can be reviewed (and acknowledged) next to the job it invokes.
    // Held to this account's default schedule group, where the job's schedule lives: Scheduler presents the group's
    // ARN, not the schedule's, as aws:SourceArn.
    // https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html
    const { account, region, partition } = Stack.of(this);
    const schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnEquals: {
            'aws:SourceArn': `arn:${partition}:scheduler:${region}:${account}:schedule-group/default`,
          },
        },
      }),
      description: `EventBridge Scheduler invoking the optline ${name} job`,
    });
    // CDK's dead-letter grants give sqs:SendMessage only; the queue is KMS-encrypted, so both senders also need
    // the key, or a dead letter would be refused and its alarm never fire.
    for (const sender of [schedulerRole, this.function]) {
      props.queueKey.grant(sender, 'kms:GenerateDataKey', 'kms:Decrypt');
    }
    this.schedule = new Schedule(this, 'Schedule', {
      description: spec.description.slice(0, 512),
      schedule: ScheduleExpression.cron({ ...spec.cron }),
      target: new LambdaInvoke(this.function, {
        role: schedulerRole,
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      }),
    });

    this.deadLetterAlarm = alarmOnDeadLetters(this, this.deadLetterQueue, {
      description: `A run of the ${name} job failed after its retries and waits in the dead-letter queue`,
      alarmTopic: props.alarmTopic,
      period: Duration.minutes(5),
    });

    const schedulerPolicy = (schedulerRole.node.findChild('DefaultPolicy') as Policy).node
      .defaultChild as CfnPolicy;
    acknowledgeFindings(
      schedulerPolicy,
      "The Scheduler role's policy holds only what the Lambda target and its dead-letter queue need, for this " +
        'one schedule; it lives and dies with the role, so a managed policy would narrow nothing.',
      { nag: ['NIST.800.53.R5-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy'] },
    );
    // The finding names the function's logical id, known once references resolve (as in PlatformFunction).
    this.node.addValidation({
      validate: () => {
        const arn = nagText(Stack.of(this).resolve(this.function.functionArn));
        acknowledgeFindings(
          schedulerPolicy,
          'lambda:InvokeFunction on the job function and its versions (ARN:*), which is how grantInvoke ' +
            'covers a qualified invocation; no other function is reachable.',
          { nag: [`AwsSolutions-IAM5[Resource::${arn}:*]`] },
        );
        if (this.function.reservedConcurrency === undefined) {
          acknowledgeFindings(
            this.function.node.defaultChild as CfnFunction,
            'Invoked once a day by its schedule (and, for the purge, by a continuation queue with maximum ' +
              'concurrency 2); reserving concurrency would take it from the account pool and fails the deploy on ' +
              'accounts with a low concurrency quota. The cell option reserveConcurrency turns it on.',
            {
              nag: ['NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency'],
              checkov: ['CKV_AWS_115'],
            },
          );
        }
        return [];
      },
    });

    const cfn = this.function.node.defaultChild as CfnFunction;
    acknowledgeFindings(
      cfn,
      'Not in a VPC: the job reaches only AWS service APIs (DynamoDB, KMS, X-Ray and the SMS providers) over TLS ' +
        'with IAM authorization, and no private network resource; a VPC would add NAT or endpoints without ' +
        'narrowing access.',
      { nag: ['NIST.800.53.R5-LambdaInsideVPC', 'HIPAA.Security-LambdaInsideVPC'], checkov: ['CKV_AWS_117'] },
    );
    acknowledgeFindings(
      cfn,
      'The environment holds table names, a key ARN and tenant ids, none of them secret or personal, and Lambda ' +
        'encrypts it at rest by default.',
      { checkov: ['CKV_AWS_173'] },
    );
  }

  /**
   * Lets the job continue a backlog in new invocations (`lambdas/jobs/continuation.ts`): sets
   * `JOB_CONTINUATION_QUEUE_URL`, grants sending to the queue, and has the queue invoke the function, one message at
   * a time.
   */
  public addContinuationQueue(queue: IQueue): void {
    this.function.addEventSource(
      new SqsEventSource(queue, { batchSize: 1, maxConcurrency: CONTINUATION_CONCURRENCY }),
    );
    // The event source ignores reserved concurrency: a continuation finding no free slot is throttled, waits out
    // the visibility timeout and at maxReceiveCount is dead-lettered. So a reserving job gets one slot per
    // continuation plus one for the scheduled run; the job must tolerate overlapping runs (the purge does: its
    // claims, deletes and watermark advance are conditional).
    if (this.function.reservedConcurrency !== undefined) {
      this.function.reserveConcurrency(CONTINUATION_CONCURRENCY + 1);
    }
    this.function.grantSendTo(queue, 'its continuation queue');
    this.function.addEnvironment(JOB_CONTINUATION_QUEUE_ENV, queue.queueUrl);
  }
}
