/**
 * The deployed shape of the 72-hour breach notification (DESIGN §12): the Incidents table and its sparse index,
 * one encrypted, TLS-only topic per tenant, and the alarm on notifications unsent 12 hours before their deadline.
 * The operator's client and scope, and the functions' grants, are in api-stack.test.ts and scheduled-jobs.test.ts.
 */
import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DEFAULT_CELLS } from '../../lib/config';
import { addCell, newOptlineApp } from '../../lib/optline-app';

const [eu] = DEFAULT_CELLS;
const app = newOptlineApp({
  builtinCloudFormationValidation: false,
  context: { 'aws:cdk:bundling-stacks': [] },
});
const { data, api } = addCell(app, eu!);
const dataTemplate = Template.fromStack(data);
const apiTemplate = Template.fromStack(api);
const logicalId = (stack: typeof data | typeof api, c: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(c.node.defaultChild as CfnElement);

describe('the Incidents table', () => {
  it('keys items by pk/sk and indexes unsent notifications by deadline in a sparse ByUnsent index', () => {
    const table = dataTemplate.toJSON().Resources[logicalId(data, data.tables.Incidents)];
    expect(table.Properties.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(table.Properties.GlobalSecondaryIndexes).toEqual([
      expect.objectContaining({
        IndexName: 'ByUnsent',
        KeySchema: [
          { AttributeName: 'unsent', KeyType: 'HASH' },
          { AttributeName: 'notifyBy', KeyType: 'RANGE' },
        ],
      }),
    ]);
  });
});

describe('the tenants’ breach-notification topics', () => {
  const topics = dataTemplate.findResources('AWS::SNS::Topic', {
    Properties: { DisplayName: Match.stringLikeRegexp('^optline breach notifications') },
  });
  const keyRef = { 'Fn::GetAtt': [logicalId(data, data.incidentTopics.key), 'Arn'] };

  it('gives each tenant of the cell one topic of its own, retained with the Data stack', () => {
    expect(eu!.tenants.length).toBeGreaterThan(0);
    expect(
      Object.values(topics)
        .map((t) => t.Properties.DisplayName)
        .sort(),
    ).toEqual([...eu!.tenants].sort().map((tenant) => `optline breach notifications: ${tenant}`));
    for (const topic of Object.values(topics)) expect(topic.DeletionPolicy).toBe('Retain');
  });

  it('encrypts each with a rotating key of their own, not the cell key that also encrypts the tables', () => {
    for (const topic of Object.values(topics)) expect(topic.Properties.KmsMasterKeyId).toEqual(keyRef);
    const key = dataTemplate.toJSON().Resources[logicalId(data, data.incidentTopics.key)];
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(logicalId(data, data.incidentTopics.key)).not.toBe(logicalId(data, data.cellKey));
  });

  // "Enforce encryption of data in transit": deny any request with aws:SecureTransport false
  // (https://docs.aws.amazon.com/sns/latest/dg/sns-security-best-practices.html).
  it('refuses every request to each topic made without TLS', () => {
    for (const id of Object.keys(topics)) {
      dataTemplate.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Principal: '*',
              Action: 'sns:Publish',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });
});

describe('the incident-deadlines alarm', () => {
  it('fires on the alarm topic when a notification is unsent 12 hours or less before notifyBy, hourly', () => {
    const alarmTopic = { Ref: logicalId(api, api.alarmTopic) };
    apiTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Optline',
      MetricName: 'IncidentNotificationsAtRisk',
      Dimensions: [{ Name: 'service', Value: 'optline-incident-deadlines' }],
      Period: 3600,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [alarmTopic],
      OKActions: [alarmTopic],
    });
  });

  it('runs the job every hour', () => {
    apiTemplate.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(15 * * * ? *)',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [logicalId(api, api.jobs['incident-deadlines'].function), 'Arn'] },
      }),
    });
  });
});
