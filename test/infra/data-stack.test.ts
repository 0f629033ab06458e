import { Match, Template } from 'aws-cdk-lib/assertions';
import { DEFAULT_CELLS } from '../../lib/config';
import { addCell, newOptlineApp } from '../../lib/optline-app';

const [eu] = DEFAULT_CELLS;

describe('Optline-eu-Data', () => {
  // The Data stack has no function: skip bundling the Api stack's code. CloudFormation validation of the
  // default cells is asserted once, in security-packs.test.ts.
  const app = newOptlineApp({
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  const { data } = addCell(app, eu!);
  const template = Template.fromStack(data);
  const cellKeyRef = { 'Fn::GetAtt': [data.getLogicalId(data.cellKey.node.defaultChild as never), 'Arn'] };

  it('is pinned to eu-west-1 with termination protection on', () => {
    expect(data.region).toBe('eu-west-1');
    expect(data.terminationProtection).toBe(true);
    expect(data.stackName).toBe('Optline-eu-Data');
  });

  it('creates a rotating cell key with an alias and an HMAC_256 key for subject ids', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, KeySpec: Match.absent() });
    template.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/optline/eu/data' });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/optline/eu/subject-id' });
    template.allResources('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('creates a rotating logs key that only CloudWatch Logs of this region and account may use', () => {
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/optline/eu/logs',
      TargetKeyId: { 'Fn::GetAtt': [data.getLogicalId(data.logsKey.node.defaultChild as never), 'Arn'] },
    });
    const logsKey = template.toJSON().Resources[data.getLogicalId(data.logsKey.node.defaultChild as never)];
    expect(logsKey.Properties.EnableKeyRotation).toBe(true);
    expect(logsKey.Properties.KeyPolicy.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
        Action: expect.arrayContaining(['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*']),
        Condition: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': {
              'Fn::Join': ['', ['arn:aws:logs:eu-west-1:', { Ref: 'AWS::AccountId' }, ':*']],
            },
          },
        },
      }),
    );
  });

  it('creates exactly the eleven tables of the design (with Campaigns, DESIGN §10, DailyStats, §11, and Incidents, §12)', () => {
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 11);
  });

  it('gives every table on-demand billing, the cell key, PITR, deletion protection, TTL and Retain', () => {
    template.allResources('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        Replicas: [
          Match.objectLike({
            Region: 'eu-west-1',
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 35 },
            SSESpecification: { KMSMasterKeyId: cellKeyRef },
          }),
        ],
      }),
    });
  });

  const keyOf = (hash: string, range?: string) => [
    { AttributeName: hash, KeyType: 'HASH' },
    ...(range ? [{ AttributeName: range, KeyType: 'RANGE' }] : []),
  ];

  it.each([
    ['Tenants', keyOf('tenantId')],
    ['ConsentLedger', keyOf('pk', 'sk')],
    ['Suppressions', keyOf('pk', 'sk')],
    ['AuditLog', keyOf('pk', 'sk')],
    ['DailyStats', keyOf('pk', 'sk')],
    ['Idempotency', keyOf('id')],
  ])('keys %s as the design says, without indexes', (id, keySchema) => {
    const logicalId = data.getLogicalId(data.tables[id as 'Tenants'].node.defaultChild as never);
    expect(template.toJSON().Resources[logicalId].Properties).toMatchObject({ KeySchema: keySchema });
    expect(template.toJSON().Resources[logicalId].Properties.GlobalSecondaryIndexes).toBeUndefined();
  });

  it('indexes Subscribers by purge day (sparse, keys only) and streams keys for the TTL backstop', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: keyOf('pk', 'sk'),
      GlobalSecondaryIndexes: [
        {
          IndexName: 'ByPurgeDay',
          KeySchema: keyOf('purgeDay', 'expiresAt'),
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
      StreamSpecification: { StreamViewType: 'KEYS_ONLY' },
      AttributeDefinitions: Match.arrayWith([{ AttributeName: 'expiresAt', AttributeType: 'N' }]),
    });
  });

  it('indexes MessageLog by message id without projecting the body or the phone number', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'ByMessageId',
          KeySchema: keyOf('messageId'),
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: Match.arrayWith(['status']) },
        }),
      ],
    });
    const index = Object.values(template.findResources('AWS::DynamoDB::GlobalTable'))
      .flatMap((r) => r.Properties.GlobalSecondaryIndexes ?? [])
      .find((i: { IndexName: string }) => i.IndexName === 'ByMessageId');
    expect(index.Projection.NonKeyAttributes).not.toEqual(expect.arrayContaining(['body']));
    expect(index.Projection.NonKeyAttributes).not.toEqual(expect.arrayContaining(['phone']));
  });

  it('indexes DsrRequests by status and due date, and by subject for the export and the erasure', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      GlobalSecondaryIndexes: [
        Match.objectLike({ IndexName: 'ByStatusDue', KeySchema: keyOf('status', 'dueAt') }),
        Match.objectLike({
          IndexName: 'BySubject',
          KeySchema: keyOf('subjectKey', 'receivedAt'),
          Projection: { ProjectionType: 'ALL' },
        }),
        Match.objectLike({ IndexName: 'ByTenantStatusDue' }),
      ],
    });
  });

  it('indexes DsrRequests by tenant and status, then due date, projecting what the DSR list shows and no more', () => {
    const index = Object.values(template.findResources('AWS::DynamoDB::GlobalTable'))
      .flatMap((r) => r.Properties.GlobalSecondaryIndexes ?? [])
      .find((i: { IndexName: string }) => i.IndexName === 'ByTenantStatusDue');
    expect(index.KeySchema).toEqual(keyOf('tenantStatus', 'dueAt'));
    expect(index.Projection.ProjectionType).toBe('INCLUDE');
    expect([...index.Projection.NonKeyAttributes].sort()).toEqual(
      ['completedAt', 'expiresAt', 'extendedUntil', 'receivedAt', 'status', 'type'].sort(),
    );
  });

  it("lists a subject's messages by the MessageLog key itself, newest first by sort key: no index needed", () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: keyOf('pk', 'sk'),
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'ByMessageId' })],
    });
  });

  it('encrypts the export bucket with the cell key, blocks public access and expires files after 7 days', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: cellKeyRef },
          },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ ExpirationInDays: 7, Status: 'Enabled' })],
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'export-bucket/' }),
      ReplicationConfiguration: Match.absent(),
    });
  });

  it('keeps S3 access logs for the 90-day log retention period', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90 })] },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    template.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
  });

  it('denies every non-TLS request to both buckets', () => {
    const policies = template.findResources('AWS::S3::BucketPolicy');
    expect(Object.keys(policies)).toHaveLength(2);
    for (const policy of Object.values(policies)) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Principal: { AWS: '*' },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it("encrypts the inbound-SMS topic with the cell key, refuses non-TLS publishing, and lets only this account's End User Messaging publish", () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: cellKeyRef });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'sms-voice.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  // Named, so a list kept from a failed first create would make the retry fail with "already exists".
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
  it('creates the End User Messaging opt-out list and retains it, except when its first create is rolled back', () => {
    template.hasResource('AWS::SMSVOICE::OptOutList', {
      Properties: { OptOutListName: 'optline-eu' },
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('encrypts queues and the alarm topic with a rotating key of their own, apart from the data key', () => {
    const queueKey = template.toJSON().Resources[data.getLogicalId(data.queueKey.node.defaultChild as never)];
    expect(queueKey).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: { EnableKeyRotation: true },
    });
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/optline/eu/queues',
      TargetKeyId: { 'Fn::GetAtt': [data.getLogicalId(data.queueKey.node.defaultChild as never), 'Arn'] },
    });
    expect(data.queueKey).not.toBe(data.cellKey);
  });
});
