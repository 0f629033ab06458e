import type { StackArtifact, TemplateResource } from './assembly';
import { field, isObject, list, str } from './cfn';

/** A resource in one of the assembly's templates, optionally one of its attributes. */
export interface ResourceAddress {
  readonly stack: string;
  readonly logicalId: string;
  readonly attribute?: string;
}

/**
 * How a reviewer recognises a construct: its path without the `/Resource` suffix CDK gives L1 children
 * (`/Optline-eu-Api/SubscribersFunction/Resource` → `Optline-eu-Api/SubscribersFunction`).
 */
export function displayPath(constructPath: string): string {
  return constructPath.replace(/^\//, '').replace(/\/Resource$/, '');
}

const key = (stack: string, logicalId: string): string => `${stack}\u0000${logicalId}`;

/**
 * Resolves and renders CloudFormation references across the assembly's stacks. Logical ids are hashed and
 * cross-stack references go through exports, so both are turned back into construct paths: a reviewer reads
 * `<Optline-eu-Data/Subscribers.Arn>` instead of `Optline-eu-Data:ExportsOutputFnGetAttSubscribersF56A45C7…`.
 */
export class References {
  private readonly resources = new Map<string, TemplateResource>();
  private readonly exports = new Map<string, { readonly stack: string; readonly value: unknown }>();
  /** Every output by stack and output name, for `Fn::GetStackOutput` (weak cross-stack references). */
  private readonly outputs = new Map<string, { readonly stack: string; readonly value: unknown }>();
  /** Construct paths from the stack metadata, for templates synthesized without `aws:cdk:path` metadata. */
  private readonly metadataPaths = new Map<string, string>();

  constructor(stacks: readonly StackArtifact[]) {
    for (const stack of stacks) {
      for (const [constructPath, entries] of Object.entries(stack.metadata)) {
        for (const entry of entries) {
          const logicalId = str(entry.data);
          if (entry.type === 'aws:cdk:logicalId' && logicalId !== undefined) {
            this.metadataPaths.set(key(stack.name, logicalId), constructPath);
          }
        }
      }
      for (const [logicalId, resource] of Object.entries(stack.template.Resources)) {
        this.resources.set(key(stack.name, logicalId), resource);
      }
      for (const [outputName, output] of Object.entries(stack.template.Outputs ?? {})) {
        const name = str(output.Export?.Name);
        if (name !== undefined) this.exports.set(name, { stack: stack.name, value: output.Value });
        this.outputs.set(key(stack.name, outputName), { stack: stack.name, value: output.Value });
      }
    }
  }

  resource(address: ResourceAddress): TemplateResource | undefined {
    return this.resources.get(key(address.stack, address.logicalId));
  }

  /**
   * The construct path of a resource: from its template metadata, else from the stack metadata (apps
   * synthesized outside the CLI have no path metadata), else `<stack>/<logicalId>`.
   */
  path(address: ResourceAddress): string {
    const cdkPath =
      str(this.resource(address)?.Metadata?.['aws:cdk:path']) ??
      this.metadataPaths.get(key(address.stack, address.logicalId));
    return cdkPath === undefined ? `${address.stack}/${address.logicalId}` : displayPath(cdkPath);
  }

  /**
   * The resource a value points at through `Ref`, `Fn::GetAtt`, or another stack's value: `Fn::ImportValue` of
   * its export or `Fn::GetStackOutput` of its output.
   */
  target(value: unknown, stack: string): ResourceAddress | undefined {
    if (!isObject(value)) return undefined;
    const ref = str(value.Ref);
    if (ref !== undefined) return this.known({ stack, logicalId: ref });
    const getAtt = getAttParts(value['Fn::GetAtt']);
    if (getAtt) return this.known({ stack, logicalId: getAtt[0], attribute: getAtt[1] });
    const other = this.otherStackValue(value);
    return other ? this.target(other.value, other.stack) : undefined;
  }

  /** The value another stack provides through its export (`Fn::ImportValue`) or output (`Fn::GetStackOutput`). */
  private otherStackValue(value: Record<string, unknown>): { stack: string; value: unknown } | undefined {
    const exported = this.exports.get(str(value['Fn::ImportValue']) ?? '');
    if (exported) return exported;
    const output = value['Fn::GetStackOutput'];
    const stackName = str(field(output, 'StackName'));
    const outputName = str(field(output, 'OutputName'));
    return stackName && outputName ? this.outputs.get(key(stackName, outputName)) : undefined;
  }

  /** The construct path of the resource a value points at, or the value rendered when it points at none. */
  label(value: unknown, stack: string): string {
    const target = this.target(value, stack);
    return target ? this.path(target) : this.render(value, stack);
  }

  /** A value as readable text: resources as `<path>` or `<path.Attribute>`, pseudo parameters as `<AWS::Region>`. */
  render(value: unknown, stack: string): string {
    if (value === undefined || value === null) return '';
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (!isObject(value))
      return list(value)
        .map((item) => this.render(item, stack))
        .join(', ');

    const ref = str(value.Ref);
    if (ref !== undefined) return `<${this.name(stack, ref)}>`;
    const getAtt = getAttParts(value['Fn::GetAtt']);
    if (getAtt) return `<${this.name(stack, getAtt[0])}.${getAtt[1]}>`;
    if (value['Fn::ImportValue'] !== undefined) {
      const exportName = this.render(value['Fn::ImportValue'], stack);
      const exported = this.exports.get(exportName);
      return exported ? this.render(exported.value, exported.stack) : `<import ${exportName}>`;
    }
    if (value['Fn::GetStackOutput'] !== undefined) {
      const output = this.otherStackValue(value);
      return output
        ? this.render(output.value, output.stack)
        : `<output ${JSON.stringify(value['Fn::GetStackOutput'])}>`;
    }
    const join = value['Fn::Join'];
    if (Array.isArray(join) && join.length === 2) {
      const [delimiter, items] = join as [unknown, unknown];
      return list(items)
        .map((item) => this.render(item, stack))
        .join(str(delimiter) ?? '');
    }
    if (value['Fn::Sub'] !== undefined) return this.renderSub(value['Fn::Sub'], stack);
    return JSON.stringify(value);
  }

  private renderSub(sub: unknown, stack: string): string {
    const [template, variables] = Array.isArray(sub) ? (sub as [unknown, unknown]) : [sub, undefined];
    return (str(template) ?? '').replace(/\$\{(!?)([^}]+)\}/g, (_match, literal: string, name: string) => {
      if (literal) return `\${${name}}`;
      const variable = field(variables, name);
      if (variable !== undefined) return this.render(variable, stack);
      const [logicalId = name, attribute] = name.split('.', 2);
      return `<${this.name(stack, logicalId)}${attribute === undefined ? '' : `.${attribute}`}>`;
    });
  }

  /** Pseudo parameters and parameters keep their name; resources get their construct path. */
  private name(stack: string, logicalId: string): string {
    return this.resource({ stack, logicalId }) ? this.path({ stack, logicalId }) : logicalId;
  }

  private known(address: ResourceAddress): ResourceAddress | undefined {
    return this.resource(address) ? address : undefined;
  }
}

function getAttParts(value: unknown): readonly [string, string] | undefined {
  if (typeof value === 'string') {
    const dot = value.indexOf('.');
    return dot > 0 ? [value.slice(0, dot), value.slice(dot + 1)] : undefined;
  }
  if (Array.isArray(value)) {
    const [logicalId, attribute] = value as unknown[];
    if (typeof logicalId === 'string' && typeof attribute === 'string') return [logicalId, attribute];
  }
  return undefined;
}
