import type { Json, ResourceHandle, StackTemplate, TemplateSet } from './template-set';

/**
 * A resource kept by `DeletionPolicy: Retain` survives the rollback of the create that made it. If its
 * physical name is fixed, the next deploy tries to create the same name again and fails with "already
 * exists", so a failed first deploy can never be retried. `RetainExceptOnCreate` deletes a resource when the
 * stack operation that created it rolls back and retains it otherwise; CDK writes it for
 * `RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE`.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
 *
 * Only the DeletionPolicy decides this. `UpdateReplacePolicy: Retain` (which RETAIN_ON_UPDATE_OR_DELETE also
 * writes) applies to replacements, and CloudFormation refuses to replace a resource with a custom name at all, so
 * it never leaves a copy of a fixed name behind.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html
 */

/**
 * The property that holds each type's physical name, or null where the service assigns the identifier itself
 * (or does not require names to be unique), so a retained copy cannot collide with a new create. A retained
 * resource of a type missing here is reported, so the check cannot go blind to a new type.
 */
export const PHYSICAL_NAME_PROPERTY: Readonly<Record<string, string | null>> = {
  'AWS::ApiGateway::Account': null, // the region's API Gateway settings, not a named resource
  'AWS::ApiGateway::RestApi': null, // the API id is generated; names need not be unique
  'AWS::CloudWatch::Alarm': 'AlarmName',
  // The pool id is generated; CreateUserPool has no "already exists" error for a repeated pool name.
  // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPool.html
  'AWS::Cognito::UserPool': null,
  'AWS::Cognito::UserPoolDomain': 'Domain',
  'AWS::DynamoDB::GlobalTable': 'TableName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::Events::Rule': 'Name',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::KMS::Alias': 'AliasName',
  'AWS::KMS::Key': null, // key ids are generated
  'AWS::Kinesis::Stream': 'Name',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::Scheduler::Schedule': 'Name',
  'AWS::Scheduler::ScheduleGroup': 'Name',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::SMSVOICE::ConfigurationSet': 'ConfigurationSetName',
  'AWS::SMSVOICE::OptOutList': 'OptOutListName',
  'AWS::SMSVOICE::PhoneNumber': null, // the number and its id are assigned when it is requested
  'AWS::SMSVOICE::Pool': null, // pool ids are generated
  'AWS::SMSVOICE::SenderId': 'SenderId', // one registration of a sender id per country
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SSM::Parameter': 'Name',
  'AWS::WAFv2::WebACL': 'Name',
};

/** Pseudo-parameters that take the same value on every attempt to create the stack. */
const STABLE_PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

type Fixedness = 'fixed' | 'generated' | { unknown: string };

const isObject = (value: Json): value is Record<string, Json> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Returns one line per retained resource whose fixed name blocks a retried create, or that the check cannot read. */
export function retainedFixedNames(templates: TemplateSet): string[] {
  return new NameReader(templates).report();
}

class NameReader {
  constructor(private readonly templates: TemplateSet) {}

  report(): string[] {
    return this.templates
      .resources()
      .filter((handle) => handle.resource.DeletionPolicy === 'Retain')
      .flatMap((handle) => {
        const label = `${this.templates.label(handle)} (${handle.resource.Type})`;
        const fixedness = this.nameOf(handle, new Set());
        if (fixedness === 'generated') return [];
        if (fixedness === 'fixed') {
          const property = PHYSICAL_NAME_PROPERTY[handle.resource.Type]!;
          const name = this.templates.render(handle.stack, handle.resource.Properties?.[property]);
          return [
            `${label} is retained (DeletionPolicy Retain) with the fixed ${property} "${name}": use RetainExceptOnCreate (RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE)`,
          ];
        }
        return [
          `${label} is retained, and the check cannot tell whether its name is fixed: ${fixedness.unknown}`,
        ];
      })
      .sort();
  }

  /** Whether a resource's physical name is the same on every attempt to create its stack. */
  private nameOf(handle: ResourceHandle, seen: Set<string>): Fixedness {
    const property = PHYSICAL_NAME_PROPERTY[handle.resource.Type];
    if (property === undefined) {
      return { unknown: `add ${handle.resource.Type} to PHYSICAL_NAME_PROPERTY` };
    }
    if (property === null) return 'generated';
    const id = `${handle.stack.stackName}/${handle.logicalId}`;
    if (seen.has(id)) return { unknown: `its name refers to itself through ${id}` };
    const value = handle.resource.Properties?.[property];
    return value === undefined ? 'generated' : this.expression(handle.stack, value, new Set([...seen, id]));
  }

  private expression(stack: StackTemplate, value: Json, seen: Set<string>): Fixedness {
    if (typeof value === 'string' || typeof value === 'number') return 'fixed';
    if (Array.isArray(value)) return this.all(value.map((v) => this.expression(stack, v, seen)));
    if (!isObject(value)) return { unknown: `unexpected value ${JSON.stringify(value)}` };
    const [fn, args] = Object.entries(value)[0] ?? [];
    switch (fn) {
      case 'Ref': {
        const name = String(args);
        if (name === 'AWS::StackId' || name === 'AWS::NoValue') return 'generated';
        if (STABLE_PSEUDO_PARAMETERS.has(name) || stack.template.Parameters?.[name]) return 'fixed';
        return this.reference(stack, value, seen);
      }
      case 'Fn::GetAtt':
        return this.reference(stack, value, seen);
      case 'Fn::ImportValue':
      case 'Fn::GetStackOutput':
        // Another stack's value is the same on every retry of this one.
        return 'fixed';
      case 'Fn::Join':
        return this.expression(stack, (args as [string, Json])[1], seen);
      case 'Fn::Sub': {
        const [text, variables] = (Array.isArray(args) ? args : [args, {}]) as [string, Record<string, Json>];
        const parts = [...text.matchAll(/\$\{([^!}][^}]*)\}/g)].map(([, name]) =>
          name! in variables
            ? this.expression(stack, variables[name!], seen)
            : this.expression(
                stack,
                name!.includes('.') ? { 'Fn::GetAtt': name!.split('.') } : { Ref: name },
                seen,
              ),
        );
        return this.all(parts);
      }
      case 'Fn::Select':
      case 'Fn::Split':
        return this.expression(stack, args, seen);
      case 'Fn::If': {
        const [, whenTrue, whenFalse] = args as [string, Json, Json];
        const branches = [this.expression(stack, whenTrue, seen), this.expression(stack, whenFalse, seen)];
        return branches.includes('fixed') ? 'fixed' : this.all(branches);
      }
      default:
        return { unknown: `its name uses ${fn ?? JSON.stringify(value)}, which the check does not read` };
    }
  }

  /** A name that refers to another resource is fixed exactly when that resource's name is. */
  private reference(stack: StackTemplate, value: Json, seen: Set<string>): Fixedness {
    const target = this.templates.resolve(stack, value)?.target;
    return target ? this.nameOf(target, seen) : { unknown: `it refers to ${JSON.stringify(value)}` };
  }

  private all(parts: Fixedness[]): Fixedness {
    const unknown = parts.find((p) => typeof p === 'object');
    if (unknown) return unknown;
    return parts.includes('generated') ? 'generated' : 'fixed';
  }
}
