import type { Json, ResourceHandle, TemplateSet } from './template-set';

/**
 * The ways a policy can name a resource: the token a `Ref`/`GetAtt Arn` renders to, and its ARN spelled out
 * from the name (literal or, when CloudFormation generates it, the name attribute as a token), for every form
 * the account takes. A policy pattern that matches any of them names the resource.
 */
export class ArnForms {
  constructor(private readonly templates: TemplateSet) {}

  /** `arn:${Partition}:<service>:<region>:<account>:<rest>` for each account form of the resource's stack. */
  private spelled(handle: ResourceHandle, service: string, region: string, rest: string): string[] {
    return this.templates
      .accountForms(handle.stack)
      .map(
        (account) => `arn:${this.templates.partition(handle.stack)}:${service}:${region}:${account}:${rest}`,
      );
  }

  /** The resource's physical name: its name property rendered, or its name attribute as a token. */
  nameOf(handle: ResourceHandle, property: string, attribute: string): string {
    const value: Json = handle.resource.Properties?.[property];
    return value === undefined
      ? `${this.templates.token(handle).slice(0, -1)}.${attribute}}`
      : this.templates.render(handle.stack, value);
  }

  of(handle: ResourceHandle): string[] {
    const token = this.templates.token(handle);
    const region = handle.stack.region;
    const named = (service: string, rest: string) => [token, ...this.spelled(handle, service, region, rest)];
    switch (handle.resource.Type) {
      case 'AWS::SNS::Topic':
        return named('sns', this.nameOf(handle, 'TopicName', 'TopicName'));
      case 'AWS::SQS::Queue':
        return named('sqs', this.nameOf(handle, 'QueueName', 'QueueName'));
      case 'AWS::Lambda::Function':
        return named('lambda', `function:${this.nameOf(handle, 'FunctionName', 'FunctionName')}`);
      case 'AWS::KMS::Key':
        return named('kms', `key/${this.nameOf(handle, 'KeyId', 'KeyId')}`);
      case 'AWS::CloudWatch::Alarm':
      case 'AWS::CloudWatch::CompositeAlarm':
        return named('cloudwatch', `alarm:${this.nameOf(handle, 'AlarmName', 'AlarmName')}`);
      case 'AWS::SMSVOICE::ConfigurationSet':
        return named(
          'sms-voice',
          `configuration-set/${this.nameOf(handle, 'ConfigurationSetName', 'ConfigurationSetName')}`,
        );
      case 'AWS::SMSVOICE::PhoneNumber':
        return named('sms-voice', `phone-number/${this.nameOf(handle, 'PhoneNumberId', 'PhoneNumberId')}`);
      case 'AWS::SMSVOICE::Pool':
        return named('sms-voice', `pool/${this.nameOf(handle, 'PoolId', 'PoolId')}`);
      case 'AWS::S3::Bucket':
        return [
          token,
          `arn:${this.templates.partition(handle.stack)}:s3:::${this.nameOf(handle, 'BucketName', 'BucketName')}`,
        ];
      case 'AWS::IAM::Role':
        return [
          token,
          ...this.spelled(handle, 'iam', '', `role/${this.nameOf(handle, 'RoleName', 'RoleName')}`),
        ];
      case 'AWS::Logs::LogGroup':
        // The ARN CloudWatch Logs puts in its encryption context: without the `:*` that GetAtt Arn adds.
        return this.spelled(
          handle,
          'logs',
          region,
          `log-group:${this.nameOf(handle, 'LogGroupName', 'LogGroupName')}`,
        );
      default:
        return [token];
    }
  }

  /** The ARN of the schedule group a schedule belongs to (`default` when it names none). */
  scheduleGroup(schedule: ResourceHandle): string[] {
    const group = schedule.resource.Properties?.GroupName;
    const name = group === undefined ? 'default' : this.templates.render(schedule.stack, group);
    return this.spelled(schedule, 'scheduler', schedule.stack.region, `schedule-group/${name}`);
  }

  /** How a key policy names an IAM role: the role itself, or its account (which delegates to IAM policies). */
  principalForms(role: ResourceHandle): string[] {
    const accounts = this.templates.accountForms(role.stack);
    const partition = this.templates.partition(role.stack);
    return [...this.of(role), ...accounts, ...accounts.map((a) => `arn:${partition}:iam::${a}:root`)];
  }
}
