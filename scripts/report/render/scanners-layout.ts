import type { CfnLintSummary, CheckovSummary, NagSummary } from '../model';
import { heading, list, paragraph, table, tableOr } from './blocks';
import { code, type Block } from './document';

/** The scanner summaries: cdk-nag from synth's validation report, then cfn-lint and checkov when given. */
export function scannerBlocks(
  nag: NagSummary | undefined,
  cfnLint: CfnLintSummary | undefined,
  checkov: CheckovSummary | undefined,
): Block[] {
  return [
    heading(2, 'Security scanners'),
    ...nagBlocks(nag),
    ...cfnLintBlocks(cfnLint),
    ...checkovBlocks(checkov),
  ];
}

const notRun = (file: string, flag: string): Block =>
  paragraph(['Not run: no ', code(`cdk.out/${file}`), ' and no ', code(`${flag} <file>`), ' given.']);

function nagBlocks(nag: NagSummary | undefined): Block[] {
  const title = heading(3, 'cdk-nag');
  if (!nag) return [title, paragraph(['Not run: ', code('cdk.out/validation-report.json'), ' is missing.'])];
  return [
    title,
    paragraph(
      'The packs run on every synth, and synth fails on an open finding. Acknowledgements are listed per cell.',
    ),
    table(
      ['pack', 'conclusion', 'open findings', 'acknowledged findings'],
      nag.packs.map((pack) => [
        pack.name,
        pack.conclusion,
        String(pack.unacknowledged),
        String(pack.acknowledged),
      ]),
    ),
    ...(nag.unacknowledged.length === 0
      ? []
      : [list(nag.unacknowledged.map((finding) => [code(finding.rule), ' on ', code(finding.resource)]))]),
  ];
}

function cfnLintBlocks(summary: CfnLintSummary | undefined): Block[] {
  const title = heading(3, 'cfn-lint');
  if (!summary) return [title, notRun('cfn-lint.json', '--cfn-lint')];
  return [
    title,
    tableOr(
      'No findings in any template.',
      ['rule', 'level', 'template', 'location', 'message'],
      summary.findings.map((f) => [code(f.rule), f.level, code(f.template), code(f.location), f.message]),
    ),
  ];
}

function checkovBlocks(summary: CheckovSummary | undefined): Block[] {
  const title = heading(3, 'checkov');
  if (!summary) return [title, notRun('checkov.json', '--checkov')];
  const counts = [summary.passed, summary.failed, summary.skipped, summary.parsingErrors, summary.resources];
  return [
    title,
    paragraph(
      'Skipped checks are the skips written into template metadata; their reasons are listed per cell.',
    ),
    table(['passed', 'failed', 'skipped', 'parsing errors', 'resources'], [counts.map(String)]),
    ...(summary.failedChecks.length === 0
      ? []
      : [
          table(
            ['check', 'name', 'resource', 'template'],
            summary.failedChecks.map((f) => [code(f.check), f.name, code(f.resource), code(f.template)]),
          ),
        ]),
  ];
}
