import { basename } from 'node:path';
import * as z from '../../../lambdas/shared/zod';
import { sortedBy } from '../cfn';
import type { CfnLintSummary } from '../model';

const matchSchema = z.object({
  Filename: z.string(),
  Level: z.string(),
  Message: z.string(),
  Location: z.optional(z.object({ Path: z.optional(z.array(z.union([z.string(), z.number()]))) })),
  Rule: z.object({ Id: z.string() }),
});

/** Summarises `cfn-lint --format json` output: an array of matches, empty when the templates are clean. */
export function summariseCfnLint(json: unknown): CfnLintSummary {
  const findings = z
    .array(matchSchema)
    .parse(json)
    .map((match) => ({
      rule: match.Rule.Id,
      level: match.Level,
      // Directory prefixes differ between machines; the template name is what identifies the stack.
      template: basename(match.Filename),
      location: (match.Location?.Path ?? []).join('/'),
      message: match.Message,
    }));
  return {
    findings: findings.sort(sortedBy((f) => [f.template, f.location, f.rule, f.message].join('\u0000'))),
  };
}
