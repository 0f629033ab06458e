import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderRecordsOfProcessing } from '../../scripts/processing-record/render';
import { synthesizeCells } from '../../scripts/processing-record/synthesize';
import { configuredCells } from '../../scripts/retention-doc';

// GIVEN the configured cells, synthesized once for the file as `npm run docs` synthesizes them
const cells = configuredCells();
let outdir: string;
let fresh: string;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'optline-records-'));
  fresh = renderRecordsOfProcessing(cells, synthesizeCells(cells, outdir));
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** The section of one cell, from its heading to the next cell's. */
const sectionOf = (doc: string, cell: string): string =>
  /^## Cell `[^`]+`[\s\S]*?(?=^## |(?![\s\S]))/gm.exec(doc.slice(doc.indexOf(`## Cell \`${cell}\``)))?.[0] ??
  '';

describe('docs/records-of-processing.md (GDPR Art. 30(2))', () => {
  it('matches what npm run docs generates from the cell configuration and the synthesized templates', () => {
    const committed = readFileSync(join(__dirname, '..', '..', 'docs', 'records-of-processing.md'), 'utf8');
    expect(committed).toBe(fresh);
  });

  it.each(cells)('has a section for cell $name in $region', (cell) => {
    const section = sectionOf(fresh, cell.name);
    expect(section).toContain(`## Cell \`${cell.name}\` (${cell.region}, ${cell.regime})`);
    // Placeholders say what to fill in, and where
    expect(section).toContain('TO BE FILLED IN: set processingContacts.processor in the cell configuration');
    // Sub-processors are in the cell's region, IAM excepted as a global service
    expect(section).toMatch(new RegExp(`\\| Amazon DynamoDB \\| ${cell.region} \\|`));
    expect(section).toMatch(/\| AWS Identity and Access Management \| global \(no personal data\) \|/);
    // No transfers, with the pinning evidence
    expect(section).toContain('None. Evidence:');
    expect(section).toContain(`Table replicas: ${cell.region} only; buckets with replication: 0.`);
    expect(section).toContain('lib/constructs/region-pinning.ts');
  });

  it('reads the security measures from the templates: keys, rotation, TLS-only, PITR, WAF, log encryption', () => {
    const section = sectionOf(fresh, cells[0]!.name);
    expect(section).toMatch(/automatic yearly rotation on (\d+) of \1 symmetric encryption keys/);
    expect(section).toMatch(/point-in-time recovery on (\d+) of \1 tables/);
    expect(section).toMatch(
      /(\d+) of \1 bucket policies; (\d+) of \2 topic policies; (\d+) of \3 queue policies/,
    );
    expect(section).toMatch(/(\d+) of \1 log groups KMS-encrypted/);
    expect(section).toMatch(/1 web ACL with \d+ rules .*1 association with the API stage/);
  });
});
