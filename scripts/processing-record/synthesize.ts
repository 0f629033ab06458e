import type { CellConfig } from '../../lib/config';
import { addCell, newOptlineApp } from '../../lib/optline-app';
import { readAssembly, type CloudAssembly } from '../report/assembly';

/**
 * Synthesizes the cells into `outdir` and reads the assembly back, as the compliance report reads cdk.out. Each
 * cell carries its region-pinning check, so synth fails when anything could take data out of its region. No
 * bundling (only templates are read) and no account (the record names none).
 */
export function synthesizeCells(cells: readonly CellConfig[], outdir: string): CloudAssembly {
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  delete process.env.CDK_DEFAULT_ACCOUNT;
  try {
    const app = newOptlineApp({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    for (const cell of cells) addCell(app, cell);
    return readAssembly(app.synth().directory);
  } finally {
    if (account !== undefined) process.env.CDK_DEFAULT_ACCOUNT = account;
  }
}
