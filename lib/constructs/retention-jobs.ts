import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { RETENTION_OVERDUE_METRIC } from '../../lambdas/domain/metrics';
import { CELL_TENANTS_ENV } from '../../lambdas/shared/env';
import { METRICS_NAMESPACE } from './platform-function';
import type { ScheduledJob } from './scheduled-job';

export interface RetentionJobsProps {
  /** The `purge-inactive` job. */
  readonly purge: ScheduledJob;
  /** The `retention-sweep` job. */
  readonly sweep: ScheduledJob;
  /** The cell's tenants, whose AuditLog partitions the sweep reads. */
  readonly tenants: readonly string[];
  /** Encrypts the continuation queue. */
  readonly queueKey: IKey;
  /** Where the overdue alarm notifies. */
  readonly alarmTopic: ITopic;
  /**
   * Deliveries of a continuation before it moves to the purge job's dead-letter queue.
   * @default 3
   */
  readonly maxReceiveCount?: number;
}

/**
 * What the retention jobs need beyond the scheduled-job defaults (issue 7):
 * - the purge's continuation queue (KMS, TLS only): a run that runs out of time puts a message on it and the queue
 *   invokes the job again (see lambdas/jobs/continuation.ts); a continuation that keeps failing moves to the job's
 *   dead-letter queue, whose alarm fires;
 * - the sweep's tenants, and an alarm on its `RetentionOverdueItems` metric as soon as one item is overdue.
 */
export class RetentionJobs extends Construct {
  public readonly continuationQueue: Queue;
  public readonly overdueAlarm: Alarm;

  constructor(scope: Construct, id: string, props: RetentionJobsProps) {
    super(scope, id);
    const purge = props.purge.function;
    this.continuationQueue = new Queue(this, 'PurgeContinuationQueue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.queueKey,
      enforceSSL: true,
      // Lambda's guidance: at least six times the function timeout, so a slow run is not delivered twice.
      visibilityTimeout: Duration.seconds(6 * (purge.timeout ?? Duration.seconds(900)).toSeconds()),
      retentionPeriod: Duration.days(1),
      deadLetterQueue: { queue: props.purge.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 3 },
    });
    props.purge.addContinuationQueue(this.continuationQueue);

    props.sweep.function.addEnvironment(CELL_TENANTS_ENV, JSON.stringify(props.tenants));
    this.overdueAlarm = new Alarm(this, 'OverdueAlarm', {
      alarmDescription:
        'Items are still stored more than 3 days past their expiresAt (retention-sweep): deletion by the purge ' +
        'or DynamoDB TTL is not keeping up with the retention schedule',
      metric: new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: RETENTION_OVERDUE_METRIC,
        dimensionsMap: { service: 'optline-retention-sweep' },
        statistic: 'Maximum',
        period: Duration.days(1),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // The sweep reports once a week: between reports the alarm keeps its state, so overdue items stay in ALARM
      // until a sweep counts none (a sweep that does not run raises its dead-letter alarm).
      treatMissingData: TreatMissingData.IGNORE,
    });
    this.overdueAlarm.addAlarmAction(new SnsAction(props.alarmTopic));
    this.overdueAlarm.addOkAction(new SnsAction(props.alarmTopic));
  }
}
