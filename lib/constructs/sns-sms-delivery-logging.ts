import { Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal, type CfnPolicy, type CfnRole } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeFindings } from './acknowledge';
import { EncryptedLogGroup } from './encrypted-log-group';

export interface SnsSmsDeliveryLoggingProps {
  /** Encrypts the delivery-status log groups. */
  readonly logsKey: IKey;
}

/**
 * Where Amazon SNS writes the delivery status of SMS it publishes directly to phone numbers. SNS names these
 * log groups itself; creating them here first makes them encrypted and subject to the service-log retention
 * instead of unencrypted and kept forever. The role lets SNS write to exactly these two groups.
 *
 * SNS takes the role through its account-level SMS attributes, which CloudFormation cannot set; a custom
 * resource sets them (SetSMSAttributes) on every deploy. They are per account and region, so two cells in the
 * same account and region would share them.
 */
export class SnsSmsDeliveryLogging extends Construct {
  public readonly role: Role;

  constructor(scope: Construct, id: string, props: SnsSmsDeliveryLoggingProps) {
    super(scope, id);
    const { region, account } = Stack.of(this);
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('sns.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': account },
      }),
      description: 'Lets Amazon SNS write SMS delivery status to its two log groups',
    });
    for (const [groupId, suffix] of [
      ['SuccessLogs', ''],
      ['FailureLogs', '/Failure'],
    ] as const) {
      const group = new EncryptedLogGroup(this, groupId, {
        logGroupName: `sns/${region}/${account}/DirectPublishToPhoneNumber${suffix}`,
        encryptionKey: props.logsKey,
      });
      group.grantWrite(this.role);
    }
    const policy = this.role.node.findChild('DefaultPolicy').node.defaultChild as CfnPolicy;
    acknowledgeFindings(
      policy,
      'This inline policy belongs to the one SNS delivery-logging role and holds only the grantWrite statements ' +
        'for its two log groups; a managed policy would add an attachable artefact without narrowing anything.',
      { nag: ['NIST.800.53.R5-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy'] },
    );
    // SNS takes the role through account-level SMS attributes, which have no CloudFormation resource.
    const setAttributes = new AwsCustomResource(this, 'SetSmsAttributes', {
      onUpdate: {
        service: 'SNS',
        action: 'SetSMSAttributes',
        parameters: {
          attributes: { DeliveryStatusIAMRole: this.role.roleArn, DeliveryStatusSuccessSamplingRate: '100' },
        },
        physicalResourceId: PhysicalResourceId.of('optline-sns-sms-delivery-status'),
      },
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({ actions: ['sns:SetSMSAttributes'], resources: ['*'] }),
        new PolicyStatement({ actions: ['iam:PassRole'], resources: [this.role.roleArn] }),
      ]),
      installLatestAwsSdk: false,
      logGroup: new EncryptedLogGroup(this, 'CustomResourceLogs', { encryptionKey: props.logsKey }),
    });
    this.acknowledgeCustomResourceFindings(setAttributes);
  }

  /** The custom resource runs on CDK's shared provider function, which only ever runs during deployments. */
  private acknowledgeCustomResourceFindings(setAttributes: AwsCustomResource): void {
    const policy = setAttributes.node.findChild('CustomResourcePolicy').node.defaultChild as CfnPolicy;
    acknowledgeFindings(
      policy,
      'sns:SetSMSAttributes has no resource-level permission, so AWS requires Resource "*" for it; iam:PassRole ' +
        'in the same policy is limited to the one delivery-logging role.',
      { nag: ['AwsSolutions-IAM5[Resource::*]'], checkov: ['CKV_AWS_111'] },
    );
    acknowledgeFindings(
      policy,
      'This inline policy belongs to the deployment-time custom resource and holds only its two statements; ' +
        'a managed policy would add an attachable artefact without narrowing anything.',
      { nag: ['NIST.800.53.R5-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy'] },
    );
    const provider = Stack.of(this).node.findChild(AWS_CUSTOM_RESOURCE_PROVIDER_ID);
    acknowledgeFindings(
      provider.node.findChild('ServiceRole').node.defaultChild as CfnRole,
      "CDK's AwsCustomResource provider role: AWSLambdaBasicExecutionRole lets it write its own logs and nothing " +
        'else; the API call it makes is granted separately and narrowly.',
      {
        nag: [
          'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        ],
      },
    );
    acknowledgeFindings(
      provider.node.defaultChild as CfnFunction,
      "CDK's AwsCustomResource provider runs only when CloudFormation deploys the stack: CloudFormation waits " +
        'for its answer and fails the deployment on error, so there is no asynchronous event to dead-letter, ' +
        'no traffic to bound with reserved concurrency, and no private resource that a VPC would protect.',
      {
        nag: [
          'NIST.800.53.R5-LambdaDLQ',
          'HIPAA.Security-LambdaDLQ',
          'NIST.800.53.R5-LambdaInsideVPC',
          'HIPAA.Security-LambdaInsideVPC',
          'NIST.800.53.R5-LambdaConcurrency',
          'HIPAA.Security-LambdaConcurrency',
        ],
        checkov: ['CKV_AWS_115', 'CKV_AWS_116', 'CKV_AWS_117', 'CKV_AWS_173'],
      },
    );
    acknowledgeFindings(
      provider.node.defaultChild as CfnFunction,
      'CDK makes the provider function depend on its role, which the function also references by GetAtt; the ' +
        'explicit DependsOn is redundant but harmless.',
      { cfnLint: ['W3005'] },
    );
  }
}

/** Construct id of CDK's singleton AwsCustomResource provider function in a stack. */
const AWS_CUSTOM_RESOURCE_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';
