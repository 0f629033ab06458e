import type { StackArtifact } from '../assembly';
import { byText, field, isObject, list, str } from '../cfn';
import type { FunctionReport, Grant } from '../model';
import type { References, ResourceAddress } from '../references';
import { resourcesOfType, type Located } from './resources';

/** A policy document and where it comes from, for attributing each grant. */
interface PolicySource {
  readonly policy: string;
  readonly stack: string;
  readonly document: unknown;
}

const sameResource = (a: ResourceAddress | undefined, b: ResourceAddress): boolean =>
  a !== undefined && a.stack === b.stack && a.logicalId === b.logicalId;

/**
 * Every Lambda function with what its execution role may do: the statements of the role's inline policies,
 * of each `AWS::IAM::Policy`/`ManagedPolicy` attached to it, merged per effect, resource and condition.
 * AWS managed policies are listed by ARN, since their statements are not in the template.
 */
export function collectFunctions(stacks: readonly StackArtifact[], refs: References): FunctionReport[] {
  const policies = resourcesOfType(stacks, refs, 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy');
  const logGroups = resourcesOfType(stacks, refs, 'AWS::Logs::LogGroup');

  return resourcesOfType(stacks, refs, 'AWS::Lambda::Function').map((fn) => {
    const role = refs.target(fn.properties.Role, fn.stack);
    const { sources, managedPolicies } = role ? rolePolicies(role, policies, refs) : noPolicies;
    return {
      path: fn.path,
      runtime: str(fn.properties.Runtime) ?? 'container image',
      architecture: str(list(fn.properties.Architectures)[0]) ?? 'x86_64',
      tracing: str(field(fn.properties, 'TracingConfig', 'Mode')) ?? 'PassThrough',
      role: role ? refs.path(role) : refs.render(fn.properties.Role, fn.stack),
      logGroup: logGroupOf(fn, logGroups, refs),
      grants: grantsOf(sources, refs),
      managedPolicies,
    };
  });
}

const noPolicies = { sources: [], managedPolicies: [] };

/**
 * The policy documents that apply to a role, and the ARNs of managed policies the assembly does not define.
 * A customer managed policy counts once, whether the role lists it or the policy lists the role.
 */
function rolePolicies(
  role: ResourceAddress,
  policies: readonly Located[],
  refs: References,
): { sources: PolicySource[]; managedPolicies: string[] } {
  const properties = refs.resource(role)?.Properties;
  const sources: PolicySource[] = list(properties?.Policies)
    .filter(isObject)
    .map((inline) => ({
      policy: `${refs.path(role)} (inline ${refs.render(inline.PolicyName, role.stack)})`,
      stack: role.stack,
      document: inline.PolicyDocument,
    }));
  const attached = policies.filter((policy) =>
    list(policy.properties.Roles).some((r) => sameResource(refs.target(r, policy.stack), role)),
  );
  const managedPolicies: string[] = [];
  for (const arn of list(properties?.ManagedPolicyArns)) {
    const target = refs.target(arn, role.stack);
    const managed = target && policies.find((policy) => sameResource(target, policy));
    if (managed === undefined) managedPolicies.push(refs.render(arn, role.stack));
    else if (!attached.includes(managed)) attached.push(managed);
  }
  for (const policy of attached) {
    sources.push({ policy: policy.path, stack: policy.stack, document: policy.properties.PolicyDocument });
  }
  return { sources, managedPolicies: managedPolicies.sort(byText) };
}

/**
 * The log group a function writes to: the one named in `LoggingConfig`, or one created under the name Lambda
 * uses by default. `undefined` means Lambda creates the group on first write, without retention or KMS.
 */
function logGroupOf(fn: Located, logGroups: readonly Located[], refs: References): string | undefined {
  const configured = field(fn.properties, 'LoggingConfig', 'LogGroup');
  if (configured !== undefined) return refs.label(configured, fn.stack);
  const functionName =
    fn.properties.FunctionName === undefined
      ? refs.render({ Ref: fn.logicalId }, fn.stack)
      : refs.render(fn.properties.FunctionName, fn.stack);
  const defaultName = `/aws/lambda/${functionName}`;
  return logGroups.find(
    (group) =>
      group.stack === fn.stack && refs.render(group.properties.LogGroupName, group.stack) === defaultName,
  )?.path;
}

/** One grant per effect, resource and condition, gathering the actions of every statement that names it. */
function grantsOf(sources: readonly PolicySource[], refs: References): Grant[] {
  const merged = new Map<
    string,
    { grant: Omit<Grant, 'actions' | 'policies'>; actions: Set<string>; policies: Set<string> }
  >();
  for (const { policy, stack, document } of sources) {
    const render = (value: unknown) => refs.render(value, stack);
    const negated = (value: unknown) => `NOT ${render(value)}`;
    for (const statement of list(field(document, 'Statement')).filter(isObject)) {
      const effect = str(statement.Effect) ?? 'Allow';
      const actions =
        statement.NotAction === undefined
          ? list(statement.Action).map(render)
          : list(statement.NotAction).map(negated);
      const resources =
        statement.NotResource === undefined
          ? list(statement.Resource).map(render)
          : list(statement.NotResource).map(negated);
      const condition =
        statement.Condition === undefined ? undefined : renderCondition(statement.Condition, render);
      for (const resource of resources) {
        const key = [effect, resource, condition ?? ''].join('\u0000');
        const entry = merged.get(key) ?? {
          grant: { effect, resource, condition },
          actions: new Set(),
          policies: new Set(),
        };
        actions.forEach((action) => entry.actions.add(action));
        entry.policies.add(policy);
        merged.set(key, entry);
      }
    }
  }
  return [...merged.entries()]
    .sort(([a], [b]) => byText(a, b))
    .map(([, { grant, actions, policies }]) => ({
      ...grant,
      actions: [...actions].sort(byText),
      policies: [...policies].sort(byText),
    }));
}

/** `{"StringEquals": {"aws:SourceAccount": x}}` → `StringEquals aws:SourceAccount = <AWS::AccountId>`. */
function renderCondition(condition: unknown, render: (value: unknown) => string): string {
  if (!isObject(condition)) return render(condition);
  return Object.entries(condition)
    .flatMap(([operator, tests]) =>
      isObject(tests)
        ? Object.entries(tests).map(
            ([key, value]) => `${operator} ${key} = ${list(value).map(render).join(', ')}`,
          )
        : [`${operator} ${render(tests)}`],
    )
    .join('; ');
}
