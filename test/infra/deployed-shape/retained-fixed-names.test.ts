import { App, Aws, CfnResource, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { DEFAULT_STACKS, synthesizeDefaultCells } from './default-cells';
import { retainedFixedNames } from './retained-fixed-names';
import { TemplateSet } from './template-set';

// Rule: a resource retained by DeletionPolicy Retain outlives the rollback of the create that made it; with a
// fixed name, every retry then fails with "already exists". RetainExceptOnCreate deletes it on that rollback.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html

const env = { region: 'eu-west-1' };
const fix = (name: string) =>
  `is retained (DeletionPolicy Retain) with the fixed LogGroupName "${name}": use RetainExceptOnCreate (RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE)`;

/** The report for a fixture app with one stack, `Fixture`, built by `build`. */
const reportFor = (build: (stack: Stack, app: App) => void): string[] => {
  const app = new App();
  build(new Stack(app, 'Fixture', { env }), app);
  return retainedFixedNames(TemplateSet.fromApp(app));
};

describe('retained resources with fixed names (retries deploy)', () => {
  // GIVEN the default cells, synthesized once for the file
  const templates = synthesizeDefaultCells();
  const report = retainedFixedNames(templates);

  it('reads the name of every retained resource in all four stacks', () => {
    expect(templates.stacks.map((s) => s.stackName).sort()).toEqual(DEFAULT_STACKS);
    expect(
      templates.resources().filter((r) => r.resource.DeletionPolicy === 'Retain').length,
    ).toBeGreaterThan(0);
    expect(report.filter((line) => line.includes('cannot tell'))).toEqual([]);
  });

  it('retains no resource with a fixed name in the default cells', () => {
    expect(report).toEqual([]);
  });

  it('reports a retained log group with a fixed name', () => {
    const lines = reportFor((stack) => {
      new LogGroup(stack, 'Logs', {
        logGroupName: 'aws-waf-logs-fixture',
        removalPolicy: RemovalPolicy.RETAIN,
      });
    });
    expect(lines).toEqual([`Fixture/Logs (AWS::Logs::LogGroup) ${fix('aws-waf-logs-fixture')}`]);
  });

  it('passes a fixed name under retain-except-on-create, and a retained name CloudFormation generates', () => {
    const lines = reportFor((stack) => {
      new LogGroup(stack, 'Named', {
        logGroupName: 'aws-waf-logs-fixture',
        removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      });
      new LogGroup(stack, 'Generated', { removalPolicy: RemovalPolicy.RETAIN });
    });
    expect(lines).toEqual([]);
  });

  it('treats a name built from pseudo-parameters or imported from another stack as fixed, and one built from a generated name as not', () => {
    const lines = reportFor((stack, app) => {
      const producer = new Stack(app, 'Producer', { env });
      const imported = new Queue(producer, 'Queue');
      const local = new Queue(stack, 'Queue');
      const retain = RemovalPolicy.RETAIN;
      new LogGroup(stack, 'Pseudo', {
        logGroupName: Fn.join('-', ['logs', Aws.STACK_NAME, Aws.REGION]),
        removalPolicy: retain,
      });
      new LogGroup(stack, 'Imported', { logGroupName: `logs-${imported.queueName}`, removalPolicy: retain });
      new LogGroup(stack, 'FromGenerated', {
        logGroupName: `logs-${local.queueName}`,
        removalPolicy: retain,
      });
    });
    expect(lines).toEqual([
      `Fixture/Imported (AWS::Logs::LogGroup) ${fix('logs-${Producer/Queue.QueueName}')}`,
      `Fixture/Pseudo (AWS::Logs::LogGroup) ${fix('logs-Fixture-eu-west-1')}`,
    ]);
  });

  it('reports a retained resource of a type whose name property it does not know', () => {
    const lines = reportFor((stack) => {
      new CfnResource(stack, 'FileSystem', { type: 'AWS::EFS::FileSystem' }).applyRemovalPolicy(
        RemovalPolicy.RETAIN,
      );
    });
    expect(lines).toEqual([
      'Fixture/FileSystem (AWS::EFS::FileSystem) is retained, and the check cannot tell whether its name is fixed: add AWS::EFS::FileSystem to PHYSICAL_NAME_PROPERTY',
    ]);
  });
});
