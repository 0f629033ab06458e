import { basename } from 'node:path';
import * as z from '../../../lambdas/shared/zod';
import { sortedBy } from '../cfn';
import type { CheckovSummary } from '../model';

const summarySchema = z.object({
  passed: z.number(),
  failed: z.number(),
  skipped: z.number(),
  parsing_errors: z._default(z.number(), 0),
  resource_count: z._default(z.number(), 0),
});

const runSchema = z.object({
  check_type: z.optional(z.string()),
  results: z._default(
    z.object({
      failed_checks: z._default(
        z.array(
          z.object({
            check_id: z.string(),
            check_name: z._default(z.string(), ''),
            resource: z._default(z.string(), ''),
            file_path: z._default(z.string(), ''),
          }),
        ),
        [],
      ),
    }),
    { failed_checks: [] },
  ),
  summary: summarySchema,
});

/**
 * Summarises `checkov -o json` output. One framework gives one run object, several give an array of them,
 * and a scan that found no files gives a bare summary; all three are accepted.
 */
export function summariseCheckov(json: unknown): CheckovSummary {
  const bare = summarySchema.safeParse(json);
  const runs = bare.success
    ? [{ summary: bare.data, results: { failed_checks: [] } }]
    : z
        .union([
          z.pipe(
            runSchema,
            z.transform((run) => [run]),
          ),
          z.array(runSchema),
        ])
        .parse(json);
  const total = (pick: (summary: z.infer<typeof summarySchema>) => number) =>
    runs.reduce((sum, run) => sum + pick(run.summary), 0);
  return {
    passed: total((s) => s.passed),
    failed: total((s) => s.failed),
    skipped: total((s) => s.skipped),
    parsingErrors: total((s) => s.parsing_errors),
    resources: total((s) => s.resource_count),
    failedChecks: runs
      .flatMap((run) => run.results.failed_checks)
      .map((check) => ({
        check: check.check_id,
        name: check.check_name,
        resource: check.resource,
        template: basename(check.file_path),
      }))
      .sort(sortedBy((c) => [c.template, c.resource, c.check].join('\u0000'))),
  };
}
