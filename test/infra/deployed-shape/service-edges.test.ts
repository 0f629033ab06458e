import { App, ArnFormat, Stack } from 'aws-cdk-lib';
import { Alarm, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Code, Function, Runtime } from 'aws-cdk-lib/aws-lambda';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import { CfnPhoneNumber } from 'aws-cdk-lib/aws-smsvoice';
import { CfnSubscription, Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription, SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { CfnQueue, CfnQueuePolicy, Queue } from 'aws-cdk-lib/aws-sqs';
import { parseCells } from '../../../lib/config';
import { addCell, newOptlineApp } from '../../../lib/optline-app';
import { DEFAULT_STACKS, synthesizeDefaultCells } from './default-cells';
import { serviceEdgeReport } from './service-edge-report';
import { EDGES, findServiceEdges } from './service-edges';
import { TemplateSet } from './template-set';

// Rule (DESIGN §9): every service-to-service edge is admitted twice, by the target's resource policy and by its
// KMS key policy (or, where the service acts through a role, by the role's trust, identity and key policies),
// each narrowed with aws:SourceAccount or aws:SourceArn. The documentation of each edge is cited where the check
// models it, in service-edges.ts.

const env = { region: 'eu-west-1' };
const NARROWED = 'narrowed by aws:SourceAccount or aws:SourceArn';
const cloudwatch = new ServicePrincipal('cloudwatch.amazonaws.com');
const sns = new ServicePrincipal('sns.amazonaws.com');

/** An alarm in one stack publishing to a topic encrypted with a key of another stack. */
const alarmToEncryptedTopic = (admitted: boolean): string[] => {
  const app = new App();
  const keys = new Stack(app, 'Keys', { env });
  const key = new Key(keys, 'Key');
  const alerts = new Stack(app, 'Alerts', { env });
  const topic = new Topic(alerts, 'Topic', { masterKey: key });
  new Alarm(alerts, 'Alarm', {
    metric: new Metric({ namespace: 'Fixture', metricName: 'Errors' }),
    threshold: 1,
    evaluationPeriods: 1,
  }).addAlarmAction(new SnsAction(topic));
  if (admitted) {
    const anyAlarm = alerts.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudwatch],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': anyAlarm },
          StringEquals: { 'aws:SourceAccount': alerts.account },
        },
      }),
    );
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudwatch],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': keys.account } },
      }),
    );
  }
  return serviceEdgeReport(TemplateSet.fromApp(app));
};

/**
 * An encrypted queue subscribed to a topic through CDK's SqsSubscription, which grants SNS the queue's key (with
 * aws:SourceArn of the topic only under the restrictSqsDescryption feature flag), optionally with a second,
 * unconditioned grant to SNS.
 */
const subscribedQueue = (restrictKeyToTopic: boolean, alsoUnconditioned = false): string[] => {
  const app = new App({
    context: { '@aws-cdk/aws-sns-subscriptions:restrictSqsDescryption': restrictKeyToTopic },
  });
  const stack = new Stack(app, 'Inbound', { env });
  const key = new Key(stack, 'Key');
  const queue = new Queue(stack, 'Queue', { encryptionMasterKey: key });
  new Topic(stack, 'Topic').addSubscription(new SqsSubscription(queue));
  if (alsoUnconditioned) {
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [sns],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
      }),
    );
  }
  return serviceEdgeReport(TemplateSet.fromApp(app));
};

/** A queue subscribed to a topic, written as plain resources: the queue policy admits SNS, the key is given. */
const queueWithKey = (kmsMasterKeyId: (stack: Stack) => string): string[] => {
  const app = new App();
  const stack = new Stack(app, 'Inbound', { env });
  const topic = new Topic(stack, 'Topic');
  const queue = new CfnQueue(stack, 'Queue', { kmsMasterKeyId: kmsMasterKeyId(stack) });
  new CfnQueuePolicy(stack, 'QueuePolicy', {
    queues: [queue.ref],
    policyDocument: new PolicyDocument({
      statements: [
        new PolicyStatement({
          principals: [sns],
          actions: ['sqs:SendMessage'],
          resources: [queue.attrArn],
          conditions: { ArnEquals: { 'aws:SourceArn': topic.topicArn } },
        }),
      ],
    }),
  });
  new CfnSubscription(stack, 'Subscription', {
    protocol: 'sqs',
    topicArn: topic.topicArn,
    endpoint: queue.attrArn,
  });
  return serviceEdgeReport(TemplateSet.fromApp(app));
};

const inlineFunction = (stack: Stack, id: string): Function =>
  new Function(stack, id, {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => undefined;'),
  });

describe('service edges are admitted by resource and key policies, narrowed to their source', () => {
  // GIVEN the default cells, synthesized once for the file
  const templates = synthesizeDefaultCells();
  const report = serviceEdgeReport(templates);
  const kinds = Object.values(EDGES);

  it('finds every kind of edge the default cells wire, across all four stacks', () => {
    expect(templates.stacks.map((s) => s.stackName).sort()).toEqual(DEFAULT_STACKS);
    const found = new Set(findServiceEdges(templates).admissions.map((a) => a.edge));
    expect([...found]).toEqual(
      expect.arrayContaining([
        EDGES.alarmToTopic,
        EDGES.topicToQueue,
        EDGES.smsEventsToTopic,
        EDGES.scheduleToFunction,
        EDGES.scheduleToDeadLetters,
        EDGES.functionToDeadLetters,
        EDGES.eventSourceToDestination,
        EDGES.accessLogsToBucket,
        EDGES.logsToKey,
      ]),
    );
  });

  it('admits and narrows the two-way numbers and pools of a cell that provisions origination identities', () => {
    // GIVEN a cell with a simulator number, a long code and a sender id in its pool
    const app = newOptlineApp({ context: { 'aws:cdk:bundling-stacks': [] } });
    const [withIdentities] = parseCells([
      {
        name: 'sandbox',
        region: 'us-west-2',
        regime: 'CCPA',
        tenants: ['demo', 'acme', 'uk'],
        tenantProfiles: Object.fromEntries(
          ['demo', 'acme', 'uk'].map((tenant) => [
            tenant,
            { brand: tenant, contact: `help@${tenant}.example` },
          ]),
        ),
        originationIdentities: [
          { name: 'demo-sim', type: 'SIMULATOR', country: 'US', tenant: 'demo' },
          { name: 'acme-long', type: 'LONG_CODE', country: 'GB', tenant: 'acme' },
          { name: 'uk-sender', type: 'SENDER_ID', country: 'GB', tenant: 'uk', senderId: 'UKSHOP' },
        ],
      },
    ]);
    addCell(app, withIdentities!);
    const identityTemplates = TemplateSet.fromApp(app);
    // THEN its two-way edges are found (so the check below is not vacuous), and every edge is admitted
    const edges = findServiceEdges(identityTemplates).admissions.map((admission) => admission.edge);
    expect(edges.filter((edge) => edge === EDGES.smsTwoWayToTopic).length).toBeGreaterThan(0);
    expect(serviceEdgeReport(identityTemplates)).toEqual([]);
  });

  it.each(kinds)('%s: every edge of the default cells is admitted and narrowed', (kind) => {
    expect(report.filter((line) => line.startsWith(`${kind}:`))).toEqual([]);
  });

  it('reports nothing outside the known kinds of edge', () => {
    expect(report.filter((line) => !kinds.some((kind) => line.startsWith(`${kind}:`)))).toEqual([]);
  });

  it('reports an alarm publishing to an encrypted topic in another stack that neither the topic nor its key admits', () => {
    expect(alarmToEncryptedTopic(false)).toEqual([
      `CloudWatch alarm → SNS: the key policy of Keys/Key (key of Alerts/Topic) does not admit cloudwatch.amazonaws.com to kms:GenerateDataKey, kms:Decrypt ${NARROWED} (needed by Alerts/Alarm)`,
      `CloudWatch alarm → SNS: the topic policy of Alerts/Topic does not admit cloudwatch.amazonaws.com to sns:Publish ${NARROWED} (needed by Alerts/Alarm)`,
    ]);
  });

  it('passes the same alarm once the topic policy and the key policy admit CloudWatch for this account', () => {
    expect(alarmToEncryptedTopic(true)).toEqual([]);
  });

  it('reports a queue subscribed to a topic whose key does not admit SNS', () => {
    expect(queueWithKey((stack) => new Key(stack, 'Key').keyArn)).toEqual([
      `SNS → SQS: the key policy of Inbound/Key (key of Inbound/Queue) does not admit sns.amazonaws.com to kms:GenerateDataKey, kms:Decrypt ${NARROWED} (needed by Inbound/Topic)`,
    ]);
  });

  it('reports a key that admits SNS only with no source condition, and passes it narrowed to the topic', () => {
    expect(subscribedQueue(false)).toEqual([
      `SNS → SQS: the key policy of Inbound/Key (key of Inbound/Queue) does not admit sns.amazonaws.com to kms:GenerateDataKey, kms:Decrypt ${NARROWED} — only Inbound/Key statement 2 admits it, with no source condition (needed by Inbound/Topic)`,
    ]);
    expect(subscribedQueue(true)).toEqual([]);
  });

  it('reports a key that admits SNS narrowed to the topic but also without any condition', () => {
    expect(subscribedQueue(true, true)).toEqual([
      'SNS → SQS: the key policy of Inbound/Key (key of Inbound/Queue) also admits sns.amazonaws.com without aws:SourceAccount or aws:SourceArn (Inbound/Key statement 3) (needed by Inbound/Topic)',
    ]);
  });

  it('reports what it cannot verify instead of passing it: an AWS managed key, a protocol it does not model', () => {
    expect(queueWithKey(() => 'alias/aws/sqs')).toEqual([
      'SNS → SQS: Inbound/Queue cannot admit sns.amazonaws.com: it is encrypted with the AWS managed key alias/aws/sqs, whose policy cannot be changed to admit other services',
    ]);
    const app = new App();
    const stack = new Stack(app, 'Inbound', { env });
    const handler = inlineFunction(stack, 'Handler');
    new Topic(stack, 'Topic').addSubscription(new LambdaSubscription(handler));
    expect(serviceEdgeReport(TemplateSet.fromApp(app))).toEqual([
      'SNS → SQS: Inbound/Handler/Topic subscribes Inbound/Handler (AWS::Lambda::Function) with protocol lambda, which the check does not model',
    ]);
  });

  it('reports a two-way number whose encrypted inbound topic admits End User Messaging in neither policy, and passes it admitted', () => {
    const twoWay = (admitted: boolean): string[] => {
      const app = new App();
      const stack = new Stack(app, 'Numbers', { env });
      const key = new Key(stack, 'Key');
      const topic = new Topic(stack, 'Inbound', { masterKey: key });
      new CfnPhoneNumber(stack, 'Number', {
        isoCountryCode: 'US',
        numberCapabilities: ['SMS'],
        numberType: 'SIMULATOR',
        mandatoryKeywords: { help: { message: 'Help text' }, stop: { message: 'Stop text' } },
        twoWay: { enabled: true, channelArn: topic.topicArn },
      });
      if (admitted) {
        const smsVoice = new ServicePrincipal('sms-voice.amazonaws.com');
        const fromThisAccount = { StringEquals: { 'aws:SourceAccount': stack.account } };
        topic.addToResourcePolicy(
          new PolicyStatement({
            principals: [smsVoice],
            actions: ['sns:Publish'],
            resources: [topic.topicArn],
            conditions: fromThisAccount,
          }),
        );
        key.addToResourcePolicy(
          new PolicyStatement({
            principals: [smsVoice],
            actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
            resources: ['*'],
            conditions: fromThisAccount,
          }),
        );
      }
      return serviceEdgeReport(TemplateSet.fromApp(app));
    };
    expect(twoWay(false)).toEqual([
      `End User Messaging two-way → SNS: the key policy of Numbers/Key (key of Numbers/Inbound) does not admit sms-voice.amazonaws.com to kms:GenerateDataKey, kms:Decrypt ${NARROWED} (needed by Numbers/Number)`,
      `End User Messaging two-way → SNS: the topic policy of Numbers/Inbound does not admit sms-voice.amazonaws.com to sns:Publish ${NARROWED} (needed by Numbers/Number)`,
    ]);
    expect(twoWay(true)).toEqual([]);
  });

  it('reports a schedule whose role trusts Scheduler without a source condition and cannot reach its dead-letter queue', () => {
    const app = new App();
    const stack = new Stack(app, 'Jobs', { env });
    const fn = inlineFunction(stack, 'Job');
    const role = new Role(stack, 'Role', { assumedBy: new ServicePrincipal('scheduler.amazonaws.com') });
    fn.grantInvoke(role);
    const deadLetters = new Queue(stack, 'DeadLetters');
    new CfnSchedule(stack, 'Schedule', {
      flexibleTimeWindow: { mode: 'OFF' },
      scheduleExpression: 'rate(1 day)',
      target: { arn: fn.functionArn, roleArn: role.roleArn, deadLetterConfig: { arn: deadLetters.queueArn } },
    });
    expect(serviceEdgeReport(TemplateSet.fromApp(app))).toEqual([
      'EventBridge Scheduler → Lambda: the trust policy of Jobs/Role does not admit scheduler.amazonaws.com to sts:AssumeRole narrowed by aws:SourceAccount or aws:SourceArn — only Jobs/Role trust policy statement 1 admits it, with no source condition (needed by Jobs/Schedule)',
      'EventBridge Scheduler → dead-letter queue: the policies of Jobs/Role do not allow sqs:SendMessage on Jobs/DeadLetters (needed by Jobs/Schedule)',
    ]);
  });

  it('reports a log group key that admits CloudWatch Logs only on a condition its requests do not carry', () => {
    const app = new App();
    const stack = new Stack(app, 'Logs', { env });
    const key = new Key(stack, 'Key');
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('logs.eu-west-1.amazonaws.com')],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    new CfnLogGroup(stack, 'Group', { kmsKeyId: key.keyArn });
    expect(serviceEdgeReport(TemplateSet.fromApp(app))).toEqual([
      'CloudWatch Logs → KMS: the key policy of Logs/Key does not admit logs.eu-west-1.amazonaws.com to kms:Encrypt, kms:Decrypt, kms:ReEncryptFrom, kms:ReEncryptTo, kms:GenerateDataKey, kms:DescribeKey narrowed by kms:EncryptionContext:aws:logs:arn — Logs/Key statement 2 names it, but its aws:SourceAccount condition needs a key this request does not carry (needed by Logs/Group)',
    ]);
  });
});
