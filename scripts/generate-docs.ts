/** `npm run docs`: writes the documents generated from code, docs/retention.md and docs/records-of-processing.md. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderRecordsOfProcessing } from './processing-record/render';
import { synthesizeCells } from './processing-record/synthesize';
import { configuredCells, renderRetentionDoc } from './retention-doc';

const docs = join(__dirname, '..', 'docs');
const cells = configuredCells();

const write = (name: string, text: string): void => {
  writeFileSync(join(docs, name), text);
  console.log(`wrote docs/${name}`);
};

write('retention.md', renderRetentionDoc(cells));
const outdir = mkdtempSync(join(tmpdir(), 'optline-docs-'));
try {
  write('records-of-processing.md', renderRecordsOfProcessing(cells, synthesizeCells(cells, outdir)));
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
