import { Duration, RemovalPolicy, Stack, Tags, type CfnResource, type StackProps } from 'aws-cdk-lib';
import { AttributeType, ProjectionType, StreamViewType } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage, type CfnKey } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  type CfnBucket,
} from 'aws-cdk-lib/aws-s3';
import { CfnConfigurationSet, CfnOptOutList } from 'aws-cdk-lib/aws-smsvoice';
import { Topic, type TopicPolicy } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { retentionDays } from '../../lambdas/domain/retention';
import type { TableId } from '../../lambdas/shared/env';
import type { CellConfig } from '../config';
import { acknowledgeFindings } from '../constructs/acknowledge';
import { cellRetentionPeriods, useCellRetention } from '../constructs/cell-retention';
import { EncryptedTable, TTL_ATTRIBUTE } from '../constructs/encrypted-table';
import { IncidentNotificationTopics } from '../constructs/incident-notification-topics';
import { OriginationIdentities } from '../constructs/origination-identities';
import { CELL_TAG_KEY } from '../constructs/platform-function';

/** The policy a topic's grants created (`grantPublish`), which services need before they publish to it. */
function topicPolicy(topic: Topic): CfnResource {
  return (topic.node.findChild('Policy') as TopicPolicy).node.defaultChild as CfnResource;
}

/** Construct ids of the cell's tables; they also name the tables in local mode. */
export const TABLE_IDS: readonly TableId[] = [
  'Tenants',
  'Subscribers',
  'ConsentLedger',
  'Suppressions',
  'MessageLog',
  'DsrRequests',
  'Campaigns',
  'AuditLog',
  'DailyStats',
  'Incidents',
  'Idempotency',
];

export interface DataStackProps extends StackProps {
  readonly cell: CellConfig;
}

const pk = { name: 'pk', type: AttributeType.STRING };
const sk = { name: 'sk', type: AttributeType.STRING };

/**
 * The stateful half of a cell: keys, tables, the export bucket, the inbound-SMS topic and the
 * End User Messaging opt-out list. Termination protection is on and every resource is retained.
 */
export class DataStack extends Stack {
  /** Encrypts every table, the export bucket and the inbound and delivery-events topics. Rotated yearly. */
  public readonly cellKey: Key;
  /**
   * Encrypts the cell's queues (work, continuation and dead-letter queues) and its alarm topic: what services
   * deliver into. Apart from the data key, its policy admits those services, each held to this account's
   * resources, and a topic subscribed by a queue never shares that queue's key (which would make key and topic
   * depend on each other). Rotated yearly.
   */
  public readonly queueKey: Key;
  /** HMAC_256 key that derives pseudonymous subject ids; the secret never leaves KMS. */
  public readonly subjectIdKey: Key;
  /**
   * Encrypts the cell's CloudWatch Logs log groups (functions, API access and execution logs, WAF). Its policy
   * lets only this region's CloudWatch Logs use it, and only for log groups of this account. Rotated yearly.
   */
  public readonly logsKey: Key;
  public readonly tenants: EncryptedTable;
  public readonly subscribers: EncryptedTable;
  public readonly consentLedger: EncryptedTable;
  public readonly suppressions: EncryptedTable;
  public readonly messageLog: EncryptedTable;
  public readonly dsrRequests: EncryptedTable;
  public readonly campaigns: EncryptedTable;
  public readonly auditLog: EncryptedTable;
  public readonly dailyStats: EncryptedTable;
  public readonly incidents: EncryptedTable;
  public readonly idempotency: EncryptedTable;
  /** Every table by construct id, for callers that treat them alike (grants, local table creation). */
  public readonly tables: Readonly<Record<TableId, EncryptedTable>>;
  public readonly exportBucket: Bucket;
  public readonly inboundSmsTopic: Topic;
  public readonly optOutList: CfnOptOutList;
  /** The cell's phone numbers, sender ids and pools, and the tenant channels they make (DESIGN §9). */
  public readonly identities: OriginationIdentities;
  /** End User Messaging delivery events (delivered, failed…) arrive here, from the configuration set. */
  public readonly deliveryEventsTopic: Topic;
  /** End User Messaging configuration set that tenants send with; it routes delivery events to the topic. */
  public readonly configurationSet: CfnConfigurationSet;
  /** Each tenant's breach-notification topic (DESIGN §12), encrypted with a key of their own. */
  public readonly incidentTopics: IncidentNotificationTopics;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, { terminationProtection: true, ...props });
    const { cell } = props;
    useCellRetention(this, cell.retentionOverrides);

    this.cellKey = new Key(this, 'CellKey', {
      description: `optline ${cell.name}: encrypts tables, exports and topics`,
      alias: `alias/optline/${cell.name}/data`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.queueKey = new Key(this, 'QueueKey', {
      description: `optline ${cell.name}: encrypts queues and the alarm topic`,
      alias: `alias/optline/${cell.name}/queues`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.subjectIdKey = new Key(this, 'SubjectIdKey', {
      description: `optline ${cell.name}: HMAC key for pseudonymous subject ids`,
      alias: `alias/optline/${cell.name}/subject-id`,
      keySpec: KeySpec.HMAC_256,
      keyUsage: KeyUsage.GENERATE_VERIFY_MAC,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.logsKey = new Key(this, 'LogsKey', {
      description: `optline ${cell.name}: encrypts CloudWatch Logs log groups`,
      alias: `alias/optline/${cell.name}/logs`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
    this.logsKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccount',
        principals: [new ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:*`,
          },
        },
      }),
    );

    const table = (
      tableId: TableId,
      props: Omit<ConstructorParameters<typeof EncryptedTable>[2], 'encryptionKey'>,
    ) => new EncryptedTable(this, tableId, { encryptionKey: this.cellKey, ...props });

    this.tenants = table('Tenants', { partitionKey: { name: 'tenantId', type: AttributeType.STRING } });
    this.subscribers = table('Subscribers', {
      partitionKey: pk,
      sortKey: sk,
      // Sparse: held subscribers carry neither attribute, so the purge never sees them.
      globalSecondaryIndexes: [
        {
          indexName: 'ByPurgeDay',
          partitionKey: { name: 'purgeDay', type: AttributeType.STRING },
          sortKey: { name: TTL_ATTRIBUTE, type: AttributeType.NUMBER },
          projectionType: ProjectionType.KEYS_ONLY,
        },
      ],
      // Keys are all the TTL-delete backstop needs to cascade; no profile data flows through the stream.
      dynamoStream: StreamViewType.KEYS_ONLY,
    });
    this.consentLedger = table('ConsentLedger', { partitionKey: pk, sortKey: sk });
    this.suppressions = table('Suppressions', { partitionKey: pk, sortKey: sk });
    this.messageLog = table('MessageLog', {
      partitionKey: pk,
      sortKey: sk,
      // Delivery receipts carry only the message id; status fields are projected, body and phone are not.
      globalSecondaryIndexes: [
        {
          indexName: 'ByMessageId',
          partitionKey: { name: 'messageId', type: AttributeType.STRING },
          projectionType: ProjectionType.INCLUDE,
          nonKeyAttributes: [
            'status',
            'category',
            'channel',
            'createdAt',
            'updatedAt',
            'segments',
            TTL_ATTRIBUTE,
          ],
        },
      ],
    });
    this.dsrRequests = table('DsrRequests', {
      partitionKey: pk,
      sortKey: sk,
      globalSecondaryIndexes: [
        {
          indexName: 'ByStatusDue',
          partitionKey: { name: 'status', type: AttributeType.STRING },
          sortKey: { name: 'dueAt', type: AttributeType.STRING },
          projectionType: ProjectionType.INCLUDE,
          nonKeyAttributes: ['type', 'regime', 'receivedAt', 'extendedUntil'],
        },
        // A subject's own requests (`T#<tenant>#S#<subjectId>`), for its export and its erasure: read by the
        // subject's key, never by walking the tenant's requests.
        {
          indexName: 'BySubject',
          partitionKey: { name: 'subjectKey', type: AttributeType.STRING },
          sortKey: { name: 'receivedAt', type: AttributeType.STRING },
          projectionType: ProjectionType.ALL,
        },
        // The tenant's queue of one status (`tenantStatus` = `T#<tenant>#<status>`) by deadline, for GET /v1/dsr:
        // a status change moves the item to another partition, in the same write. What the list shows is
        // projected; verification, changes and results are not. One index only: "You can create or delete only
        // one global secondary index per UpdateTable operation" (GlobalSecondaryIndexUpdates,
        // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html).
        {
          indexName: 'ByTenantStatusDue',
          partitionKey: { name: 'tenantStatus', type: AttributeType.STRING },
          sortKey: { name: 'dueAt', type: AttributeType.STRING },
          projectionType: ProjectionType.INCLUDE,
          nonKeyAttributes: ['type', 'status', 'receivedAt', 'extendedUntil', 'completedAt', TTL_ATTRIBUTE],
        },
      ],
    });
    // Campaigns, their idempotency keys and one claim per recipient (lambdas/adapters/dynamo/campaign-store.ts).
    this.campaigns = table('Campaigns', { partitionKey: pk, sortKey: sk });
    this.auditLog = table('AuditLog', { partitionKey: pk, sortKey: sk });
    // Anonymised daily counts (`T#<tenant>` / `D#<yyyy-mm-dd>#<shard>`, lambdas/adapters/dynamo/daily-stats.ts). A
    // table of their own rather than items in AuditLog: the functions that count get UpdateItem here only, which
    // could not be told apart from changing audit entries there; and erasure, the purge and the TTL backstop have
    // no grant on it at all, so IAM itself keeps them from touching the counts.
    this.dailyStats = table('DailyStats', { partitionKey: pk, sortKey: sk });
    // Breach incidents, their idempotency keys and one notification per affected tenant
    // (lambdas/adapters/dynamo/incident-store.ts). The sparse ByUnsent index holds only undelivered notifications,
    // by deadline, so the hourly deadline check reads those and never the table.
    this.incidents = table('Incidents', {
      partitionKey: pk,
      sortKey: sk,
      globalSecondaryIndexes: [
        {
          indexName: 'ByUnsent',
          partitionKey: { name: 'unsent', type: AttributeType.STRING },
          sortKey: { name: 'notifyBy', type: AttributeType.STRING },
        },
      ],
    });
    // Powertools idempotency persistence layer, configured with expiryAttr = expiresAt.
    this.idempotency = table('Idempotency', { partitionKey: { name: 'id', type: AttributeType.STRING } });

    this.tables = {
      Tenants: this.tenants,
      Subscribers: this.subscribers,
      ConsentLedger: this.consentLedger,
      Suppressions: this.suppressions,
      MessageLog: this.messageLog,
      DsrRequests: this.dsrRequests,
      Campaigns: this.campaigns,
      AuditLog: this.auditLog,
      DailyStats: this.dailyStats,
      Incidents: this.incidents,
      Idempotency: this.idempotency,
    };

    const accessLogBucket = new Bucket(this, 'AccessLogBucket', {
      // S3 server access logging delivers only to buckets with S3-managed encryption.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [
        {
          expiration: Duration.days(retentionDays('serviceLogs', cellRetentionPeriods(this))),
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.exportBucket = new Bucket(this, 'ExportBucket', {
      encryption: BucketEncryption.KMS,
      encryptionKey: this.cellKey,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogBucket,
      serverAccessLogsPrefix: 'export-bucket/',
      lifecycleRules: [
        {
          expiration: Duration.days(retentionDays('dsrExportFiles', cellRetentionPeriods(this))),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const cfn = (bucket: Bucket) => bucket.node.defaultChild as CfnBucket;
    for (const bucket of [accessLogBucket, this.exportBucket]) {
      acknowledgeFindings(
        cfn(bucket),
        'Data residency: replication to another region would move personal data out of the cell, and a ' +
          'same-region replica would be a second copy outliving its retention period. Durability comes from S3 itself.',
        { nag: ['NIST.800.53.R5-S3BucketReplicationEnabled', 'HIPAA.Security-S3BucketReplicationEnabled'] },
      );
    }
    acknowledgeFindings(
      cfn(accessLogBucket),
      'S3 server access logging can deliver only to a bucket encrypted with SSE-S3, not SSE-KMS. ' +
        'The logs hold request metadata and random object keys, never personal data.',
      { nag: ['NIST.800.53.R5-S3DefaultEncryptionKMS', 'HIPAA.Security-S3DefaultEncryptionKMS'] },
    );
    acknowledgeFindings(
      cfn(accessLogBucket),
      'This is the access-log target of the export bucket; logging its own access would log every log delivery.',
      { checkov: ['CKV_AWS_18'] },
    );
    acknowledgeFindings(
      cfn(this.exportBucket),
      'Export files are written once and must be gone 7 days after creation (retention category dsrExportFiles); ' +
        'versioning would keep noncurrent copies of personal data past that period.',
      {
        nag: ['NIST.800.53.R5-S3BucketVersioningEnabled', 'HIPAA.Security-S3BucketVersioningEnabled'],
        checkov: ['CKV_AWS_21'],
      },
    );
    acknowledgeFindings(
      this.subjectIdKey.node.defaultChild as CfnKey,
      'HMAC_256 subject-id key: KMS offers no automatic rotation for HMAC keys, and rotating it would change ' +
        'every pseudonymous subject id and orphan the records keyed by them.',
      { checkov: ['CKV_AWS_7'] },
    );

    this.inboundSmsTopic = new Topic(this, 'InboundSmsTopic', {
      masterKey: this.cellKey,
      enforceSSL: true,
    });
    // End User Messaging publishes two-way SMS to the topic, and delivery events to the next one, each through
    // the topic policy and the topic's key, held to this account's End User Messaging resources.
    // https://docs.aws.amazon.com/sms-voice/latest/userguide/two-way-sms-iam-policy-auto.html
    const smsVoiceOf = (sourceArn: string) =>
      new ServicePrincipal('sms-voice.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': this.account },
        ArnLike: { 'aws:SourceArn': sourceArn },
      });
    const anySmsVoiceResource = `arn:${this.partition}:sms-voice:${this.region}:${this.account}:*`;
    const configurationSetName = `optline-${cell.name}`;
    this.inboundSmsTopic.grantPublish(smsVoiceOf(anySmsVoiceResource));
    this.cellKey.grant(smsVoiceOf(anySmsVoiceResource), 'kms:GenerateDataKey*', 'kms:Decrypt');

    this.incidentTopics = new IncidentNotificationTopics(this, 'IncidentNotifications', {
      cellName: cell.name,
      tenants: cell.tenants,
    });

    this.deliveryEventsTopic = new Topic(this, 'DeliveryEventsTopic', {
      masterKey: this.cellKey,
      enforceSSL: true,
    });
    // https://docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-sns-creating-role.html
    this.deliveryEventsTopic.grantPublish(
      smsVoiceOf(
        `arn:${this.partition}:sms-voice:${this.region}:${this.account}:configuration-set/${configurationSetName}`,
      ),
    );
    this.configurationSet = new CfnConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName,
      eventDestinations: [
        {
          eventDestinationName: 'delivery-status',
          enabled: true,
          matchingEventTypes: ['TEXT_ALL'],
          snsDestination: { topicArn: this.deliveryEventsTopic.topicArn },
        },
      ],
    });
    // End User Messaging may publish delivery events from the moment the configuration set exists.
    this.configurationSet.addResourceDependency(topicPolicy(this.deliveryEventsTopic));
    this.admitQueueKeyDeliveries();

    this.optOutList = new CfnOptOutList(this, 'OptOutList', { optOutListName: `optline-${cell.name}` });
    // Named, so a list kept from a failed first create would block the retry; it is deleted on that rollback only.
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html
    this.optOutList.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);

    this.identities = new OriginationIdentities(this, 'OriginationIdentities', {
      identities: cell.originationIdentities ?? [],
      profiles: cell.tenantProfiles ?? {},
      optOutList: this.optOutList,
      inboundTopic: this.inboundSmsTopic,
      inboundTopicPolicy: topicPolicy(this.inboundSmsTopic),
      configurationSetName,
    });
    // Marks the cell's End User Messaging resources as its own: functions may send only through those
    // (PlatformFunction.bindSmsSending).
    for (const own of [this.identities, this.configurationSet]) Tags.of(own).add(CELL_TAG_KEY, cell.name);
  }

  /**
   * The services that deliver into the cell's queues and alarm topic, admitted by the queue key. SNS, which delivers
   * the cell's topics to their queues, is admitted per subscription with the topic's ARN (CDK feature flag
   * `@aws-cdk/aws-sns-subscriptions:restrictSqsDescryption`).
   */
  private admitQueueKeyDeliveries(): void {
    const account = { 'aws:SourceAccount': this.account };
    // CloudWatch alarm actions publish to the encrypted alarm topic.
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
    this.queueKey.grant(
      new ServicePrincipal('cloudwatch.amazonaws.com').withConditions({
        StringEquals: account,
        ArnLike: {
          'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:*`,
        },
      }),
      'kms:GenerateDataKey*',
      'kms:Decrypt',
    );
    // EventBridge Scheduler sends an undeliverable job invocation to the job's encrypted dead-letter queue.
    // https://docs.aws.amazon.com/scheduler/latest/UserGuide/troubleshooting.html
    this.queueKey.grant(
      new ServicePrincipal('scheduler.amazonaws.com').withConditions({ StringEquals: account }),
      'kms:GenerateDataKey',
      'kms:Decrypt',
    );
  }
}
