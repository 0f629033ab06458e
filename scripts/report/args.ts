import { join } from 'node:path';
import { parseArgs } from 'node:util';

export interface ReportOptions {
  /** The cloud assembly directory. */
  readonly cdkOut: string;
  /**
   * Where compliance-report.md and compliance-report.html are written. Any directory other than the cloud
   * assembly (such as the committed `docs/`) gets a report only when every scanner's results are there.
   */
  readonly outDir: string;
  /** cfn-lint JSON; when not given, `<cdkOut>/cfn-lint.json` is used if it exists. */
  readonly cfnLint?: string;
  /** checkov JSON; when not given, `<cdkOut>/checkov.json` is used if it exists. */
  readonly checkov?: string;
}

export const USAGE = `Usage: npm run report -- [--cdk-out <dir>] [--out-dir <dir>] [--cfn-lint <file>] [--checkov <file>]

  --cdk-out   cloud assembly to read (default: cdk.out)
  --out-dir   where compliance-report.md and .html are written (default: the cloud assembly). Any other
              directory, such as docs, is written only when the cdk-nag, cfn-lint and checkov results are
              all there, so a committed report never loses a section
  --cfn-lint  output of \`cfn-lint --format json\` (default: <cdk-out>/cfn-lint.json when present)
  --checkov   output of \`checkov -o json\` (default: <cdk-out>/checkov.json when present)`;

/** Parses the command line; paths default relative to the repository root, wherever the script is run from. */
export function parseReportArgs(argv: readonly string[], repoRoot: string): ReportOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'cdk-out': { type: 'string' },
      'out-dir': { type: 'string' },
      'cfn-lint': { type: 'string' },
      checkov: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const cdkOut = values['cdk-out'] ?? join(repoRoot, 'cdk.out');
  return {
    cdkOut,
    outDir: values['out-dir'] ?? cdkOut,
    cfnLint: values['cfn-lint'],
    checkov: values.checkov,
  };
}
