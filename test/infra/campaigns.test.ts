import { Template } from 'aws-cdk-lib/assertions';
import { DEFAULT_CELLS, type CellConfig } from '../../lib/config';
import { addCell, newOptlineApp } from '../../lib/optline-app';

// Template JSON is untyped; tests index into it freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

// GIVEN an eu cell, synthesized without bundling: no assertion reads function code
const eu: CellConfig = DEFAULT_CELLS[0]!;
const app = newOptlineApp({ context: { 'aws:cdk:bundling-stacks': [] } });
const { api } = addCell(app, eu);
const template = Template.fromStack(api);
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Json }>;
const idOf = (construct: { node: { defaultChild?: unknown } }) =>
  api.getLogicalId(construct.node.defaultChild as Parameters<typeof api.getLogicalId>[0]);

const { campaigns } = api;
const queueId = idOf(campaigns.worker.queue);
const dlqId = idOf(campaigns.worker.deadLetterQueue);
const roleId = idOf(campaigns.schedulerRole);
const groupId = api.getLogicalId(campaigns.scheduleGroup);
const statementsOf = (roleLogicalId: string): Json[] =>
  Object.values(resources)
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        (r.Properties.Roles as Json[]).some((role) => role.Ref === roleLogicalId),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);

describe('campaign dispatch in the Api stack (DESIGN §10)', () => {
  it('has a KMS-encrypted campaign queue whose failures go to an alarmed dead-letter queue after 5 tries', () => {
    expect(resources[queueId]!.Properties).toMatchObject({
      // The cell's queue key, from the Data stack.
      KmsMasterKeyId: { 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'Optline-eu-Data' }) },
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
    });
    expect(resources[dlqId]!.Properties.KmsMasterKeyId).toBeDefined();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
    });
  });

  it('runs the worker from the queue with partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('trusts Scheduler only for this account and the campaign schedule group (confused-deputy prevention)', () => {
    // https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html
    expect(resources[groupId]!.Properties).toEqual({ Name: 'optline-eu-campaigns' });
    expect(resources[roleId]!.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: {
          StringEquals: {
            'aws:SourceAccount': { Ref: 'AWS::AccountId' },
            'aws:SourceArn': { 'Fn::GetAtt': [groupId, 'Arn'] },
          },
        },
      },
    ]);
  });

  it('lets the Scheduler role send to the campaign queue, with its key, and nothing else', () => {
    const statements = statementsOf(roleId);
    expect(statements.map((s) => [s.Action].flat().sort()).sort()).toEqual(
      [['kms:Decrypt', 'kms:GenerateDataKey'], ['sqs:SendMessage']].sort(),
    );
    expect(statements.find((s) => s.Action === 'sqs:SendMessage')!.Resource).toEqual({
      'Fn::GetAtt': [queueId, 'Arn'],
    });
  });

  it('lets the campaign routes create schedules named campaign-* in that group only, and pass only that role', () => {
    const routesRole = api.getLogicalId(campaigns.worker.function.role!.node.defaultChild as never);
    const statements = statementsOf(
      api.getLogicalId(api.functions.campaigns.role!.node.defaultChild as never),
    );
    const create = statements.find((s) => s.Action === 'scheduler:CreateSchedule');
    expect(JSON.stringify(create.Resource)).toContain(':schedule/optline-eu-campaigns/campaign-*');
    expect(statements.find((s) => s.Action === 'iam:PassRole')).toEqual(
      expect.objectContaining({
        Resource: { 'Fn::GetAtt': [roleId, 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    // Neither the routes nor the worker can change or delete schedules, or pass any other role.
    const actions = [...statements, ...statementsOf(routesRole)].flatMap((s) => [s.Action].flat());
    expect(actions.filter((a: string) => a.startsWith('scheduler:'))).toEqual(['scheduler:CreateSchedule']);
    expect(actions.filter((a: string) => a === 'iam:PassRole')).toHaveLength(1);
  });
});
