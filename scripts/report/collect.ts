import type { CloudAssembly } from './assembly';
import type { CellReport, CfnLintSummary, CheckovSummary, ComplianceReport, NagSummary } from './model';
import { References } from './references';
import { collectRuleAcknowledgements, groupAcknowledgements } from './sections/acknowledgements';
import { collectBuckets } from './sections/buckets';
import { groupCells, type CellStacks } from './sections/cells';
import { findDeviations } from './sections/deviations';
import { collectFunctions } from './sections/grants';
import { collectLogGroups } from './sections/log-groups';
import { retentionOverridesOf, withCellPeriods } from './sections/retention';
import { collectSchedules } from './sections/schedules';
import { collectTables } from './sections/tables';

/** Scanner results read next to the assembly; each is optional. */
export interface ScannerInputs {
  readonly cdkNag?: NagSummary;
  readonly cfnLint?: CfnLintSummary;
  readonly checkov?: CheckovSummary;
}

/** Builds the report model from a cloud assembly and whatever scanner results are available. */
export function collectReport(assembly: CloudAssembly, scanners: ScannerInputs = {}): ComplianceReport {
  // References span every stack: an Api stack reaches its Data stack's tables and keys through exports.
  const refs = new References(assembly.stacks);
  return {
    cells: groupCells(assembly.stacks).map((cell) => collectCell(cell, refs, scanners.cdkNag)),
    ...scanners,
  };
}

function collectCell(
  { name, stacks }: CellStacks,
  refs: References,
  nag: NagSummary | undefined,
): CellReport {
  const retentionOverrides = retentionOverridesOf(stacks);
  const parts = {
    stacks: stacks.map(({ name: stack, environment, region }) => ({ name: stack, environment, region })),
    tables: withCellPeriods(collectTables(stacks, refs), retentionOverrides),
    buckets: withCellPeriods(collectBuckets(stacks, refs), retentionOverrides),
    logGroups: collectLogGroups(stacks, refs),
    functions: collectFunctions(stacks, refs),
  };
  const rules = collectRuleAcknowledgements(stacks, refs);
  return {
    name,
    ...parts,
    schedules: collectSchedules(stacks, refs),
    acknowledgements: groupAcknowledgements(rules),
    deviations: findDeviations({ ...parts, acknowledgements: rules, nag, retentionOverrides }),
    ...(Object.keys(retentionOverrides).length > 0 ? { retentionOverrides } : {}),
  };
}
