import type { StackArtifact, Template, TemplateResource } from '../../scripts/report/assembly';
import { collectReport } from '../../scripts/report/collect';
import type { CellReport, NagSummary } from '../../scripts/report/model';

interface StackOptions {
  readonly region?: string;
  readonly metadata?: StackArtifact['metadata'];
  readonly outputs?: Template['Outputs'];
}

/** A stack artifact from hand-written resources, each with the construct path CDK would record for it. */
function stack(
  name: string,
  resources: Record<string, TemplateResource & { readonly path: string }>,
  { region = 'eu-west-1', metadata = {}, outputs }: StackOptions = {},
): StackArtifact {
  const withPaths = Object.entries(resources).map(([id, { path, ...resource }]) => [
    id,
    { ...resource, Metadata: { 'aws:cdk:path': `${name}/${path}`, ...resource.Metadata } },
  ]);
  return {
    name,
    environment: `aws://unknown-account/${region}`,
    region,
    metadata,
    template: { Resources: Object.fromEntries(withPaths), Outputs: outputs },
  };
}

const rotatedKey = {
  path: 'CellKey/Resource',
  Type: 'AWS::KMS::Key',
  Properties: { EnableKeyRotation: true },
};

const globalTable = (keyId: string, overrides: Record<string, unknown> = {}) => ({
  Type: 'AWS::DynamoDB::GlobalTable',
  DeletionPolicy: 'Retain',
  Properties: {
    SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
    TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    Replicas: [
      {
        Region: 'eu-west-1',
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } },
      },
    ],
    ...overrides,
  },
});

const onlyCell = (stacks: StackArtifact[], nag?: NagSummary): CellReport => {
  const [cell, ...others] = collectReport({ stacks }, { cdkNag: nag }).cells;
  expect(others).toHaveLength(0);
  if (!cell) throw new Error('no cell');
  return cell;
};

describe('compliance report: data stores', () => {
  it('reports a protected table with its key, rotation and retention category with the source', () => {
    // GIVEN a MessageLog global table encrypted with a rotated key, with PITR, TTL and deletion protection
    const data = stack('Optline-eu-Data', {
      CellKeyBE35AE45: rotatedKey,
      MessageLogD93AD4DB: { path: 'MessageLog/Resource', ...globalTable('CellKeyBE35AE45') },
    });

    // WHEN the report is collected
    const cell = onlyCell([data]);

    // THEN the table carries every setting and its category cites MessageBird 7.1
    expect(cell.name).toBe('eu');
    expect(cell.tables).toEqual([
      expect.objectContaining({
        path: 'Optline-eu-Data/MessageLog',
        encryption: { kind: 'customer-managed', key: 'Optline-eu-Data/CellKey', rotation: true },
        pointInTimeRecovery: true,
        deletionProtection: true,
        ttlAttribute: 'expiresAt',
        deletionPolicy: 'Retain',
        regions: ['eu-west-1'],
      }),
    ]);
    expect(cell.tables[0]?.retention.map((c) => [c.id, c.source])).toEqual([
      ['messageTraffic', 'MessageBird/Bird privacy policy §7.1'],
    ]);
    expect(cell.deviations).not.toContainEqual(expect.stringContaining('MessageLog'));
  });

  it('gives the Subscribers table both of its categories and flags a table without PITR or rotation', () => {
    // GIVEN a plain Subscribers table, PITR off, encrypted with a key that does not rotate
    const data = stack('Optline-eu-Data', {
      CellKeyBE35AE45: { ...rotatedKey, Properties: {} },
      SubscribersF56A45C7: {
        path: 'Subscribers/Resource',
        Type: 'AWS::DynamoDB::Table',
        DeletionPolicy: 'Retain',
        Properties: {
          SSESpecification: {
            SSEEnabled: true,
            KMSMasterKeyId: { 'Fn::GetAtt': ['CellKeyBE35AE45', 'Arn'] },
          },
          DeletionProtectionEnabled: true,
          TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        },
      },
    });

    const cell = onlyCell([data]);

    expect(cell.tables[0]?.retention.map((c) => c.id)).toEqual(['subscriberProfile', 'marketingAttributes']);
    expect(cell.tables[0]?.encryption).toEqual({
      kind: 'customer-managed',
      key: 'Optline-eu-Data/CellKey',
      rotation: false,
    });
    expect(cell.deviations).toEqual(
      expect.arrayContaining([
        'Optline-eu-Data/Subscribers: point-in-time recovery is off',
        'Optline-eu-Data/Subscribers: its key Optline-eu-Data/CellKey has no automatic rotation',
      ]),
    );
  });

  it('flags a table whose TTL is off although its category expires, and one replicated out of the region', () => {
    const data = stack('Optline-eu-Data', {
      CellKeyBE35AE45: rotatedKey,
      AuditLog0A1B2C3D: {
        path: 'AuditLog/Resource',
        ...globalTable('CellKeyBE35AE45', { TimeToLiveSpecification: undefined }),
      },
      TenantsA9C48FD3: {
        path: 'Tenants/Resource',
        ...globalTable('CellKeyBE35AE45', {
          Replicas: [
            {
              Region: 'eu-west-1',
              DeletionProtectionEnabled: true,
              PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
              SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': ['CellKeyBE35AE45', 'Arn'] } },
            },
            {
              Region: 'us-east-1',
              DeletionProtectionEnabled: true,
              PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            },
          ],
        }),
      },
    });

    const cell = onlyCell([data]);

    expect(cell.tables.find((t) => t.path.endsWith('AuditLog'))?.ttlAttribute).toBeUndefined();
    expect(cell.deviations).toEqual(
      expect.arrayContaining([
        'Optline-eu-Data/AuditLog: TTL is off, but its data is kept for 5 years (auditEvents)',
        "Optline-eu-Data/Tenants: has a replica in us-east-1, outside the cell's region",
      ]),
    );
  });

  it('reports bucket encryption and expiry, and compares the expiry with the retention module', () => {
    const data = stack('Optline-eu-Data', {
      CellKeyBE35AE45: rotatedKey,
      ExportBucket4E99310E: {
        path: 'ExportBucket/Resource',
        Type: 'AWS::S3::Bucket',
        Properties: {
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [
              {
                BucketKeyEnabled: true,
                ServerSideEncryptionByDefault: {
                  SSEAlgorithm: 'aws:kms',
                  KMSMasterKeyID: { 'Fn::GetAtt': ['CellKeyBE35AE45', 'Arn'] },
                },
              },
            ],
          },
          LifecycleConfiguration: { Rules: [{ ExpirationInDays: 30, Status: 'Enabled' }] },
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
        },
      },
    });

    const cell = onlyCell([data]);

    expect(cell.buckets).toEqual([
      expect.objectContaining({
        path: 'Optline-eu-Data/ExportBucket',
        encryption: { kind: 'customer-managed', key: 'Optline-eu-Data/CellKey', rotation: true },
        bucketKey: true,
        publicAccessBlocked: true,
        expirationDays: 30,
      }),
    ]);
    expect(cell.buckets[0]?.retention.map((c) => c.id)).toEqual(['dsrExportFiles']);
    expect(cell.deviations).toContain(
      'Optline-eu-Data/ExportBucket: objects expire after 30 days, but dsrExportFiles says 7',
    );
  });

  it('lets an acknowledgement with a reason accept a deviation on the same resource', () => {
    const sseS3Bucket = (metadata?: Record<string, unknown>) => ({
      path: 'AccessLogBucket/Resource',
      Type: 'AWS::S3::Bucket',
      Metadata: metadata,
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        LifecycleConfiguration: { Rules: [{ ExpirationInDays: 90, Status: 'Enabled' }] },
      },
    });
    const unexplained = onlyCell([stack('Optline-eu-Data', { AccessLogBucketDA470295: sseS3Bucket() })]);
    const explained = onlyCell([
      stack(
        'Optline-eu-Data',
        { AccessLogBucketDA470295: sseS3Bucket() },
        {
          metadata: {
            '/Optline-eu-Data/AccessLogBucket/Resource': [
              {
                type: 'aws:cdk:acknowledged-rules',
                data: {
                  'NIST.800.53.R5::NIST.800.53.R5-S3DefaultEncryptionKMS': 'Log delivery needs SSE-S3.',
                },
              },
            ],
          },
        },
      ),
    ]);

    const deviation =
      'Optline-eu-Data/AccessLogBucket: encrypted with SSE-S3, not a customer-managed KMS key';
    expect(unexplained.deviations).toContain(deviation);
    expect(explained.deviations).not.toContain(deviation);
  });

  it('names a retention category whose store the cell does not have', () => {
    const cell = onlyCell([stack('Optline-eu-Data', { CellKeyBE35AE45: rotatedKey })]);

    expect(cell.deviations).toContain(
      'Retention category consentProof (DynamoDB ConsentLedger) has no store in this cell',
    );
  });
});

describe('compliance report: cells, logs and schedules', () => {
  it('pairs the Data and Api stacks of a cell and flags stacks in different regions', () => {
    const cells = collectReport({
      stacks: [
        stack('Optline-us-Api', {}, { region: 'us-east-1' }),
        stack('Optline-eu-Api', {}, { region: 'eu-central-1' }),
        stack('Optline-eu-Data', {}),
      ],
    }).cells;

    expect(cells.map((c) => [c.name, c.stacks.map((s) => s.name)])).toEqual([
      ['eu', ['Optline-eu-Data', 'Optline-eu-Api']],
      ['us', ['Optline-us-Api']],
    ]);
    expect(cells[0]?.deviations).toContain(
      "The cell's stacks are in different regions: eu-west-1, eu-central-1",
    );
    expect(cells[1]?.deviations).not.toContainEqual(expect.stringContaining('different regions'));
  });

  it('reports log group retention and key across stacks, and flags one that never expires', () => {
    const data = stack(
      'Optline-eu-Data',
      { LogsKeyA6AB43B2: { ...rotatedKey, path: 'LogsKey/Resource' } },
      {
        outputs: {
          ExportLogsKey: {
            Value: { 'Fn::GetAtt': ['LogsKeyA6AB43B2', 'Arn'] },
            Export: { Name: 'Optline-eu-Data:ExportsOutputLogsKey' },
          },
        },
      },
    );
    const api = stack('Optline-eu-Api', {
      AccessLogs8B620ECA: {
        path: 'AccessLogs/Resource',
        Type: 'AWS::Logs::LogGroup',
        Properties: {
          RetentionInDays: 90,
          KmsKeyId: { 'Fn::ImportValue': 'Optline-eu-Data:ExportsOutputLogsKey' },
        },
      },
      Forever12345678: { path: 'Forever/Resource', Type: 'AWS::Logs::LogGroup', Properties: {} },
    });

    const cell = onlyCell([data, api]);

    expect(cell.logGroups).toEqual([
      { path: 'Optline-eu-Api/AccessLogs', retentionDays: 90, kmsKey: 'Optline-eu-Data/LogsKey' },
      { path: 'Optline-eu-Api/Forever' },
    ]);
    expect(cell.deviations).toEqual(
      expect.arrayContaining([
        'Optline-eu-Api/Forever: events never expire',
        'Optline-eu-Api/Forever: not KMS-encrypted',
      ]),
    );
    expect(cell.deviations).not.toContainEqual(expect.stringContaining('AccessLogs'));
  });

  it('lists a schedule with its expression, time zone and target, and none when there is none', () => {
    const api = stack('Optline-eu-Api', {
      PurgeFunction1234ABCD: {
        path: 'Purge/Function/Resource',
        Type: 'AWS::Lambda::Function',
        Properties: {},
      },
      PurgeSchedule5678ABCD: {
        path: 'Purge/Schedule/Resource',
        Type: 'AWS::Scheduler::Schedule',
        Properties: {
          ScheduleExpression: 'cron(0 3 * * ? *)',
          ScheduleExpressionTimezone: 'Europe/Dublin',
          Target: { Arn: { 'Fn::GetAtt': ['PurgeFunction1234ABCD', 'Arn'] } },
        },
      },
    });

    expect(onlyCell([api]).schedules).toEqual([
      {
        path: 'Optline-eu-Api/Purge/Schedule',
        kind: 'EventBridge Scheduler',
        expression: 'cron(0 3 * * ? *)',
        timezone: 'Europe/Dublin',
        state: 'ENABLED',
        targets: ['Optline-eu-Api/Purge/Function'],
      },
    ]);
    expect(onlyCell([stack('Optline-eu-Api', {})]).schedules).toEqual([]);
  });
});

describe('compliance report: IAM grants', () => {
  const data = stack(
    'Optline-eu-Data',
    { MessageLogD93AD4DB: { path: 'MessageLog/Resource', ...globalTable('Missing') } },
    {
      outputs: {
        ExportMessageLog: {
          Value: { 'Fn::GetAtt': ['MessageLogD93AD4DB', 'Arn'] },
          Export: { Name: 'Optline-eu-Data:ExportsOutputMessageLogArn' },
        },
      },
    },
  );
  const messageLogArn = { 'Fn::ImportValue': 'Optline-eu-Data:ExportsOutputMessageLogArn' };
  const api = stack('Optline-eu-Api', {
    SendFunction0A1B2C3D: {
      path: 'SendFunction/Resource',
      Type: 'AWS::Lambda::Function',
      Properties: {
        Role: { 'Fn::GetAtt': ['SendFunctionRole1A2B3C4D', 'Arn'] },
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      },
    },
    SendFunctionRole1A2B3C4D: {
      path: 'SendFunctionRole/Resource',
      Type: 'AWS::IAM::Role',
      Properties: {
        ManagedPolicyArns: [
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/ReadOnlyAccess']] },
        ],
      },
    },
    SendFunctionRoleDefaultPolicy5E6F7A8B: {
      path: 'SendFunctionRole/DefaultPolicy/Resource',
      Type: 'AWS::IAM::Policy',
      Properties: {
        Roles: [{ Ref: 'SendFunctionRole1A2B3C4D' }],
        PolicyDocument: {
          Statement: [
            { Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:GetItem'], Resource: messageLogArn },
            {
              Effect: 'Allow',
              Action: 'dynamodb:Query',
              Resource: [messageLogArn, { 'Fn::Join': ['', [messageLogArn, '/index/*']] }],
            },
            { Effect: 'Deny', Action: 'sns:Publish', Resource: 'arn:aws:sns:*:*:*' },
            {
              Effect: 'Allow',
              Action: 'kms:Decrypt',
              Resource: '*',
              Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            },
          ],
        },
      },
    },
    OtherPolicy9A8B7C6D: {
      path: 'OtherRole/DefaultPolicy/Resource',
      Type: 'AWS::IAM::Policy',
      Properties: {
        Roles: [{ Ref: 'OtherRole' }],
        PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] },
      },
    },
  });

  it("lists the role's actions per resource, merged across statements, with cross-stack names resolved", () => {
    const [fn] = onlyCell([data, api]).functions;

    expect(fn).toMatchObject({
      path: 'Optline-eu-Api/SendFunction',
      runtime: 'nodejs22.x',
      architecture: 'arm64',
      tracing: 'Active',
      role: 'Optline-eu-Api/SendFunctionRole',
      managedPolicies: ['arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess'],
    });
    expect(
      fn?.grants.map(({ effect, resource, actions, condition }) => ({
        effect,
        resource,
        actions,
        condition,
      })),
    ).toEqual([
      {
        effect: 'Allow',
        resource: '*',
        actions: ['kms:Decrypt'],
        condition: 'StringEquals aws:SourceAccount = <AWS::AccountId>',
      },
      {
        effect: 'Allow',
        resource: '<Optline-eu-Data/MessageLog.Arn>',
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
        condition: undefined,
      },
      {
        effect: 'Allow',
        resource: '<Optline-eu-Data/MessageLog.Arn>/index/*',
        actions: ['dynamodb:Query'],
        condition: undefined,
      },
      { effect: 'Deny', resource: 'arn:aws:sns:*:*:*', actions: ['sns:Publish'], condition: undefined },
    ]);
    expect(fn?.grants[1]?.policies).toEqual(['Optline-eu-Api/SendFunctionRole/DefaultPolicy']);
  });

  it('flags a function without its own log group', () => {
    expect(onlyCell([data, api]).deviations).toContain(
      'Optline-eu-Api/SendFunction: logs to the log group Lambda creates implicitly, which never expires and is not KMS-encrypted',
    );
  });
});

describe('compliance report: acknowledgements', () => {
  const reason = 'Export files must be gone after 7 days; versioning would keep noncurrent copies.';
  const api = (metadata: StackArtifact['metadata']) =>
    stack(
      'Optline-eu-Data',
      {
        ExportBucket4E99310E: {
          path: 'ExportBucket/Resource',
          Type: 'AWS::S3::Bucket',
          Metadata: {
            checkov: { skip: [{ id: 'CKV_AWS_21', comment: reason }] },
            'cfn-lint': {
              config: { ignore_checks: ['W3005', 'W1234'] },
              comments: { W3005: 'Redundant DependsOn.' },
            },
          },
        },
      },
      { metadata },
    );
  const nagMetadata = {
    '/Optline-eu-Data/ExportBucket/Resource': [
      {
        type: 'aws:cdk:acknowledged-rules',
        data: { 'NIST.800.53.R5::NIST.800.53.R5-S3BucketVersioningEnabled': reason },
      },
      {
        type: 'aws:cdk:acknowledged-rules',
        data: { 'HIPAA.Security::HIPAA.Security-S3BucketVersioningEnabled': reason },
      },
    ],
  };

  it('reports checkov, cfn-lint and cdk-nag acknowledgements with their reasons, one row per reason', () => {
    const cell = onlyCell([api(nagMetadata)]);

    expect(cell.acknowledgements).toEqual([
      {
        resource: 'Optline-eu-Data/ExportBucket',
        scanner: 'cdk-nag',
        rules: ['HIPAA.Security-S3BucketVersioningEnabled', 'NIST.800.53.R5-S3BucketVersioningEnabled'],
        reason,
      },
      { resource: 'Optline-eu-Data/ExportBucket', scanner: 'checkov', rules: ['CKV_AWS_21'], reason },
      { resource: 'Optline-eu-Data/ExportBucket', scanner: 'cfn-lint', rules: ['W1234'], reason: '' },
      {
        resource: 'Optline-eu-Data/ExportBucket',
        scanner: 'cfn-lint',
        rules: ['W3005'],
        reason: 'Redundant DependsOn.',
      },
    ]);
    expect(cell.deviations).toContain(
      'Optline-eu-Data/ExportBucket: cfn-lint W1234 is acknowledged without a reason',
    );
  });

  it('flags a cdk-nag acknowledgement that matched no finding in the validation report', () => {
    const nag: NagSummary = {
      packs: [],
      unacknowledged: [],
      usedAcknowledgements: new Set([
        'Optline-eu-Data/ExportBucket/Resource\u0000NIST.800.53.R5::NIST.800.53.R5-S3BucketVersioningEnabled',
      ]),
    };

    const cell = onlyCell([api(nagMetadata)], nag);

    expect(cell.deviations).toContain(
      'Optline-eu-Data/ExportBucket: cdk-nag acknowledgement HIPAA.Security-S3BucketVersioningEnabled matches no finding',
    );
    expect(cell.deviations).not.toContainEqual(
      expect.stringContaining('NIST.800.53.R5-S3BucketVersioningEnabled'),
    );
  });
});
