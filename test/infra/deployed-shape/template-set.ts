import type { App } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';

/**
 * The synthesized templates of an app, read the way CloudFormation will deploy them: references between
 * stacks (exports, weak stack-output references, SSM parameters) are followed to the resource they name, so a
 * check sees one graph of resources instead of four separate templates.
 */

// Template JSON is untyped; the checks read it defensively.
export type Json = unknown;

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Metadata?: Record<string, Json>;
}

interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { Value: Json; Export?: { Name: Json } }>;
  readonly Parameters?: Record<string, { Type: string; Default?: Json }>;
}

/** One synthesized stack. */
export interface StackTemplate {
  readonly stackName: string;
  readonly region: string;
  /** The deploying account when it was known at synth, else undefined (policies then use `AWS::AccountId`). */
  readonly account?: string;
  readonly template: CfnTemplate;
  /** Construct path of each logical id, from the cloud assembly (templates synthesized in memory carry none). */
  readonly paths?: Readonly<Record<string, string>>;
}

/** A resource of one stack. */
export interface ResourceHandle {
  readonly stack: StackTemplate;
  readonly logicalId: string;
  readonly resource: CfnResource;
}

/** What an expression points at: a resource, and the attribute read from it (undefined for `Ref`). */
export interface Reference {
  readonly target: ResourceHandle;
  readonly attribute?: string;
}

const PSEUDO_ACCOUNT = '${AWS::AccountId}';

/** `{{resolve:ssm:NAME}}` or `{{resolve:ssm:NAME:VERSION}}`: a dynamic reference to a plain SSM parameter. */
const SSM_DYNAMIC_REFERENCE = /^\{\{resolve:ssm:([^:}]+)(?::\d+)?\}\}$/;

const isObject = (value: Json): value is Record<string, Json> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The single intrinsic of `{ "Fn::X": … }` or `{ "Ref": … }`, if the value is one. */
const intrinsic = (value: Json): [string, Json] | undefined => {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  const key = keys[0];
  return keys.length === 1 && key !== undefined && (key === 'Ref' || key.startsWith('Fn::'))
    ? [key, value[key]]
    : undefined;
};

export class TemplateSet {
  /** Reads every stack of a synthesized app. */
  static fromApp(app: App): TemplateSet {
    const assembly = app.synth();
    return new TemplateSet(
      assembly.stacks.map((artifact) => ({
        stackName: artifact.stackName,
        region: artifact.environment.region,
        account: /^\d{12}$/.test(artifact.environment.account) ? artifact.environment.account : undefined,
        template: artifact.template as CfnTemplate,
        paths: Object.fromEntries(
          artifact.findMetadataByType('aws:cdk:logicalId').map((entry) => [String(entry.data), entry.path]),
        ),
      })),
    );
  }

  constructor(readonly stacks: readonly StackTemplate[]) {}

  /** Every resource of every stack. */
  resources(): ResourceHandle[] {
    return this.stacks.flatMap((stack) =>
      Object.entries(stack.template.Resources ?? {}).map(([logicalId, resource]) => ({
        stack,
        logicalId,
        resource,
      })),
    );
  }

  ofType(type: string): ResourceHandle[] {
    return this.resources().filter((handle) => handle.resource.Type === type);
  }

  /** A short, readable name: the construct path when CDK recorded one, else stack/logical id. */
  label(handle: ResourceHandle): string {
    const path = handle.stack.paths?.[handle.logicalId] ?? handle.resource.Metadata?.['aws:cdk:path'];
    return typeof path === 'string'
      ? path.replace(/^\//, '').replace(/\/(Resource|Default)$/, '')
      : `${handle.stack.stackName}/${handle.logicalId}`;
  }

  /** The canonical string standing for a resource's own identity (its `Ref` and its `Arn` alike), named by its label. */
  token(handle: ResourceHandle): string {
    return `\${${this.label(handle)}}`;
  }

  /**
   * The partition of a stack's region. CDK writes it as a literal (`arn:aws:…`) or as `AWS::Partition` depending
   * on feature flags; both render to this value so they compare equal.
   */
  partition(stack: StackTemplate): string {
    return RegionInfo.get(stack.region).partition ?? '${AWS::Partition}';
  }

  /** The account a policy of this stack names with `AWS::AccountId`, in every form it may take. */
  accountForms(stack: StackTemplate): string[] {
    return stack.account ? [PSEUDO_ACCOUNT, stack.account] : [PSEUDO_ACCOUNT];
  }

  /** The resource an expression of `from` points at, following imports, stack outputs and SSM parameters. */
  resolve(from: StackTemplate, expression: Json, seen = new Set<string>()): Reference | undefined {
    if (typeof expression === 'string') {
      const ssm = SSM_DYNAMIC_REFERENCE.exec(expression);
      return ssm?.[1] ? this.resolveSsmParameter(ssm[1], seen) : undefined;
    }
    const [fn, args] = intrinsic(expression) ?? [];
    if (fn === 'Ref' && typeof args === 'string') {
      const resource = from.template.Resources?.[args];
      if (resource) return { target: { stack: from, logicalId: args, resource } };
      const parameter = from.template.Parameters?.[args];
      // CDK's StringParameter.valueForStringParameter: a parameter whose default names the SSM parameter.
      if (parameter?.Type.startsWith('AWS::SSM::Parameter::Value') && typeof parameter.Default === 'string') {
        return this.resolveSsmParameter(parameter.Default, seen);
      }
      return undefined;
    }
    if (fn === 'Fn::GetAtt') {
      const [logicalId, attribute] = (
        typeof args === 'string' ? args.split(/\.(.*)/s, 2) : (args as [string, string])
      ) as [string, string];
      const resource = from.template.Resources?.[logicalId];
      return resource ? { target: { stack: from, logicalId, resource }, attribute } : undefined;
    }
    if (fn === 'Fn::ImportValue') {
      const exported = this.findExport(this.render(from, args));
      return exported && this.followOnce(seen, `export:${this.render(from, args)}`)
        ? this.resolve(exported.stack, exported.value, seen)
        : undefined;
    }
    if (fn === 'Fn::GetStackOutput' && isObject(args)) {
      const stack = this.stacks.find((s) => s.stackName === this.render(from, args.StackName));
      const output = stack?.template.Outputs?.[this.render(from, args.OutputName)];
      return stack && output && this.followOnce(seen, `output:${stack.stackName}/${String(args.OutputName)}`)
        ? this.resolve(stack, output.Value, seen)
        : undefined;
    }
    return undefined;
  }

  /**
   * An expression as one string: literals stay, pseudo-parameters that are the same everywhere in the stack
   * become their value (region, partition, URL suffix, stack name), the account stays `${AWS::AccountId}`, and a
   * reference to a resource becomes that resource's token (attributes other than
   * `Arn` keep their name: `${stack/id.StreamArn}`). Anything the renderer cannot follow becomes an opaque
   * `${?…}`, which matches nothing but a wildcard.
   */
  render(from: StackTemplate, expression: Json): string {
    if (typeof expression === 'string') {
      const parameter = SSM_DYNAMIC_REFERENCE.test(expression) ? this.resolve(from, expression) : undefined;
      return parameter ? this.renderReference(parameter) : expression;
    }
    if (typeof expression === 'number' || typeof expression === 'boolean') return String(expression);
    const [fn, args] = intrinsic(expression) ?? [];
    switch (fn) {
      case 'Ref':
        return this.renderRef(from, String(args));
      case 'Fn::GetAtt':
      case 'Fn::ImportValue':
      case 'Fn::GetStackOutput': {
        const reference = this.resolve(from, expression);
        if (!reference) return `\${?${JSON.stringify(expression)}}`;
        return this.renderReference(reference);
      }
      case 'Fn::Join': {
        const [separator, parts] = args as [string, Json];
        return Array.isArray(parts)
          ? parts.map((part) => this.render(from, part)).join(separator)
          : `\${?${JSON.stringify(expression)}}`;
      }
      case 'Fn::Sub': {
        const [text, variables] = (Array.isArray(args) ? args : [args, {}]) as [string, Record<string, Json>];
        return text.replace(/\$\{([^!}][^}]*)\}/g, (_, name: string) =>
          name in variables
            ? this.render(from, variables[name])
            : name.includes('.')
              ? this.render(from, { 'Fn::GetAtt': name.split(/\.(.*)/s, 2) })
              : this.renderRef(from, name),
        );
      }
      case 'Fn::Select': {
        const [index, list] = args as [Json, Json];
        const item = Array.isArray(list) ? list[Number(this.render(from, index))] : undefined;
        return item === undefined ? `\${?${JSON.stringify(expression)}}` : this.render(from, item);
      }
      default:
        return `\${?${JSON.stringify(expression)}}`;
    }
  }

  private renderRef(from: StackTemplate, name: string): string {
    switch (name) {
      case 'AWS::Region':
        return from.region;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return from.stackName;
      case 'AWS::AccountId':
        return PSEUDO_ACCOUNT;
      case 'AWS::Partition':
        return this.partition(from);
      default: {
        if (name.startsWith('AWS::')) return `\${${name}}`;
        const reference = this.resolve(from, { Ref: name });
        return reference ? this.renderReference(reference) : `\${param:${from.stackName}/${name}}`;
      }
    }
  }

  private renderReference({ target, attribute }: Reference): string {
    const token = this.token(target);
    return attribute === undefined || attribute === 'Arn' ? token : `${token.slice(0, -1)}.${attribute}}`;
  }

  private findExport(name: string): { stack: StackTemplate; value: Json } | undefined {
    for (const stack of this.stacks) {
      for (const output of Object.values(stack.template.Outputs ?? {})) {
        if (output.Export && this.render(stack, output.Export.Name) === name) {
          return { stack, value: output.Value };
        }
      }
    }
    return undefined;
  }

  private resolveSsmParameter(name: string, seen: Set<string>): Reference | undefined {
    const parameter = this.ofType('AWS::SSM::Parameter').find(
      (handle) => this.render(handle.stack, handle.resource.Properties?.Name) === name,
    );
    return parameter && this.followOnce(seen, `ssm:${name}`)
      ? this.resolve(parameter.stack, parameter.resource.Properties?.Value, seen)
      : undefined;
  }

  /** Guards reference chains against cycles: true the first time a link is followed. */
  private followOnce(seen: Set<string>, link: string): boolean {
    if (seen.has(link)) return false;
    seen.add(link);
    return true;
  }
}
