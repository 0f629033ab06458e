import type { StackArtifact } from '../assembly';
import { byText, field, isObject, list, sortedBy, str } from '../cfn';
import type { Acknowledgement, Scanner } from '../model';
import { displayPath, type References } from '../references';

/** One rule acknowledged on one construct, before rules sharing a reason are grouped. */
export interface RuleAcknowledgement {
  readonly resource: string;
  readonly scanner: Scanner;
  readonly rule: string;
  /** Empty when the acknowledgement gives no reason. */
  readonly reason: string;
  /** For cdk-nag: the acknowledged id and construct path as the validation report names them. */
  readonly nag?: { readonly id: string; readonly constructPath: string };
}

/**
 * Every acknowledgement of a security finding in a cell:
 * - cdk-nag v3 (`Validations.of(c).acknowledge`), recorded as `aws:cdk:acknowledged-rules` construct metadata
 *   with the id `<pack>::<rule>`, and cdk-nag v2 `cdk_nag.rules_to_suppress` resource metadata;
 * - checkov skips, `checkov.skip[] {id, comment}` in resource metadata;
 * - cfn-lint ignores, `cfn-lint.config.ignore_checks` with the reason in `cfn-lint.comments`.
 */
export function collectRuleAcknowledgements(
  stacks: readonly StackArtifact[],
  refs: References,
): RuleAcknowledgement[] {
  const found: RuleAcknowledgement[] = [];
  for (const stack of stacks) {
    for (const [constructPath, entries] of Object.entries(stack.metadata)) {
      for (const entry of entries.filter((e) => e.type === 'aws:cdk:acknowledged-rules')) {
        for (const [id, reason] of Object.entries(isObject(entry.data) ? entry.data : {})) {
          found.push({
            resource: displayPath(constructPath),
            scanner: 'cdk-nag',
            // The pack prefix only namespaces the id: `NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ`.
            rule: id.slice(id.indexOf('::') + 2),
            reason: str(reason) ?? '',
            nag: { id, constructPath: constructPath.replace(/^\//, '') },
          });
        }
      }
    }
    for (const logicalId of Object.keys(stack.template.Resources)) {
      const resource = refs.path({ stack: stack.name, logicalId });
      const metadata = stack.template.Resources[logicalId]?.Metadata ?? {};
      for (const skip of list(field(metadata, 'checkov', 'skip')).filter(isObject)) {
        found.push({
          resource,
          scanner: 'checkov',
          rule: str(skip.id) ?? '',
          reason: str(skip.comment) ?? '',
        });
      }
      const comments = field(metadata, 'cfn-lint', 'comments');
      for (const rule of list(field(metadata, 'cfn-lint', 'config', 'ignore_checks'))) {
        const id = str(rule) ?? '';
        found.push({ resource, scanner: 'cfn-lint', rule: id, reason: str(field(comments, id)) ?? '' });
      }
      for (const suppression of list(field(metadata, 'cdk_nag', 'rules_to_suppress')).filter(isObject)) {
        const rule = str(suppression.id) ?? '';
        found.push({ resource, scanner: 'cdk-nag', rule, reason: str(suppression.reason) ?? '' });
      }
    }
  }
  return found;
}

const SCANNER_ORDER: readonly Scanner[] = ['cdk-nag', 'checkov', 'cfn-lint'];

/**
 * Groups the rules acknowledged on the same resource by the same scanner for the same reason, so a reason
 * given once for the NIST and HIPAA variants of a rule is listed once. Ordered by resource, scanner, rule.
 */
export function groupAcknowledgements(rules: readonly RuleAcknowledgement[]): Acknowledgement[] {
  const groups = new Map<
    string,
    { resource: string; scanner: Scanner; reason: string; rules: Set<string> }
  >();
  for (const rule of rules) {
    const key = [rule.resource, SCANNER_ORDER.indexOf(rule.scanner), rule.reason].join('\u0000');
    const group = groups.get(key) ?? { ...rule, rules: new Set<string>() };
    group.rules.add(rule.rule);
    groups.set(key, group);
  }
  const sortKey = (a: Acknowledgement) =>
    [a.resource, SCANNER_ORDER.indexOf(a.scanner), a.rules[0] ?? ''].join('\u0000');
  return [...groups.values()]
    .map(({ resource, scanner, reason, rules: ids }) => ({
      resource,
      scanner,
      reason,
      rules: [...ids].sort(byText),
    }))
    .sort(sortedBy(sortKey));
}
