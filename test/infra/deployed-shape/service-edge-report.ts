import { PolicyEvaluator, type Verdict } from './policy-evaluation';
import { findServiceEdges, type Admission } from './service-edges';
import type { TemplateSet } from './template-set';

/**
 * The service-edge check: one line per missing or too-wide admission, each naming the edge, the policy and
 * what is missing, followed by the sources that need it. An empty report means every edge is admitted twice
 * (resource and key policy, or trust, identity and key policy) and every service principal is narrowed to its
 * source.
 */
export function serviceEdgeReport(templates: TemplateSet): string[] {
  const { admissions, unreadable } = findServiceEdges(templates);
  const evaluator = new PolicyEvaluator(templates);
  const sourcesByProblem = new Map<string, string[]>();
  for (const admission of admissions) {
    const problem = describeProblem(
      admission,
      evaluator.judge(admission.statements, admission.request, admission.narrowBy),
    );
    if (problem === undefined) continue;
    const sources = sourcesByProblem.get(problem) ?? [];
    if (!sources.includes(admission.source)) sources.push(admission.source);
    sourcesByProblem.set(problem, sources);
  }
  return [
    ...[...sourcesByProblem].map(([problem, sources]) => `${problem} (needed by ${listed(sources)})`),
    ...unreadable,
  ].sort();
}

const listed = (sources: string[]): string =>
  sources.length <= 3
    ? sources.join(', ')
    : `${sources.slice(0, 2).join(', ')} and ${sources.length - 2} more`;

/** Condition keys as the documentation spells them (policies compare them case-insensitively). */
const SPELLING: Record<string, string> = {
  'aws:sourceaccount': 'aws:SourceAccount',
  'aws:sourcearn': 'aws:SourceArn',
  'kms:encryptioncontext:aws:logs:arn': 'kms:EncryptionContext:aws:logs:arn',
};
const keysText = (keys: readonly string[]): string => keys.map((k) => SPELLING[k] ?? k).join(' or ');

function describeProblem(admission: Admission, verdict: Verdict): string | undefined {
  const { edge, subject, request, narrowBy } = admission;
  const who =
    request.caller.kind === 'service'
      ? request.caller.name
      : request.caller.kind === 'iam'
        ? 'the role'
        : 'its holder';
  if (verdict.denied.length > 0) {
    return `${edge}: ${subject} denies ${who} ${request.actions.join(', ')} (${verdict.denied.join('; ')})`;
  }
  if (admission.denialsOnly) return undefined;
  if (verdict.missing.length > 0) {
    const narrowed =
      narrowBy && request.caller.kind === 'service' ? ` narrowed by ${keysText(narrowBy)}` : '';
    const why = [
      ...verdict.notes,
      ...(verdict.unnarrowed.length > 0
        ? [`only ${verdict.unnarrowed.join('; ')} admits it, with no source condition`]
        : []),
    ];
    const wanted = verdict.missing.join(', ');
    const gap =
      request.caller.kind === 'identity'
        ? `do not allow ${wanted} on ${admission.on ?? 'it'}`
        : `does not admit ${who} to ${wanted}${narrowed}`;
    return `${edge}: ${subject} ${gap}${why.length > 0 ? ` — ${why.join('; ')}` : ''}`;
  }
  if (verdict.unnarrowed.length > 0 && narrowBy) {
    return `${edge}: ${subject} also admits ${who} without ${keysText(narrowBy)} (${verdict.unnarrowed.join('; ')})`;
  }
  return undefined;
}
