import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as z from '../../lambdas/shared/zod';
import type { ReportOptions } from './args';
import { readOptionalJson } from './assembly';
import type { ScannerInputs } from './collect';
import { summariseValidationReport } from './scanners/cdk-nag';
import { summariseCfnLint } from './scanners/cfn-lint';
import { summariseCheckov } from './scanners/checkov';

/** A bad input file: reported with its path and without a stack trace. */
export class InputError extends Error {
  override name = 'InputError';
}

export type ScannerName = 'cdk-nag' | 'cfn-lint' | 'checkov';

/** One scanner's results file: where it is read from, and when it was written. */
export interface ScannerFile {
  readonly path: string;
  /** Whether the path was named on the command line, and so must exist. */
  readonly given: boolean;
  /** Modification time in ms; `undefined` when the file does not exist. */
  readonly modifiedAt?: number;
}

const scannerFile = (given: string | undefined, fallback: string): ScannerFile => {
  const path = given ?? fallback;
  return {
    path,
    given: given !== undefined,
    modifiedAt: existsSync(path) ? statSync(path).mtimeMs : undefined,
  };
};

/** The scanners' files: named on the command line, or their default names in the cloud assembly. */
export function scannerFiles({ cdkOut, cfnLint, checkov }: ReportOptions): Record<ScannerName, ScannerFile> {
  return {
    'cdk-nag': scannerFile(undefined, join(cdkOut, 'validation-report.json')),
    'cfn-lint': scannerFile(cfnLint, join(cdkOut, 'cfn-lint.json')),
    checkov: scannerFile(checkov, join(cdkOut, 'checkov.json')),
  };
}

/**
 * Reads one scanner's JSON. A file named on the command line must exist; a default one is optional, and its
 * absence makes the report say "not run".
 */
function summary<T>(file: ScannerFile, summarise: (json: unknown) => T): T | undefined {
  if (file.given && file.modifiedAt === undefined) throw new InputError(`${file.path} does not exist`);
  const json = readOptionalJson(file.path);
  if (json === undefined) return undefined;
  try {
    return summarise(json);
  } catch (error) {
    const detail = error instanceof z.ZodError ? z.prettifyError(error) : String(error);
    throw new InputError(`${file.path} is not in the expected format:\n${detail}`);
  }
}

export function readScanners(options: ReportOptions): ScannerInputs {
  const files = scannerFiles(options);
  return {
    cdkNag: summary(files['cdk-nag'], summariseValidationReport),
    cfnLint: summary(files['cfn-lint'], summariseCfnLint),
    checkov: summary(files.checkov, summariseCheckov),
  };
}
