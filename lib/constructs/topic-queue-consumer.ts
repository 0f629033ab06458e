import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeFindings } from './acknowledge';
import { alarmOnDeadLetters, encryptedDeadLetterQueue } from './dead-letters';
import { PlatformFunction } from './platform-function';

export interface TopicQueueConsumerProps {
  /** The topic whose messages are consumed. */
  readonly topic: ITopic;
  /** Encrypts both queues; its policy must let SNS use it for queues subscribed to the cell's topics. */
  readonly queueKey: IKey;
  /** Encrypts the function's log group. */
  readonly logsKey: IKey;
  /** Entry point under `lambdas/handlers/`; it must report partial batch failures. */
  readonly handler: string;
  readonly serviceName: string;
  /** Where the dead-letter-queue alarm notifies. */
  readonly alarmTopic: ITopic;
  /**
   * Deliveries of one message before it moves to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * Most concurrent function instances the queue drives.
   * @default 2
   */
  readonly maxConcurrency?: number;
  /**
   * Deliver SNS's notification envelope rather than the raw message, for a consumer that needs the time SNS
   * accepted the message: the envelope's `Timestamp` survives a dead-letter redrive, the SQS `SentTimestamp` does not.
   * @default false
   */
  readonly snsEnvelope?: boolean;
}

/**
 * SNS topic → SQS queue (KMS, TLS only, dead-letter queue) → Lambda with partial batch responses, and an alarm
 * as soon as anything reaches the dead-letter queue. Nothing is lost on a crash: a failed record returns to the
 * queue and, after `maxReceiveCount` tries, waits in the dead-letter queue (kept 14 days) for a replay.
 */
export class TopicQueueConsumer extends Construct {
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  public readonly function: PlatformFunction;
  public readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: TopicQueueConsumerProps) {
    super(scope, id);
    const timeout = Duration.seconds(30);
    this.deadLetterQueue = encryptedDeadLetterQueue(this, props.queueKey);
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.queueKey,
      enforceSSL: true,
      // Lambda's guidance: at least six times the function timeout, so retries do not overlap.
      visibilityTimeout: timeout.plus(Duration.seconds(150)),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
    props.topic.addSubscription(new SqsSubscription(this.queue, { rawMessageDelivery: !props.snsEnvelope }));

    this.function = new PlatformFunction(this, 'Function', {
      handler: props.handler,
      serviceName: props.serviceName,
      logsKey: props.logsKey,
      timeout,
    });
    this.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency ?? 2,
      }),
    );

    this.deadLetterAlarm = alarmOnDeadLetters(this, this.deadLetterQueue, {
      description: `Messages for ${props.serviceName} failed ${props.maxReceiveCount ?? 5} times and wait in the dead-letter queue`,
      alarmTopic: props.alarmTopic,
    });

    const cfn = this.function.node.defaultChild as CfnFunction;
    acknowledgeFindings(
      cfn,
      'Invoked by an SQS event source mapping: a failed record returns to the queue and, after the redrive ' +
        "limit, moves to that queue's dead-letter queue, which is where a Lambda-level DLQ would put it.",
      { nag: ['NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ'], checkov: ['CKV_AWS_116'] },
    );
    acknowledgeFindings(
      cfn,
      'Not in a VPC: the function reaches only AWS service APIs (SQS, DynamoDB, KMS, X-Ray and, for inbound SMS, ' +
        'the SMS providers) over TLS with IAM authorization, and no private network resource; a VPC would add NAT ' +
        'or endpoints without narrowing access.',
      { nag: ['NIST.800.53.R5-LambdaInsideVPC', 'HIPAA.Security-LambdaInsideVPC'], checkov: ['CKV_AWS_117'] },
    );
    acknowledgeFindings(
      cfn,
      "Concurrency is bounded by the event source mapping's maximum concurrency; reserving concurrency as well " +
        'would take it from the account pool and fails on accounts with a low concurrency quota.',
      {
        nag: ['NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency'],
        checkov: ['CKV_AWS_115'],
      },
    );
    acknowledgeFindings(
      cfn,
      "The environment holds table names, a key ARN and the cell's own business phone numbers, none of them " +
        'secret or personal, and Lambda encrypts it at rest by default.',
      { checkov: ['CKV_AWS_173'] },
    );
  }
}
