import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { format, resolveConfig } from 'prettier';
import * as z from '../../lambdas/shared/zod';
import { parseReportArgs, USAGE, type ReportOptions } from './args';
import { AssemblyNotFoundError, readAssembly, readOptionalJson } from './assembly';
import { collectReport, type ScannerInputs } from './collect';
import { renderHtml } from './render/html';
import { layoutReport, REPORT_TITLE } from './render/layout';
import { renderMarkdown } from './render/markdown';
import { summariseValidationReport } from './scanners/cdk-nag';
import { summariseCfnLint } from './scanners/cfn-lint';
import { summariseCheckov } from './scanners/checkov';

const repoRoot = join(__dirname, '..', '..');

/** A bad input file: reported with its path and without a stack trace. */
class InputError extends Error {
  override name = 'InputError';
}

/**
 * Reads one scanner's JSON. A file named on the command line must exist; the default one is optional, and
 * its absence makes the report say "not run".
 */
function scanner<T>(
  given: string | undefined,
  fallback: string,
  summarise: (json: unknown) => T,
): T | undefined {
  if (given !== undefined && !existsSync(given)) throw new InputError(`${given} does not exist`);
  const path = given ?? fallback;
  const json = readOptionalJson(path);
  if (json === undefined) return undefined;
  try {
    return summarise(json);
  } catch (error) {
    const detail = error instanceof z.ZodError ? z.prettifyError(error) : String(error);
    throw new InputError(`${path} is not in the expected format:\n${detail}`);
  }
}

function readScanners({ cdkOut, cfnLint, checkov }: ReportOptions): ScannerInputs {
  return {
    cdkNag: scanner(undefined, join(cdkOut, 'validation-report.json'), summariseValidationReport),
    cfnLint: scanner(cfnLint, join(cdkOut, 'cfn-lint.json'), summariseCfnLint),
    checkov: scanner(checkov, join(cdkOut, 'checkov.json'), summariseCheckov),
  };
}

async function main(): Promise<void> {
  const options = parseReportArgs(process.argv.slice(2), repoRoot);
  const blocks = layoutReport(collectReport(readAssembly(options.cdkOut), readScanners(options)));

  mkdirSync(options.outDir, { recursive: true });
  const markdownPath = join(options.outDir, 'compliance-report.md');
  const htmlPath = join(options.outDir, 'compliance-report.html');
  writeFileSync(markdownPath, renderMarkdown(blocks));
  // docs/ is under `prettier --check`: write the HTML the way prettier would, so regenerating keeps lint green.
  const prettierOptions = (await resolveConfig(htmlPath)) ?? {};
  const html = await format(renderHtml(blocks, REPORT_TITLE), { ...prettierOptions, filepath: htmlPath });
  writeFileSync(htmlPath, html);
  for (const path of [markdownPath, htmlPath]) console.log(`wrote ${relative(process.cwd(), path)}`);
}

const isArgumentError = (error: unknown): boolean =>
  error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');

main().catch((error: unknown) => {
  if (error instanceof AssemblyNotFoundError || error instanceof InputError) console.error(error.message);
  else if (isArgumentError(error)) console.error(`${(error as Error).message}\n\n${USAGE}`);
  else console.error(error);
  process.exitCode = 1;
});
