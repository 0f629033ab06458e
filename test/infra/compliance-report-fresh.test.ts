import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOptlineApp, newOptlineApp } from '../../lib/optline-app';
import { readAssembly } from '../../scripts/report/assembly';
import { collectReport } from '../../scripts/report/collect';
import type { ComplianceReport } from '../../scripts/report/model';
import { readScanners } from '../../scripts/report/scanner-inputs';
import { renderReportFiles, type HtmlFormatter, type ReportFile } from '../../scripts/report/write';

/**
 * The committed compliance report is what `npm run report -- --out-dir docs` gives for the code as it is.
 * cfn-lint and checkov do not run here, so "fresh" is checked in two parts:
 * - here: the committed report is complete (no scanner "not run"), and everything in it except the two
 *   linter sections (all of it comes from the templates and cdk-nag's validation report) equals the report
 *   rendered now from a synth of the app;
 * - in CI: the linters (pinned versions) run, `docs/` is refreshed, and any difference fails the build.
 */

const repoRoot = join(__dirname, '..', '..');
const docs = join(repoRoot, 'docs');

/**
 * Synthesizes the app as `npx cdk synth` does for CI: cdk.json's context, no account. Bundling is skipped: the
 * report reads templates only, and no asset hash appears in it.
 */
function synthesizeLikeCi(outdir: string): string {
  const cdkJson = JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  delete process.env.CDK_DEFAULT_ACCOUNT;
  try {
    const app = newOptlineApp({ outdir, context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
    return buildOptlineApp(app).app.synth().directory;
  } finally {
    if (account !== undefined) process.env.CDK_DEFAULT_ACCOUNT = account;
  }
}

/** prettier's command line: its API cannot load inside jest. Same settings, resolved from the same path. */
const prettierCli: HtmlFormatter = async (html, path) =>
  execFileSync(process.execPath, [require.resolve('prettier/bin/prettier.cjs'), '--stdin-filepath', path], {
    input: html,
    encoding: 'utf8',
  });

/** From the cfn-lint heading to the next level-2 heading: the cfn-lint and checkov sections, in each format. */
const LINTER_SECTIONS: Readonly<Record<string, RegExp>> = {
  md: /^### cfn-lint\n[\s\S]*?(?=^## )/m,
  html: /^ *<h3>cfn-lint<\/h3>\n[\s\S]*?(?=^ *<h2>)/m,
};

const formatOf = (file: ReportFile): string => file.path.slice(file.path.lastIndexOf('.') + 1);

function linterSections(file: ReportFile): string {
  const section = LINTER_SECTIONS[formatOf(file)]!.exec(file.text)?.[0];
  if (section === undefined || !section.includes('checkov'))
    throw new Error(`${file.path} has no cfn-lint and checkov sections where the layout puts them`);
  return section;
}

const withoutLinterSections = (file: ReportFile): string =>
  file.text.replace(linterSections(file), '(linter sections)\n');

const committed = (file: ReportFile): ReportFile => ({
  path: file.path,
  text: readFileSync(file.path, 'utf8'),
});

describe('the committed compliance report (docs/compliance-report.md and .html)', () => {
  let outdir: string;
  let report: ComplianceReport;
  let fresh: ReportFile[];

  beforeAll(async () => {
    outdir = mkdtempSync(join(tmpdir(), 'optline-report-fresh-'));
    const assembly = synthesizeLikeCi(outdir);
    report = collectReport(readAssembly(assembly), readScanners({ cdkOut: assembly, outDir: docs }));
    fresh = await renderReportFiles(report, docs, prettierCli);
  }, 180_000);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('is complete: every scanner section has results, none says "not run"', () => {
    for (const file of fresh.map(committed)) {
      expect({ file: file.path, notRun: /not run/i.test(file.text) }).toEqual({
        file: file.path,
        notRun: false,
      });
      expect(linterSections(file)).not.toMatch(/not run/i);
    }
    // The synth here has cdk-nag's results and no linter results: the sections compared below are real.
    expect(report.cdkNag?.packs.length).toBe(3);
    for (const file of fresh) expect(linterSections(file)).toMatch(/not run/i);
  });

  it('matches the templates and cdk-nag results of the current code; regenerate it with the steps of .ci/run', () => {
    for (const file of fresh) {
      expect({ file: file.path, text: withoutLinterSections(committed(file)) }).toEqual({
        file: file.path,
        text: withoutLinterSections(file),
      });
    }
  });

  it('notices a change to the templates: a report of a cell with one function fewer differs', async () => {
    const [first, ...rest] = report.cells;
    const changed = await renderReportFiles(
      { ...report, cells: [{ ...first!, functions: first!.functions.slice(1) }, ...rest] },
      docs,
      prettierCli,
    );

    for (const file of changed) {
      expect(withoutLinterSections(committed(file))).not.toEqual(withoutLinterSections(file));
    }
  });
});
