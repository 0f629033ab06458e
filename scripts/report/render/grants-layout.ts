import type { FunctionReport } from '../model';
import { heading, joined, paragraph, tableOr } from './blocks';
import { code, type Block } from './document';

/** One function: how it runs, where it logs, and a row per resource it may act on. */
export function grantBlocks(fn: FunctionReport): Block[] {
  // Most statements have no condition; the column appears only for functions that have one.
  const withCondition = fn.grants.some((grant) => grant.condition !== undefined);
  const policies = [...new Set(fn.grants.flatMap((grant) => grant.policies))];
  return [
    heading(4, code(fn.path)),
    paragraph([
      `Runtime ${fn.runtime} on ${fn.architecture}, tracing ${fn.tracing}. Role `,
      code(fn.role),
      '; log group ',
      fn.logGroup === undefined ? 'implicit (never expires, not KMS-encrypted)' : code(fn.logGroup),
      '.',
    ]),
    ...(policies.length === 0 ? [] : [paragraph(['Policies: ', ...joined(policies), '.'])]),
    ...(fn.managedPolicies.length === 0
      ? []
      : [paragraph(['Managed policies: ', ...joined(fn.managedPolicies), '.'])]),
    tableOr(
      'No policy statements.',
      ['effect', 'resource', 'actions', ...(withCondition ? ['condition'] : [])],
      fn.grants.map((g) => [
        g.effect,
        code(g.resource),
        g.actions.join(', '),
        ...(withCondition ? [g.condition === undefined ? '–' : code(g.condition)] : []),
      ]),
    ),
  ];
}
