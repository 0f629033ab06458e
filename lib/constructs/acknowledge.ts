import { Validations, type CfnResource } from 'aws-cdk-lib';

export interface Findings {
  /**
   * cdk-nag rule ids as cdk-nag prints them (`NIST.800.53.R5-S3BucketVersioningEnabled`); the pack namespace
   * CDK's validation report needs (`NIST.800.53.R5::…`) is derived from the id.
   * @default - none
   */
  readonly nag?: readonly string[];
  /**
   * checkov check ids (`CKV_AWS_21`), written as a skip into the resource's template metadata.
   * @default - none
   */
  readonly checkov?: readonly string[];
  /**
   * cfn-lint rule ids (`W3005`), written into the resource's template metadata as `ignore_checks`. cfn-lint
   * has no field for a reason, so the reason goes beside them as `comment`.
   * @default - none
   */
  readonly cfnLint?: readonly string[];
}

interface CheckovSkip {
  readonly id: string;
  readonly comment: string;
}

/**
 * Acknowledges findings of the security scanners on one resource, with one reason for all of them.
 *
 * It takes a `CfnResource` on purpose: acknowledgements sit on the narrowest construct, never on a stack.
 * The same reason reaches the synth-time nag report and the template a reviewer reads (checkov and cfn-lint
 * skips are template metadata).
 */
export function acknowledgeFindings(resource: CfnResource, reason: string, findings: Findings): void {
  for (const ruleId of findings.nag ?? []) {
    const pack = ruleId.slice(0, ruleId.indexOf('-'));
    Validations.of(resource).acknowledge({ id: `${pack}::${ruleId}`, reason });
  }
  if (findings.checkov?.length) {
    const skips = new Map(
      ((resource.getMetadata('checkov') as { skip?: CheckovSkip[] } | undefined)?.skip ?? []).map((skip) => [
        skip.id,
        skip.comment,
      ]),
    );
    // One skip per check: a second reason for the same check joins the first.
    for (const id of findings.checkov) skips.set(id, skips.has(id) ? `${skips.get(id)} ${reason}` : reason);
    resource.addMetadata('checkov', { skip: [...skips].map(([id, comment]) => ({ id, comment })) });
  }
  if (findings.cfnLint?.length) {
    const existing = resource.getMetadata('cfn-lint') as
      { config?: { ignore_checks?: string[] }; comments?: Record<string, string> } | undefined;
    const ids = [...(existing?.config?.ignore_checks ?? []), ...findings.cfnLint];
    const comments = {
      ...existing?.comments,
      ...Object.fromEntries(findings.cfnLint.map((id) => [id, reason])),
    };
    resource.addMetadata('cfn-lint', { config: { ignore_checks: ids }, comments });
  }
}

/**
 * Renders a CloudFormation value the way cdk-nag names it inside a finding id, such as
 * `AwsSolutions-IAM5[Resource::<Table1234.Arn>/index/*]`: `Fn::GetAtt` as `<Id.Attr>`, `Ref` as `<Id>`,
 * `Fn::ImportValue` as the export name, `Fn::Join` concatenated, and anything else (such as the
 * `Fn::GetStackOutput` of a weak cross-stack reference) as its JSON, as cdk-nag's flattenCfnReference does.
 */
export function nagText(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const fn = value as Record<string, unknown>;
  if (Array.isArray(fn['Fn::Join'])) {
    const [delimiter, items] = fn['Fn::Join'] as [string, unknown[]];
    return items.map(nagText).join(delimiter);
  }
  if (fn['Fn::Sub'] !== undefined) return nagText(fn['Fn::Sub']);
  if (Array.isArray(fn['Fn::GetAtt'])) {
    const [resource, attribute] = fn['Fn::GetAtt'] as [unknown, unknown];
    return `<${nagText(resource)}.${nagText(attribute)}>`;
  }
  if (fn['Fn::ImportValue'] !== undefined) return nagText(fn['Fn::ImportValue']);
  if (fn.Ref !== undefined) return `<${nagText(fn.Ref)}>`;
  return JSON.stringify(value);
}

interface PolicyDocumentJson {
  readonly Statement?: ReadonlyArray<{ Effect?: string; Action?: unknown; Resource?: unknown }>;
}

/**
 * The wildcard findings cdk-nag's IAM5 rule reports for a resolved policy document, without the rule prefix:
 * `Action::kms:ReEncrypt*`, `Resource::*`, `Resource::<Table.Arn>/index/*`.
 */
export function wildcardFindings(document: PolicyDocumentJson): Set<string> {
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
  const findings = new Set<string>();
  for (const statement of document.Statement ?? []) {
    if (statement.Effect !== 'Allow') continue;
    for (const action of list(statement.Action)) {
      if (typeof action === 'string' && action.includes('*')) findings.add(`Action::${action}`);
    }
    for (const resource of list(statement.Resource).map(nagText)) {
      if (resource.includes('*')) findings.add(`Resource::${resource}`);
    }
  }
  return findings;
}
