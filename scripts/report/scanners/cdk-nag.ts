import * as z from '../../../lambdas/shared/zod';
import { sortedBy } from '../cfn';
import type { NagSummary } from '../model';

const constructSchema = z.object({ constructPath: z.string() });
const violationSchema = z.object({
  ruleName: z.string(),
  violatingConstructs: z._default(z.array(constructSchema), []),
});
const reportSchema = z.object({
  pluginReports: z.array(
    z.object({
      pluginName: z.string(),
      conclusion: z.string(),
      violations: z._default(z.array(violationSchema), []),
      suppressedViolations: z._default(
        z.array(
          z.extend(violationSchema, { acknowledgedId: z.string(), acknowledgedAt: z.optional(z.string()) }),
        ),
        [],
      ),
    }),
  ),
});

/** Key of an acknowledgement as both the construct metadata and the validation report can name it. */
export const acknowledgementKey = (constructPath: string, acknowledgedId: string): string =>
  `${constructPath.replace(/^\//, '')}\u0000${acknowledgedId}`;

/**
 * Summarises CDK's validation report (`cdk.out/validation-report.json`, written by synth when validation
 * plugins such as the cdk-nag packs are registered): per pack, findings left open and findings acknowledged.
 */
export function summariseValidationReport(json: unknown): NagSummary {
  const report = reportSchema.parse(json);
  const unacknowledged = report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((violation) =>
      violation.violatingConstructs.map((construct) => ({
        rule: violation.ruleName,
        resource: construct.constructPath,
      })),
    ),
  );
  const usedAcknowledgements = new Set(
    report.pluginReports.flatMap((plugin) =>
      plugin.suppressedViolations.flatMap((violation) =>
        violation.violatingConstructs.map((construct) =>
          acknowledgementKey(violation.acknowledgedAt ?? construct.constructPath, violation.acknowledgedId),
        ),
      ),
    ),
  );
  const count = (violations: readonly z.infer<typeof violationSchema>[]) =>
    violations.reduce((sum, violation) => sum + violation.violatingConstructs.length, 0);
  return {
    packs: report.pluginReports
      .map((plugin) => ({
        name: plugin.pluginName,
        conclusion: plugin.conclusion,
        unacknowledged: count(plugin.violations),
        acknowledged: count(plugin.suppressedViolations),
      }))
      .sort(sortedBy((pack) => pack.name)),
    unacknowledged: unacknowledged.sort(sortedBy((finding) => `${finding.resource}\u0000${finding.rule}`)),
    usedAcknowledgements,
  };
}
