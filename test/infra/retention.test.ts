import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { TTL_BACKSTOP_TABLES } from '../../lambdas/api/function-tables';
import { JOB_CONTINUATION_QUEUE_ENV } from '../../lambdas/jobs/continuation';
import { JOBS } from '../../lambdas/jobs/registry';
import { tableEnvVar, type TableId } from '../../lambdas/shared/env';
import { DEFAULT_CELLS } from '../../lib/config';
import { addCell, newOptlineApp } from '../../lib/optline-app';

// Template JSON is untyped; tests index into it freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

// GIVEN the default eu cell, synthesized once for the file without bundling (no assertion reads function code)
// and without CloudFormation validation (asserted for the default cells in security-packs.test.ts)
const app = newOptlineApp({
  builtinCloudFormationValidation: false,
  context: { 'aws:cdk:bundling-stacks': [] },
});
const { api, data } = addCell(app, DEFAULT_CELLS[0]!);
const template = Template.fromStack(api);
const dataTemplate = Template.fromStack(data);
const resources = template.toJSON().Resources as Record<string, Json>;
const id = (construct: { node: { defaultChild?: unknown } }) =>
  api.getLogicalId(construct.node.defaultChild as CfnElement);
const imported = (value: string): unknown => JSON.parse(JSON.stringify(api.resolve(value)));
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** The statements of a function's role. */
function roleStatements(functionId: string): Json[] {
  const roleId = resources[functionId].Properties.Role['Fn::GetAtt'][0];
  return Object.values(resources)
    .filter(
      (r: Json) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: Json) => x.Ref === roleId),
    )
    .flatMap((p: Json) => p.Properties.PolicyDocument.Statement);
}
const roleActions = (functionId: string): string[] =>
  roleStatements(functionId).flatMap((s: Json) => list(s.Action));
/** The actions a function's role may take on a resource. */
const actionsOn = (functionId: string, resource: unknown): string[] =>
  roleStatements(functionId)
    .filter((s: Json) => JSON.stringify(s.Resource).includes(JSON.stringify(resource)))
    .flatMap((s: Json) => list(s.Action));
const tableVariables = (functionId: string): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(resources[functionId].Properties.Environment.Variables as Record<string, unknown>).filter(
      ([k]) => k.startsWith('TABLE_'),
    ),
  );

describe('retention enforcement in Optline-eu-Data', () => {
  it('keeps a KEYS_ONLY stream on Subscribers (no profile data in it) and the sparse ByPurgeDay index', () => {
    dataTemplate.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      StreamSpecification: { StreamViewType: 'KEYS_ONLY' },
      GlobalSecondaryIndexes: Match.arrayWith([
        Match.objectLike({
          IndexName: 'ByPurgeDay',
          KeySchema: [
            { AttributeName: 'purgeDay', KeyType: 'HASH' },
            { AttributeName: 'expiresAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        }),
      ]),
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });
});

describe('retention enforcement in Optline-eu-Api', () => {
  describe('the TTL backstop', () => {
    const fnId = id(api.ttlBackstop.function);
    const [, mapping] = Object.entries(
      template.findResources('AWS::Lambda::EventSourceMapping', {
        Properties: { FunctionName: { Ref: fnId } },
      }),
    )[0] as [string, Json];

    it('consumes the Subscribers stream, filtered to deletes made by DynamoDB TTL', () => {
      expect(mapping.Properties.EventSourceArn).toEqual(imported(data.subscribers.tableStreamArn!));
      expect(mapping.Properties.FilterCriteria.Filters).toHaveLength(1);
      expect(JSON.parse(mapping.Properties.FilterCriteria.Filters[0].Pattern)).toEqual({
        eventName: ['REMOVE'],
        userIdentity: { type: ['Service'], principalId: ['dynamodb.amazonaws.com'] },
      });
    });

    it('bisects a failing batch, reports single failed records, and sends what keeps failing to an encrypted queue with an alarm', () => {
      const dlqId = id(api.ttlBackstop.deadLetterQueue);
      expect(mapping.Properties).toMatchObject({
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumRetryAttempts: 10,
        StartingPosition: 'TRIM_HORIZON',
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
      });
      expect(resources[dlqId].Properties.KmsMasterKeyId).toEqual(imported(data.queueKey.keyArn));
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
        Threshold: 1,
        AlarmActions: [{ Ref: id(api.alarmTopic) }],
      });
      expect(actionsOn(fnId, { 'Fn::GetAtt': [dlqId, 'Arn'] })).toContain('sqs:SendMessage');
    });

    it('is given exactly its tables, read/write, and no subject-id key, KMS MAC or SMS permission', () => {
      expect(tableVariables(fnId)).toEqual(
        Object.fromEntries(
          TTL_BACKSTOP_TABLES.map((t) => [tableEnvVar(t), imported(data.tables[t].tableName)]),
        ),
      );
      expect(actionsOn(fnId, imported(data.subjectIdKey.keyArn))).toEqual([]);
      expect(
        roleActions(fnId).filter((a) => /^(sns|sms-voice|mobiletargeting|kms:GenerateMac)/.test(a)),
      ).toEqual([]);
      for (const other of ['ConsentLedger', 'Suppressions', 'DsrRequests', 'Tenants'] as TableId[]) {
        expect(actionsOn(fnId, imported(data.tables[other].tableArn))).toEqual([]);
      }
    });
  });

  describe('the purge-inactive job', () => {
    const job = api.jobs['purge-inactive'];
    const fnId = id(job.function);

    it('runs daily at 03:00 UTC through EventBridge Scheduler', () => {
      expect(JOBS['purge-inactive'].cron).toEqual({ minute: '0', hour: '3' });
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: 'cron(0 3 * * ? *)',
        ScheduleExpressionTimezone: 'Etc/UTC',
        Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] } }),
      });
    });

    it('may change Subscribers, MessageLog and AuditLog only, never the ledger or the suppressions', () => {
      expect(Object.keys(tableVariables(fnId)).sort()).toEqual(
        ['TABLE_AUDIT_LOG', 'TABLE_MESSAGE_LOG', 'TABLE_SUBSCRIBERS'].sort(),
      );
      for (const kept of ['ConsentLedger', 'Suppressions'] as TableId[]) {
        expect(actionsOn(fnId, imported(data.tables[kept].tableArn))).toEqual([]);
      }
      expect(actionsOn(fnId, imported(data.subjectIdKey.keyArn))).toEqual([]);
    });

    it('continues a backlog through an encrypted queue that invokes it again, one message at a time', () => {
      const queueId = id(api.retentionJobs.continuationQueue);
      expect(resources[queueId].Properties).toMatchObject({
        KmsMasterKeyId: imported(data.queueKey.keyArn),
        VisibilityTimeout: 6 * 900,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [id(job.deadLetterQueue), 'Arn'] },
          maxReceiveCount: 3,
        },
      });
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
        FunctionName: { Ref: fnId },
        BatchSize: 1,
      });
      expect(resources[fnId].Properties.Environment.Variables[JOB_CONTINUATION_QUEUE_ENV]).toEqual({
        Ref: queueId,
      });
      expect(actionsOn(fnId, { 'Fn::GetAtt': [queueId, 'Arn'] })).toEqual(
        expect.arrayContaining(['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage']),
      );
      // The function never invokes itself: its role has no lambda: action at all.
      expect(roleActions(fnId).filter((a) => a.startsWith('lambda:'))).toEqual([]);
    });

    it('runs at most two continuations at once and, without reservations, shares the account pool with them', () => {
      const queueArn = { 'Fn::GetAtt': [id(api.retentionJobs.continuationQueue), 'Arn'] };
      const [mapping] = Object.values(
        template.findResources('AWS::Lambda::EventSourceMapping', {
          Properties: { EventSourceArn: queueArn },
        }),
      ) as Json[];
      expect(mapping.Properties.ScalingConfig.MaximumConcurrency).toBe(2);
      expect(resources[fnId].Properties.ReservedConcurrentExecutions).toBeUndefined();
    });

    it('has, in a cell that reserves concurrency, a slot for every continuation its queue may run at once and one for the scheduled run', () => {
      // An SQS event source ignores reserved concurrency: a continuation that finds no free slot is throttled,
      // waits out the visibility timeout and, after maxReceiveCount tries, raises the dead-letter alarm.
      // The us cell that reserves, as api-stack.test.ts synthesizes and validates it: no second validation here.
      const reservingApp = newOptlineApp({
        builtinCloudFormationValidation: false,
        context: { 'aws:cdk:bundling-stacks': [] },
      });
      const reserving = addCell(reservingApp, {
        ...DEFAULT_CELLS[1]!,
        reserveConcurrency: true,
      }).api;
      const reservingTemplate = Template.fromStack(reserving);
      const continuationArn = {
        'Fn::GetAtt': [
          reserving.getLogicalId(reserving.retentionJobs.continuationQueue.node.defaultChild as CfnElement),
          'Arn',
        ],
      };
      const [mapping] = Object.values(
        reservingTemplate.findResources('AWS::Lambda::EventSourceMapping', {
          Properties: { EventSourceArn: continuationArn },
        }),
      ) as Json[];
      const maximum = mapping.Properties.ScalingConfig.MaximumConcurrency as number;
      const purgeId = reserving.getLogicalId(
        reserving.jobs['purge-inactive'].function.node.defaultChild as CfnElement,
      );
      expect(reservingTemplate.toJSON().Resources[purgeId].Properties.ReservedConcurrentExecutions).toBe(
        maximum + 1,
      );
    });
  });

  describe('the retention-sweep job', () => {
    const job = api.jobs['retention-sweep'];
    const fnId = id(job.function);

    it('runs weekly, on Mondays at 04:00 UTC, and may only read', () => {
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: 'cron(0 4 ? * MON *)',
        Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] } }),
      });
      for (const t of ['Subscribers', 'AuditLog'] as TableId[]) {
        const actions = actionsOn(fnId, imported(data.tables[t].tableArn));
        expect(actions).toEqual(expect.arrayContaining(['dynamodb:Query']));
        for (const write of [
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
        ])
          expect(actions).not.toContain(write);
      }
      expect(resources[fnId].Properties.Environment.Variables.CELL_TENANTS).toBe(JSON.stringify(['demo']));
    });

    it('has an alarm on RetentionOverdueItems as soon as one item is overdue', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'Optline',
        MetricName: 'RetentionOverdueItems',
        Dimensions: [{ Name: 'service', Value: 'optline-retention-sweep' }],
        Statistic: 'Maximum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: id(api.alarmTopic) }],
      });
    });

    it('keeps the overdue alarm in its state between weekly sweeps, so it clears only when a sweep counts none', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'RetentionOverdueItems',
        TreatMissingData: 'ignore',
        OKActions: [{ Ref: id(api.alarmTopic) }],
      });
    });
  });
});
