import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * The dead-letter queue every consumer and job of a cell uses, as `<scope>/DeadLetterQueue`: KMS-encrypted with
 * the given key, TLS only, and kept the 14 days SQS allows, so an operator can inspect and replay what failed.
 */
export function encryptedDeadLetterQueue(scope: Construct, encryptionKey: IKey): Queue {
  return new Queue(scope, 'DeadLetterQueue', {
    encryption: QueueEncryption.KMS,
    encryptionMasterKey: encryptionKey,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
}

export interface DeadLetterAlarmOptions {
  /** What waiting in the queue means, for whoever is paged. */
  readonly description: string;
  readonly alarmTopic: ITopic;
  /** @default Duration.minutes(1) */
  readonly period?: Duration;
}

/** `<scope>/DeadLetterAlarm`: raised as soon as one message waits in the queue, cleared when it is empty. */
export function alarmOnDeadLetters(scope: Construct, queue: IQueue, options: DeadLetterAlarmOptions): Alarm {
  const alarm = new Alarm(scope, 'DeadLetterAlarm', {
    alarmDescription: options.description,
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: options.period ?? Duration.minutes(1) }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new SnsAction(options.alarmTopic));
  alarm.addOkAction(new SnsAction(options.alarmTopic));
  return alarm;
}
