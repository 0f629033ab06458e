import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { ReportOptions } from './args';
import { readAssembly } from './assembly';
import { collectReport } from './collect';
import type { ComplianceReport } from './model';
import { renderHtml } from './render/html';
import { layoutReport, REPORT_TITLE } from './render/layout';
import { renderMarkdown } from './render/markdown';
import { readScanners, scannerFiles } from './scanner-inputs';

export interface ReportFile {
  readonly path: string;
  readonly text: string;
}

/**
 * Formats a page as prettier formats the file at `path`: docs/ is under `prettier --check`, so regenerating the
 * report keeps lint green. A parameter because prettier's API cannot load inside jest (it imports ESM).
 */
export type HtmlFormatter = (html: string, path: string) => Promise<string>;

/** The report's two files, exactly as `npm run report` writes them into `outDir`. */
export async function renderReportFiles(
  report: ComplianceReport,
  outDir: string,
  formatHtml: HtmlFormatter,
): Promise<ReportFile[]> {
  const blocks = layoutReport(report);
  const htmlPath = join(outDir, 'compliance-report.html');
  const html = await formatHtml(renderHtml(blocks, REPORT_TITLE), htmlPath);
  return [
    { path: join(outDir, 'compliance-report.md'), text: renderMarkdown(blocks) },
    { path: htmlPath, text: html },
  ];
}

/** Refusal to write a report that would say "not run", or show results of other templates, outside cdk.out. */
export class IncompleteReportError extends Error {
  override name = 'IncompleteReportError';
  constructor(
    readonly outDir: string,
    readonly gaps: readonly string[],
  ) {
    super(
      [
        `Not writing the report to ${shown(outDir)}: it would be incomplete there.`,
        ...gaps.map((gap) => `  - ${gap}`),
        'A report outside the cloud assembly needs every scanner, run on this assembly: `npx cdk synth` writes',
        "cdk-nag's results, and the \"template linters\" step of .ci/run writes cfn-lint's and checkov's.",
        'Without --out-dir, `npm run report` writes the report into the cloud assembly, with what is there.',
      ].join('\n'),
    );
  }
}

const shown = (path: string): string => relative(process.cwd(), path) || '.';

/**
 * What keeps a report for `options.outDir` from being complete; empty when it may be written there. The cloud
 * assembly takes any report: it is rebuilt on every synth. Anywhere else (the committed `docs/`) needs the
 * results of all three scanners, and linter results written before the templates were synthesized again
 * describe other templates.
 */
export function reportGaps(options: ReportOptions): string[] {
  if (resolve(options.outDir) === resolve(options.cdkOut)) return [];
  const synthesizedAt = statSync(join(options.cdkOut, 'manifest.json')).mtimeMs;
  const files = scannerFiles(options);
  return (['cdk-nag', 'cfn-lint', 'checkov'] as const).flatMap((scanner) => {
    const { path, modifiedAt } = files[scanner];
    if (modifiedAt === undefined) return [`${scanner}: ${shown(path)} is missing`];
    // cdk-nag's report is written by the synth itself; the linters run after it.
    if (scanner !== 'cdk-nag' && modifiedAt < synthesizedAt)
      return [`${scanner}: ${shown(path)} is older than the cloud assembly`];
    return [];
  });
}

/** Reads the assembly and the scanners' results and writes the report; returns the paths written. */
export async function writeReport(options: ReportOptions, formatHtml: HtmlFormatter): Promise<string[]> {
  const assembly = readAssembly(options.cdkOut);
  const gaps = reportGaps(options);
  if (gaps.length > 0) throw new IncompleteReportError(options.outDir, gaps);
  // Both files are rendered before either is written, so a failure leaves the old pair as it was.
  const report = collectReport(assembly, readScanners(options));
  const files = await renderReportFiles(report, options.outDir, formatHtml);
  mkdirSync(options.outDir, { recursive: true });
  for (const file of files) writeFileSync(file.path, file.text);
  return files.map((file) => file.path);
}
