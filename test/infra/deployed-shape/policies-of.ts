import type { PlacedStatement, Statement } from './policy-evaluation';
import type { Json, ResourceHandle, TemplateSet } from './template-set';

/**
 * Where the policies of a resource live in the templates: resource policies attached by their own resource
 * type (in any stack), key policies, trust policies and every identity policy attached to a role.
 */

const asList = (value: Json): Json[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

const statementsOf = (document: Json): Statement[] =>
  asList((document as { Statement?: Json } | undefined)?.Statement) as Statement[];

const sameResource = (a: ResourceHandle | undefined, b: ResourceHandle): boolean =>
  a !== undefined && a.stack === b.stack && a.logicalId === b.logicalId;

export class PoliciesOf {
  constructor(private readonly templates: TemplateSet) {}

  /** Statements of every policy resource of `policyType` whose `targetsProperty` names `target`. */
  attached(target: ResourceHandle, policyType: string, targetsProperty: string): PlacedStatement[] {
    return this.templates.ofType(policyType).flatMap((policy) => {
      const props = policy.resource.Properties ?? {};
      const names = asList(props[targetsProperty]).some((ref) =>
        sameResource(this.templates.resolve(policy.stack, ref)?.target, target),
      );
      return names ? this.place(policy, props.PolicyDocument) : [];
    });
  }

  topicPolicy(topic: ResourceHandle): PlacedStatement[] {
    return [
      ...this.attached(topic, 'AWS::SNS::TopicPolicy', 'Topics'),
      ...this.attached(topic, 'AWS::SNS::TopicInlinePolicy', 'TopicArn'),
    ];
  }

  queuePolicy(queue: ResourceHandle): PlacedStatement[] {
    return [
      ...this.attached(queue, 'AWS::SQS::QueuePolicy', 'Queues'),
      ...this.attached(queue, 'AWS::SQS::QueueInlinePolicy', 'Queue'),
    ];
  }

  bucketPolicy(bucket: ResourceHandle): PlacedStatement[] {
    return this.attached(bucket, 'AWS::S3::BucketPolicy', 'Bucket');
  }

  keyPolicy(key: ResourceHandle): PlacedStatement[] {
    return this.place(key, key.resource.Properties?.KeyPolicy);
  }

  trustPolicy(role: ResourceHandle): PlacedStatement[] {
    return this.place(role, role.resource.Properties?.AssumeRolePolicyDocument, 'trust policy');
  }

  /** Inline policies, attached `AWS::IAM::Policy` and customer managed policies of a role. */
  identityPolicies(role: ResourceHandle): PlacedStatement[] {
    const inline = asList(role.resource.Properties?.Policies).flatMap((p) =>
      this.place(role, (p as { PolicyDocument?: Json }).PolicyDocument, 'inline policy'),
    );
    const managedByArn = asList(role.resource.Properties?.ManagedPolicyArns).flatMap((arn) => {
      const managed = this.templates.resolve(role.stack, arn)?.target;
      return managed?.resource.Type === 'AWS::IAM::ManagedPolicy'
        ? this.place(managed, managed.resource.Properties?.PolicyDocument)
        : [];
    });
    return [
      ...inline,
      ...managedByArn,
      ...this.attached(role, 'AWS::IAM::Policy', 'Roles'),
      ...this.attached(role, 'AWS::IAM::ManagedPolicy', 'Roles'),
    ];
  }

  private place(holder: ResourceHandle, document: Json, kind?: string): PlacedStatement[] {
    const name = `${this.templates.label(holder)}${kind ? ` ${kind}` : ''}`;
    return statementsOf(document).map((statement, index) => ({
      stack: holder.stack,
      statement,
      where: `${name} statement ${statement.Sid ? `"${statement.Sid}"` : index + 1}`,
    }));
  }
}
