import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DSR_WORKER_TABLES } from '../../lambdas/api/function-tables';
import { API_FUNCTIONS } from '../../lambdas/api/routes';
import { tableEnvVar } from '../../lambdas/shared/env';
import { DEFAULT_CELLS } from '../../lib/config';
import { addCell, newOptlineApp } from '../../lib/optline-app';
import { TABLE_IDS } from '../../lib/stacks/data-stack';

// Template JSON is untyped; tests index into it freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

// GIVEN the default eu cell (one synth for the file, without bundling: no assertion reads function code; the
// default cells' CloudFormation validation is asserted once, in security-packs.test.ts)
const app = newOptlineApp({
  builtinCloudFormationValidation: false,
  context: { 'aws:cdk:bundling-stacks': [] },
});
const { api, data } = addCell(app, DEFAULT_CELLS[0]!);
const template = Template.fromStack(api);
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Json }>;
const imported = (value: string): unknown => JSON.parse(JSON.stringify(api.resolve(value)));
const idOf = (construct: { node: { defaultChild?: unknown } }): string =>
  api.getLogicalId(construct.node.defaultChild as CfnElement);
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

const roleStatements = (functionId: string): Statement[] => {
  const roleId = resources[functionId]!.Properties.Role['Fn::GetAtt'][0] as string;
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: Json) => x.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
};
const allowedOn = (statements: Statement[], resource: unknown): string[] =>
  statements
    .filter((s) => s.Effect === 'Allow' && JSON.stringify(s.Resource).includes(JSON.stringify(resource)))
    .flatMap((s) => list(s.Action));

const queueId = idOf(api.dsrWorker.queue);
const dlqId = idOf(api.dsrWorker.deadLetterQueue);
const workerId = idOf(api.dsrWorker.function);
const dsrFunctionId = idOf(api.functions.dsr);
const exportObjects = {
  'Fn::Join': ['', [imported(data.exportBucket.bucketArn), '/dsr/*']],
};

describe('the DSR worker queue', () => {
  it('is encrypted with the queue key, TLS only, and redrives to a dead-letter queue after 5 tries', () => {
    expect(resources[queueId]!.Properties).toMatchObject({
      KmsMasterKeyId: imported(data.queueKey.keyArn),
      VisibilityTimeout: 720,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
    });
    expect(resources[dlqId]!.Properties).toMatchObject({
      KmsMasterKeyId: imported(data.queueKey.keyArn),
      MessageRetentionPeriod: 14 * 86_400,
    });
    for (const id of [queueId, dlqId]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('drives the worker with partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: workerId },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it('alarms the alarm topic as soon as one message reaches the dead-letter queue', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: idOf(api.alarmTopic) }],
    });
  });
});

describe('the DSR worker function', () => {
  const statements = roleStatements(workerId);
  const variables = resources[workerId]!.Properties.Environment.Variables as Record<string, unknown>;

  it('runs Node.js 22 on arm64 with tracing, within the queue visibility timeout', () => {
    expect(resources[workerId]!.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Timeout: 120,
    });
  });

  it("is told exactly the tables that hold the subject's data and the export bucket, and no subject-id key", () => {
    expect(
      Object.keys(variables)
        .filter((v) => v.startsWith('TABLE_'))
        .sort(),
    ).toEqual(DSR_WORKER_TABLES.map(tableEnvVar).sort());
    expect(variables.EXPORT_BUCKET).toEqual(imported(data.exportBucket.bucketName));
    expect(variables.SUBJECT_ID_KEY_ID).toBeUndefined();
    expect(JSON.stringify(statements)).not.toContain(JSON.stringify(imported(data.subjectIdKey.keyArn)));
  });

  it('cannot reach the Tenants or Idempotency tables', () => {
    for (const id of TABLE_IDS.filter((t) => !(DSR_WORKER_TABLES as readonly string[]).includes(t))) {
      expect(JSON.stringify(statements)).not.toContain(JSON.stringify(imported(data.tables[id].tableArn)));
    }
  });

  it('may put and delete export files under dsr/ only: no read, no listing, no other prefix', () => {
    expect(allowedOn(statements, exportObjects).sort()).toEqual(['s3:DeleteObject', 's3:PutObject']);
    const s3Actions = statements.flatMap((s) => list(s.Action)).filter((a) => a.startsWith('s3:'));
    expect(s3Actions.sort()).toEqual(['s3:DeleteObject', 's3:PutObject']);
  });

  it('may encrypt export files with the cell key (SSE-KMS)', () => {
    expect(allowedOn(statements, imported(data.cellKey.keyArn))).toEqual(
      expect.arrayContaining(['kms:GenerateDataKey', 'kms:Decrypt']),
    );
  });
});

describe('the dsr API function', () => {
  const statements = roleStatements(dsrFunctionId);

  it('may send to the DSR queue and to no other queue', () => {
    expect(allowedOn(statements, { 'Fn::GetAtt': [queueId, 'Arn'] })).toContain('sqs:SendMessage');
    const sqsStatements = statements.filter((s) => list(s.Action).some((a) => a.startsWith('sqs:')));
    expect(sqsStatements.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [queueId, 'Arn'] }]);
    expect(resources[dsrFunctionId]!.Properties.Environment.Variables.DSR_QUEUE_URL).toEqual({
      Ref: queueId,
    });
  });

  it('may only read export files, which a presigned URL needs from its signer, with kms:Decrypt', () => {
    expect(allowedOn(statements, exportObjects)).toEqual(['s3:GetObject']);
    const s3Actions = statements.flatMap((s) => list(s.Action)).filter((a) => a.startsWith('s3:'));
    expect(s3Actions).toEqual(['s3:GetObject']);
    expect(allowedOn(statements, imported(data.cellKey.keyArn))).toContain('kms:Decrypt');
  });

  it('knows the regime of its cell', () => {
    expect(resources[dsrFunctionId]!.Properties.Environment.Variables.CELL_REGIME).toBe('GDPR');
  });
});

describe('queries only', () => {
  const functionIds = [
    ...API_FUNCTIONS.map((fn) => idOf(api.functions[fn])),
    workerId,
    idOf(api.inboundSms.function),
    idOf(api.deliveryStatus.function),
  ];

  it.each(functionIds)('denies dynamodb:Scan on every table and index %s may use', (functionId) => {
    const statements = roleStatements(functionId);
    const tableArns = TABLE_IDS.map((id) => imported(data.tables[id].tableArn)).filter(
      (arn) => allowedOn(statements, arn).length > 0,
    );
    expect(tableArns.length).toBeGreaterThan(0);
    for (const arn of tableArns) {
      expect(statements).toContainEqual({
        Effect: 'Deny',
        Action: 'dynamodb:Scan',
        Resource: [arn, { 'Fn::Join': ['', [arn, '/index/*']] }],
      });
    }
  });
});

describe('the dsr-deadlines job', () => {
  const jobFunctionId = idOf(api.jobs['dsr-deadlines'].function);
  const statements = roleStatements(jobFunctionId);
  const variables = resources[jobFunctionId]!.Properties.Environment.Variables as Record<string, unknown>;

  it('runs daily on an EventBridge Scheduler cron, at 06:00 UTC', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 6 * * ? *)',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [jobFunctionId, 'Arn'] } }),
    });
  });

  it('may only read DsrRequests (its ByStatusDue index) and send to the DSR queue', () => {
    expect(Object.keys(variables).filter((v) => v.startsWith('TABLE_'))).toEqual(['TABLE_DSR_REQUESTS']);
    const dsrArn = imported(data.tables.DsrRequests.tableArn);
    const actions = allowedOn(statements, dsrArn);
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:GetItem']));
    for (const write of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']) {
      expect(actions).not.toContain(write);
    }
    expect(allowedOn(statements, { 'Fn::GetAtt': [queueId, 'Arn'] })).toContain('sqs:SendMessage');
    expect(variables.DSR_QUEUE_URL).toEqual({ Ref: queueId });
    expect(variables.SUBJECT_ID_KEY_ID).toBeUndefined();
  });

  it('raises an alarm to the alarm topic as soon as one request is overdue', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Optline',
      MetricName: 'DsrOverdue',
      Dimensions: [{ Name: 'service', Value: 'optline-dsr-deadlines' }],
      Statistic: 'Maximum',
      Period: 86_400,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: idOf(api.alarmTopic) }],
      OKActions: [{ Ref: idOf(api.alarmTopic) }],
    });
    // The metric's dimension is the service name Powertools tags it with: the job function's own.
    expect(variables.POWERTOOLS_SERVICE_NAME).toBe('optline-dsr-deadlines');
    expect(variables.POWERTOOLS_METRICS_NAMESPACE).toBe('Optline');
  });
});

describe('objection, mirrored like any opt-out', () => {
  it("lets the worker add numbers to the cell's End User Messaging opt-out list", () => {
    const statements = roleStatements(workerId);
    const listArn = imported(data.optOutList.attrArn);
    expect(allowedOn(statements, listArn)).toEqual(expect.arrayContaining(['sms-voice:PutOptedOutNumber']));
    expect(resources[workerId]!.Properties.Environment.Variables.OPT_OUT_LIST_NAME).toBeDefined();
  });
});
