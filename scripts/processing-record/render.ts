import { describePeriod, effectiveSchedule } from '../../lambdas/domain/retention';
import type { CellConfig, PartyContact } from '../../lib/config';
import type { CloudAssembly } from '../report/assembly';
import { collectReport } from '../report/collect';
import type { CellReport } from '../report/model';
import { groupCells, type CellStacks } from '../report/sections/cells';
import { securityMeasures } from './security-measures';
import { subProcessors } from './services';

const escapeCell = (text: string): string => text.replace(/\|/g, '\\|');
const tableRow = (cells: readonly string[]): string => `| ${cells.map(escapeCell).join(' | ')} |`;

const placeholder = (what: string, field: string): PartyContact => ({
  name: `TO BE FILLED IN: ${what}`,
  contact: `TO BE FILLED IN: set ${field} in the cell configuration`,
});

function partyRows(role: string, party: PartyContact): string[] {
  return [tableRow([role, party.name, party.contact, party.dataProtectionOfficer ?? 'none named'])];
}

function contactsSection(cell: CellConfig): string[] {
  const contacts = cell.processingContacts ?? {};
  return [
    '### Processor and controllers (Art. 30(2)(a))',
    '',
    '| role | name | contact | data protection officer |',
    '| --- | --- | --- | --- |',
    ...partyRows(
      'processor',
      contacts.processor ?? placeholder('the company that runs this cell', 'processingContacts.processor'),
    ),
    ...cell.tenants.flatMap((tenant) =>
      partyRows(
        `controller (tenant \`${tenant}\`)`,
        contacts.controllers?.[tenant] ??
          placeholder(`tenant ${tenant}'s legal name`, `processingContacts.controllers.${tenant}`),
      ),
    ),
    '',
  ];
}

function categoriesSection(cell: CellConfig): string[] {
  return [
    '### Categories of processing (Art. 30(2)(b))',
    '',
    'Carried out for every controller of the cell: storing and sending SMS, recording consent and opt-outs,',
    'answering data-subject requests, and deleting on the schedule below (docs/retention.md).',
    '',
    '| category | store | kept for | legal basis |',
    '| --- | --- | --- | --- |',
    ...effectiveSchedule(cell.retentionOverrides).map((category) =>
      tableRow([
        category.title,
        category.store,
        category.override
          ? `${describePeriod(category.period)} (cell override: ${category.override.source})`
          : describePeriod(category.period),
        category.legalBasis,
      ]),
    ),
    '',
  ];
}

function recipientsSection(stacks: CellStacks, report: CellReport, region: string): string[] {
  return [
    '### Recipients and sub-processors',
    '',
    "Amazon Web Services, as sub-processor, through the services the cell's templates use, all in the cell's",
    "region. No other party receives personal data; a tenant receives only its own subscribers' data.",
    '',
    '| service | region | seen in the templates as |',
    '| --- | --- | --- |',
    ...subProcessors(stacks, report, region).map((p) =>
      tableRow([p.service, p.region, p.evidence.join(', ')]),
    ),
    '',
  ];
}

function transfersSection(report: CellReport, region: string): string[] {
  const tableRegions = [...new Set(report.tables.flatMap((t) => t.regions))];
  const replicated = report.buckets.filter((b) => b.replication).length;
  return [
    '### Transfers to third countries (Art. 30(2)(c))',
    '',
    'None. Evidence:',
    '',
    `- Every stack of the cell is deployed to ${region} only: ${report.stacks.map((s) => `\`${s.name}\` (${s.region})`).join(', ')}.`,
    `- Table replicas: ${tableRegions.join(', ')} only; buckets with replication: ${replicated}.`,
    '- This document was generated from a synth that ran the region-pinning check',
    '  (`RegionPinningCheck`, lib/constructs/region-pinning.ts) on both stacks of the cell: synth fails when a',
    '  table has a replica outside the region, a bucket replicates, or any resource names another region.',
    '  test/infra/region-pinning.test.ts proves each of those fails.',
    '',
  ];
}

function measuresSection(stacks: CellStacks, report: CellReport): string[] {
  return [
    '### Technical and organisational security measures (Art. 30(2)(d), Art. 32(1))',
    '',
    'Read from the synthesized templates; docs/compliance-report.md has the detail per resource.',
    '',
    '| measure | in the templates |',
    '| --- | --- |',
    ...securityMeasures(stacks, report).map((m) => tableRow([m.measure, m.evidence])),
    '',
  ];
}

/**
 * Renders docs/records-of-processing.md: the record a processor keeps under GDPR Art. 30(2), one section per cell,
 * from the cell configuration, the retention module and the cells' synthesized templates.
 */
export function renderRecordsOfProcessing(cells: readonly CellConfig[], assembly: CloudAssembly): string {
  const stacksByCell = new Map(groupCells(assembly.stacks).map((cell) => [cell.name, cell]));
  const reports = new Map(collectReport(assembly).cells.map((cell) => [cell.name, cell]));
  const sections = cells.flatMap((cell) => {
    const stacks = stacksByCell.get(cell.name);
    const report = reports.get(cell.name);
    if (!stacks || !report) throw new Error(`Cell ${cell.name} is not in the synthesized assembly`);
    return [
      `## Cell \`${cell.name}\` (${cell.region}, ${cell.regime})`,
      '',
      ...contactsSection(cell),
      ...categoriesSection(cell),
      ...recipientsSection(stacks, report, cell.region),
      ...transfersSection(report, cell.region),
      ...measuresSection(stacks, report),
    ];
  });
  return [
    '# Records of processing activities (GDPR Art. 30(2))',
    '',
    '<!-- Generated by `npm run docs` from the cell configuration, lambdas/domain/retention.ts and the synthesized templates. Do not edit by hand: a test fails when this file is stale. -->',
    '',
    'optline processes personal data on behalf of its tenants, each a controller. This is the record a processor',
    'keeps of that processing, one section per cell. Placeholders marked TO BE FILLED IN name the cell setting that',
    'fills them.',
    '',
    ...sections,
  ].join('\n');
}
