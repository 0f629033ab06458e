import { CfnOutput, Stack } from 'aws-cdk-lib';
import { Role, ServicePrincipal, type CfnPolicy } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
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
 * SNS takes the role through its account-level SMS attributes, which CloudFormation cannot set: after the first
 * deploy, run the command in the `SnsSmsDeliveryStatusCommand` output once per account and region.
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
    new CfnOutput(this, 'SnsSmsDeliveryStatusCommand', {
      description: 'Run once per account and region to turn on SNS SMS delivery-status logging',
      value: `aws sns set-sms-attributes --region ${region} --attributes DeliveryStatusIAMRole=${this.role.roleArn},DeliveryStatusSuccessSamplingRate=100`,
    });
  }
}
