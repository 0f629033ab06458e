import { join, relative } from 'node:path';
import { parseReportArgs, USAGE } from './args';
import { AssemblyNotFoundError } from './assembly';
import { prettierHtml } from './prettier-html';
import { InputError } from './scanner-inputs';
import { IncompleteReportError, writeReport } from './write';

const repoRoot = join(__dirname, '..', '..');

async function main(): Promise<void> {
  const written = await writeReport(parseReportArgs(process.argv.slice(2), repoRoot), prettierHtml);
  for (const path of written) console.log(`wrote ${relative(process.cwd(), path)}`);
}

const isArgumentError = (error: unknown): boolean =>
  error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');

const isUserError = (error: unknown): error is Error =>
  error instanceof AssemblyNotFoundError ||
  error instanceof InputError ||
  error instanceof IncompleteReportError;

main().catch((error: unknown) => {
  if (isUserError(error)) console.error(error.message);
  else if (isArgumentError(error)) console.error(`${(error as Error).message}\n\n${USAGE}`);
  else console.error(error);
  process.exitCode = 1;
});
