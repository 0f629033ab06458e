import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { JOB_NAMES, JOBS, jobTables, type JobName, type JobSpec } from '../../lambdas/jobs/registry';
import { tableEnvVar, type TableId } from '../../lambdas/shared/env';
import { DEFAULT_CELLS, type CellConfig } from '../../lib/config';
import { addCell, newOptlineApp } from '../../lib/optline-app';

// Template JSON is untyped; tests index into it freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
interface Resource {
  Type: string;
  Properties: Json;
  Metadata?: Json;
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/**
 * The environment each job gets beyond its tables, its subject-id key and the Powertools settings, stated here
 * rather than read back from the stack. A new job fails to compile until it is described here.
 */
const EXTRA_ENV: Readonly<Record<JobName, readonly string[]>> = {
  'optout-reconcile': ['OPT_OUT_LIST_NAME', 'CELL_TENANTS'],
  // Re-queued request ids go to the DSR queue.
  'dsr-deadlines': ['DSR_QUEUE_URL'],
  'purge-inactive': ['JOB_CONTINUATION_QUEUE_URL'],
  'retention-sweep': ['CELL_TENANTS'],
  // Unsent notifications are delivered to each tenant's topic.
  'incident-deadlines': ['INCIDENT_TOPICS'],
};

const XRAY_ACTIONS = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
const OPT_OUT_LIST_ACTIONS = [
  'sms-voice:PutOptedOutNumber',
  'sms-voice:DeleteOptedOutNumber',
  'sms-voice:DescribeOptedOutNumbers',
];
const SNS_OPT_OUT_ACTIONS = [
  'sns:CheckIfPhoneNumberIsOptedOut',
  'sns:OptInPhoneNumber',
  'sns:ListPhoneNumbersOptedOut',
];
const SMS_SENDING_ACTIONS = ['sns:Publish', 'sms-voice:SendTextMessage', 'mobiletargeting:SendMessages'];

/** What CDK renders for the registry's cron fields: day-of-month `*` unless a weekday is set, then `?`. */
const cronExpression = ({ minute, hour, weekDay }: JobSpec['cron']): string =>
  `cron(${minute} ${hour} ${weekDay ? '?' : '*'} * ${weekDay ?? '?'} *)`;

// GIVEN an eu cell with two tenants (one synth for the file, without bundling: no assertion reads function code)
const eu: CellConfig = { ...DEFAULT_CELLS[0]!, tenants: ['demo', 'acme'] };
const app = newOptlineApp({ context: { 'aws:cdk:bundling-stacks': [] } });
const cell = addCell(app, eu);
const { api, data } = cell;
// WHEN the Api stack is synthesized
const template = Template.fromStack(api);
const resources = template.toJSON().Resources as Record<string, Resource>;

/** How a Data stack value appears in the Api stack: a CloudFormation import, computed rather than hard-coded. */
const imported = (value: string): unknown => JSON.parse(JSON.stringify(api.resolve(value)));
const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const actionsOf = (statements: Statement[]): string[] => statements.flatMap((s) => list(s.Action));
const onAnyResource = (statement: Statement): boolean => list(statement.Resource).includes('*');
const statementsOfRole = (roleId: string): Statement[] =>
  Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);

/** A function of the stack, found by its Powertools service name, with its role's statements. */
interface DeployedFunction {
  readonly id: string;
  readonly fn: Resource;
  readonly env: Record<string, unknown>;
  readonly roleId: string;
  readonly statements: Statement[];
  /** Actions of the statements that name the resource, alone or with others. */
  readonly actionsOn: (resource: unknown) => string[];
}
const deployedFunction = (serviceName: string): DeployedFunction => {
  const found = Object.entries(
    template.findResources('AWS::Lambda::Function', {
      Properties: {
        Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: serviceName }) },
      },
    }),
  );
  expect(found).toHaveLength(1);
  const [id, fn] = found[0] as [string, Resource];
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const statements = statementsOfRole(roleId);
  const actionsOn = (resource: unknown): string[] =>
    actionsOf(statements.filter((s) => JSON.stringify(s.Resource).includes(JSON.stringify(resource))));
  return { id, fn, env: fn.Properties.Environment.Variables, roleId, statements, actionsOn };
};

/** One job as deployed, each part found from the template by what references what. */
interface DeployedJob extends DeployedFunction {
  readonly scheduleId: string;
  readonly schedule: Resource;
  readonly queueId: string;
  readonly queue: Resource;
  readonly schedulerRoleId: string;
}
const deployedJob = (name: JobName): DeployedJob => {
  const fn = deployedFunction(`optline-${name}`);
  const schedules = Object.entries(
    template.findResources('AWS::Scheduler::Schedule', {
      Properties: { Target: Match.objectLike({ Arn: getAtt(fn.id) }) },
    }),
  );
  expect(schedules).toHaveLength(1);
  const [scheduleId, schedule] = schedules[0] as [string, Resource];
  const queueId = (fn.fn.Properties.DeadLetterConfig.TargetArn as { 'Fn::GetAtt': [string, string] })[
    'Fn::GetAtt'
  ][0];
  const schedulerRoleId = (schedule.Properties.Target.RoleArn as { 'Fn::GetAtt': [string, string] })[
    'Fn::GetAtt'
  ][0];
  return { ...fn, scheduleId, schedule, queueId, queue: resources[queueId]!, schedulerRoleId };
};
const jobs = Object.fromEntries(JOB_NAMES.map((name) => [name, deployedJob(name)])) as Record<
  JobName,
  DeployedJob
>;

describe('scheduled jobs of Optline-eu-Api', () => {
  it('has one schedule, one function and one dead-letter queue per job of the registry, and no other schedule', () => {
    expect(JOB_NAMES.length).toBeGreaterThan(0);
    expect(Object.keys(api.jobs).sort()).toEqual([...JOB_NAMES].sort());
    template.resourceCountIs('AWS::Scheduler::Schedule', JOB_NAMES.length);
    const ids = (pick: (job: DeployedJob) => string) => new Set(JOB_NAMES.map((name) => pick(jobs[name])));
    for (const pick of [
      (job: DeployedJob) => job.id,
      (job: DeployedJob) => job.queueId,
      (job: DeployedJob) => job.roleId,
      (job: DeployedJob) => job.schedulerRoleId,
    ]) {
      expect(ids(pick).size).toBe(JOB_NAMES.length);
    }
  });

  it('runs optout-reconcile daily at 02:30 UTC', () => {
    expect(jobs['optout-reconcile'].schedule.Properties).toMatchObject({
      ScheduleExpression: 'cron(30 2 * * ? *)',
      ScheduleExpressionTimezone: 'Etc/UTC',
    });
  });

  describe.each(JOB_NAMES)('the %s job', (name) => {
    const spec: JobSpec = JOBS[name];
    const job = jobs[name];
    const tables: readonly TableId[] = jobTables(name);

    it('runs on the cron of its registry entry, in UTC, at the exact minute', () => {
      expect(job.schedule.Properties).toMatchObject({
        ScheduleExpression: cronExpression(spec.cron),
        ScheduleExpressionTimezone: 'Etc/UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
      });
    });

    it('invokes its own function through its own Scheduler role, retries 3 times within an hour, then dead-letters into its queue', () => {
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        Target: {
          Arn: getAtt(job.id),
          RoleArn: getAtt(job.schedulerRoleId),
          DeadLetterConfig: { Arn: getAtt(job.queueId) },
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        },
      });
      expect(job.schedule.Properties.Target.Input).toBeUndefined();
    });

    it('keeps dead letters 14 days in a queue encrypted with the queue key', () => {
      expect(job.queue.Type).toBe('AWS::SQS::Queue');
      expect(job.queue.Properties).toEqual({
        KmsMasterKeyId: imported(data.queueKey.keyArn),
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
    });

    it('refuses any access to its dead-letter queue that does not use TLS', () => {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: job.queueId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: 'sqs:*',
              Resource: getAtt(job.queueId),
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ]),
        },
      });
    });

    it('reserves no concurrency in a cell that does not ask for it (see api-stack.test.ts for one that does), and runs within the timeout of its registry entry, on Node.js 22 with tracing', () => {
      expect(job.fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
      expect(job.fn.Properties).toMatchObject({
        Timeout: spec.timeoutSeconds ?? 300,
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
    });

    it('sends a run that failed Lambda retries to the same dead-letter queue, and may send nowhere else', () => {
      expect(job.fn.Properties.DeadLetterConfig).toEqual({ TargetArn: getAtt(job.queueId) });
      // A job that continues a backlog through its own queue also uses that queue (see retention.test.ts).
      const continuation = job.env.JOB_CONTINUATION_QUEUE_URL as { Ref: string } | undefined;
      const deadLetterStatements = job.statements.filter(
        (s) =>
          actionsOf([s]).some((a) => a.startsWith('sqs:')) &&
          (!continuation || JSON.stringify(s.Resource) !== JSON.stringify(getAtt(continuation.Ref))),
      );
      expect(deadLetterStatements).toEqual([
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: getAtt(job.queueId) },
        // dsr-deadlines re-queues request ids on the DSR work queue (grantSendMessages).
        ...(name === 'dsr-deadlines'
          ? [
              {
                Effect: 'Allow',
                Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
                Resource: getAtt(api.getLogicalId(api.dsrWorker.queue.node.defaultChild as CfnElement)),
              },
            ]
          : []),
      ]);
    });

    it('can encrypt what it dead-letters with the queue key, which encrypts the queue', () => {
      const onQueueKey = job.actionsOn(imported(data.queueKey.keyArn));
      expect(onQueueKey).toEqual(expect.arrayContaining(['kms:GenerateDataKey', 'kms:Decrypt']));
    });

    it('is told exactly the tables of its registry entry, its subject-id key if the entry asks for it, and nothing more', () => {
      const tableVariables = Object.entries(job.env).filter(([variable]) => variable.startsWith('TABLE_'));
      expect(Object.fromEntries(tableVariables)).toEqual(
        Object.fromEntries(tables.map((id) => [tableEnvVar(id), imported(data.tables[id].tableName)])),
      );
      expect(job.env.SUBJECT_ID_KEY_ID).toEqual(
        spec.subjectIdKey ? imported(data.subjectIdKey.keyArn) : undefined,
      );
      expect(Object.keys(job.env).sort()).toEqual(
        [
          ...tables.map(tableEnvVar),
          ...(spec.subjectIdKey ? ['SUBJECT_ID_KEY_ID'] : []),
          'POWERTOOLS_SERVICE_NAME',
          'POWERTOOLS_METRICS_NAMESPACE',
          'NODE_OPTIONS',
          ...EXTRA_ENV[name],
        ].sort(),
      );
      expect(job.env).toMatchObject({
        POWERTOOLS_SERVICE_NAME: `optline-${name}`,
        POWERTOOLS_METRICS_NAMESPACE: 'Optline',
      });
    });

    it('may only GenerateMac with the subject-id key, and only if its registry entry asks for it', () => {
      expect(job.actionsOn(imported(data.subjectIdKey.keyArn))).toEqual(
        spec.subjectIdKey ? ['kms:GenerateMac'] : [],
      );
    });

    it('writes only to its own log group, encrypted with the logs key and kept 90 days, and has no managed policy', () => {
      const logGroupId = job.fn.Properties.LoggingConfig.LogGroup.Ref as string;
      expect(resources[logGroupId]!.Properties).toEqual({
        RetentionInDays: 90,
        KmsKeyId: imported(data.logsKey.keyArn),
      });
      expect(job.statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('logs:')))).toEqual([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: getAtt(logGroupId),
        },
      ]);
      const role = resources[job.roleId]!;
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.Policies).toBeUndefined();
    });

    it('sends no SMS', () => {
      // The incident-deadlines job publishes to tenants' breach-notification topics only, never to a phone number.
      const publishes = job.statements.filter((s) =>
        actionsOf([s]).some((a) => SMS_SENDING_ACTIONS.includes(a)),
      );
      expect(publishes).toEqual(
        name === 'incident-deadlines'
          ? [...data.incidentTopics.topics.values()].map((topic) => ({
              Effect: 'Allow',
              Action: 'sns:Publish',
              Resource: imported(topic.topicArn),
            }))
          : [],
      );
      expect(job.env.SEND_RATES).toBeUndefined();
    });

    it('raises an alarm on the alarm topic as soon as one dead letter waits in its queue, and clears it once the queue is empty', () => {
      const alarmTopic = { Ref: api.getLogicalId(api.alarmTopic.node.defaultChild as CfnElement) };
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: getAtt(job.queueId, 'QueueName') }],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [alarmTopic],
        OKActions: [alarmTopic],
      });
    });

    // Scheduler presents the schedule group's ARN as aws:SourceArn.
    // https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html
    it("has a Scheduler role that only EventBridge Scheduler of this account's default schedule group can assume", () => {
      const role = resources[job.schedulerRoleId]!;
      expect(role.Type).toBe('AWS::IAM::Role');
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnEquals: {
              'aws:SourceArn': {
                'Fn::Join': [
                  '',
                  [`arn:aws:scheduler:${api.region}:`, { Ref: 'AWS::AccountId' }, ':schedule-group/default'],
                ],
              },
            },
          },
        },
      ]);
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.Policies).toBeUndefined();
      expect(job.schedulerRoleId).not.toBe(job.roleId);
    });

    it('lets its Scheduler role invoke only its function (and its versions) and send only to its dead-letter queue', () => {
      expect(statementsOfRole(job.schedulerRoleId)).toEqual([
        // The queue is encrypted with the queue key: a dead letter needs the key as well as sqs:SendMessage.
        {
          Effect: 'Allow',
          Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
          Resource: imported(data.queueKey.keyArn),
        },
        {
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: [getAtt(job.id), { 'Fn::Join': ['', [getAtt(job.id), ':*']] }],
        },
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: getAtt(job.queueId) },
      ]);
    });

    it('has scanner skips only for the findings its construct acknowledges, each with its reason', () => {
      const { Metadata } = resources[job.id]!;
      // CKV_AWS_115: the cell reserves no concurrency.
      expect(Metadata.checkov.skip.map((skip: { id: string }) => skip.id).sort()).toEqual([
        'CKV_AWS_115',
        'CKV_AWS_117',
        'CKV_AWS_173',
      ]);
      for (const skip of Metadata.checkov.skip) expect(skip.comment.length).toBeGreaterThanOrEqual(60);
      expect(Metadata['cfn-lint'].config.ignore_checks).toEqual(['W3005']);
      expect(resources[job.queueId]!.Metadata).toBeUndefined();
      expect(resources[job.scheduleId]!.Metadata).toBeUndefined();
    });
  });

  describe('the optout-reconcile job', () => {
    const job = jobs['optout-reconcile'];

    it('may add, remove and read numbers on the cell End User Messaging opt-out list, and on no other list', () => {
      const listArn = imported(data.optOutList.attrArn);
      expect(job.statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('sms-voice:')))).toEqual([
        { Effect: 'Allow', Action: OPT_OUT_LIST_ACTIONS, Resource: listArn },
      ]);
    });

    it('may list, check and opt in numbers on the SNS opt-out list, which has no resource ARN', () => {
      expect(job.statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('sns:')))).toEqual([
        {
          Effect: 'Allow',
          Action: SNS_OPT_OUT_ACTIONS,
          Resource: '*',
          Condition: { StringEquals: { 'aws:RequestedRegion': api.region } },
        },
      ]);
    });

    it('uses Resource "*" only for X-Ray and the SNS opt-out calls', () => {
      expect(actionsOf(job.statements.filter(onAnyResource)).sort()).toEqual(
        [...XRAY_ACTIONS, ...SNS_OPT_OUT_ACTIONS].sort(),
      );
    });

    it('is told the name of the cell opt-out list and every tenant of the cell', () => {
      expect(job.env.OPT_OUT_LIST_NAME).toBe(`optline-${eu.name}`);
      expect(JSON.parse(job.env.CELL_TENANTS as string)).toEqual(['demo', 'acme']);
    });

    it('acknowledges the SNS opt-out calls on "*" with one CKV_AWS_111 skip on its policy', () => {
      const policyId = api.getLogicalId(
        api.jobs['optout-reconcile'].function.executionRole.node.findChild('DefaultPolicy').node
          .defaultChild as CfnElement,
      );
      expect(template.toJSON().Resources[policyId].Metadata.checkov.skip).toEqual([
        { id: 'CKV_AWS_111', comment: expect.stringContaining('opt-out') },
      ]);
    });
  });

  describe('functions that do not bind the opt-out list', () => {
    // Every function of the stack with its Powertools service name, and which of them bind the list.
    const serviceNames = Object.values(template.findResources('AWS::Lambda::Function'))
      .map((fn) => fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME as string | undefined)
      .filter((serviceName): serviceName is string => serviceName !== undefined);
    const binding = [
      'optline-subscribers',
      // Add-only: optouts and the DSR worker (an objection is an opt-out) never lift one.
      'optline-optouts',
      'optline-inbound-sms',
      'optline-dsr-worker',
      ...JOB_NAMES.filter((name) => EXTRA_ENV[name].includes('OPT_OUT_LIST_NAME')).map(
        (name) => `optline-${name}`,
      ),
    ];
    const notBinding = serviceNames.filter((serviceName) => !binding.includes(serviceName));

    it('include the messages, campaign, delivery-status, DSR route and deadline, statistics, console and incident functions, and the retention functions', () => {
      expect(notBinding.sort()).toEqual([
        'optline-campaign-worker',
        'optline-campaigns',
        'optline-console',
        'optline-delivery-status',
        'optline-dsr',
        'optline-dsr-deadlines',
        'optline-incident-deadlines',
        'optline-incidents',
        'optline-messages',
        'optline-purge-inactive',
        'optline-retention-sweep',
        'optline-stats',
        'optline-ttl-backstop',
      ]);
    });

    it.each(notBinding)(
      'give %s no End User Messaging or SNS opt-out action, no access to the list and not its name',
      (serviceName) => {
        const { statements, env } = deployedFunction(serviceName);
        const actions = actionsOf(statements);
        expect(actions.length).toBeGreaterThan(0);
        for (const action of [...OPT_OUT_LIST_ACTIONS, ...SNS_OPT_OUT_ACTIONS]) {
          expect(actions).not.toContain(action);
        }
        expect(actions.filter((a) => /OptedOut|OptIn/.test(a))).toEqual([]);
        expect(JSON.stringify(statements)).not.toContain(JSON.stringify(imported(data.optOutList.attrArn)));
        expect(env.OPT_OUT_LIST_NAME).toBeUndefined();
      },
    );
  });
});
