import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, FilterRule, StartingPosition, type CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { CfnQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeFindings } from './acknowledge';
import { alarmOnDeadLetters, encryptedDeadLetterQueue } from './dead-letters';
import { PlatformFunction } from './platform-function';

/** The principal DynamoDB TTL deletes as; stream records of its deletes carry it in `userIdentity`. */
export const TTL_DELETE_PRINCIPAL = 'dynamodb.amazonaws.com';

export interface TtlBackstopProps {
  /** The table whose TTL deletes are consumed; it must have a stream (KEYS_ONLY is enough). */
  readonly table: ITableV2;
  /** Encrypts the dead-letter queue. */
  readonly queueKey: IKey;
  /** Encrypts the function's log group. */
  readonly logsKey: IKey;
  /** Where the dead-letter alarm notifies. */
  readonly alarmTopic: ITopic;
  /** Entry point under `lambdas/handlers/`; it must report partial batch failures. */
  readonly handler: string;
  readonly serviceName: string;
  /**
   * Attempts at a failing batch (bisected on each error) before its records go to the dead-letter queue.
   * @default 10
   */
  readonly retryAttempts?: number;
}

/**
 * The table's stream → a Lambda function that sees only deletes made by DynamoDB TTL (an event filter on
 * `eventName` REMOVE and `userIdentity` of the service principal `dynamodb.amazonaws.com`), so deletes made by
 * optline's own purge and erasure never reach it.
 *
 * A failing batch is split in two on each error (bisect) until the failing record is alone; after
 * `retryAttempts`, the record's stream position goes to an encrypted dead-letter queue (kept 14 days) and an alarm
 * fires. The queue holds the shard and sequence numbers, not the keys, and stream records live 24 hours: within a
 * day an operator can read the failed records again from those positions. After that, what the cascade missed is
 * still deleted by its own TTL (each message 6 months after it was logged, the marketing item 12 months after its
 * last update), so it never outlives the retention schedule; the alarm says it was not deleted early.
 */
export class TtlBackstop extends Construct {
  public readonly function: PlatformFunction;
  public readonly deadLetterQueue: Queue;
  public readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: TtlBackstopProps) {
    super(scope, id);
    this.deadLetterQueue = encryptedDeadLetterQueue(this, props.queueKey);
    acknowledgeFindings(
      this.deadLetterQueue.node.defaultChild as CfnQueue,
      "This queue is itself the dead-letter destination: it is the stream event source mapping's on-failure " +
        'destination, which Lambda writes failed batches to; nothing consumes it automatically, so a queue ' +
        'behind it would never receive anything.',
      { nag: ['AwsSolutions-SQS3'] },
    );
    this.function = new PlatformFunction(this, 'Function', {
      handler: props.handler,
      serviceName: props.serviceName,
      logsKey: props.logsKey,
      timeout: Duration.seconds(60),
    });
    this.function.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(5),
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: props.retryAttempts ?? 10,
        maxRecordAge: Duration.hours(24),
        onFailure: new SqsDlq(this.deadLetterQueue),
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('REMOVE'),
            userIdentity: {
              type: FilterRule.isEqual('Service'),
              principalId: FilterRule.isEqual(TTL_DELETE_PRINCIPAL),
            },
          }),
        ],
      }),
    );

    // SqsDlq makes this same grant; stating it here acknowledges the key's data-key action names with it.
    this.function.grantSendTo(this.deadLetterQueue, 'its on-failure queue');

    this.deadLetterAlarm = alarmOnDeadLetters(this, this.deadLetterQueue, {
      description: `TTL deletes that ${props.serviceName} could not cascade wait in its dead-letter queue`,
      alarmTopic: props.alarmTopic,
      period: Duration.minutes(5),
    });

    const cfn = this.function.node.defaultChild as CfnFunction;
    acknowledgeFindings(
      cfn,
      'Invoked by a DynamoDB stream event source mapping, which has its own on-failure destination (an ' +
        'encrypted SQS queue with an alarm); a function-level DLQ applies only to asynchronous invocations.',
      { nag: ['NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ'], checkov: ['CKV_AWS_116'] },
    );
    acknowledgeFindings(
      cfn,
      'Not in a VPC: the function reaches only AWS service APIs (DynamoDB and its stream, SQS, X-Ray) over TLS ' +
        'with IAM authorization, and no private network resource; a VPC would add NAT or endpoints without ' +
        'narrowing access.',
      { nag: ['NIST.800.53.R5-LambdaInsideVPC', 'HIPAA.Security-LambdaInsideVPC'], checkov: ['CKV_AWS_117'] },
    );
    acknowledgeFindings(
      cfn,
      'Concurrency is bounded by the stream: one concurrent batch per shard (parallelization factor 1); ' +
        'reserving concurrency as well would take it from the account pool.',
      {
        nag: ['NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency'],
        checkov: ['CKV_AWS_115'],
      },
    );
    acknowledgeFindings(
      cfn,
      'The environment holds table names only, none of them secret or personal, and Lambda encrypts it at rest ' +
        'by default; a customer-managed key would protect nothing confidential.',
      { checkov: ['CKV_AWS_173'] },
    );
  }
}
