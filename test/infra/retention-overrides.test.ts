import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RETENTION_PERIODS_ENV } from '../../lambdas/shared/env';
import { parseCells } from '../../lib/config';
import { RETENTION_OVERRIDES_KEY } from '../../lib/constructs/cell-retention';
import { renderRecordsOfProcessing } from '../../scripts/processing-record/render';
import { synthesizeCells } from '../../scripts/processing-record/synthesize';
import type { CloudAssembly } from '../../scripts/report/assembly';
import { collectReport } from '../../scripts/report/collect';
import { layoutReport } from '../../scripts/report/render/layout';
import { renderMarkdown } from '../../scripts/report/render/markdown';
import { renderRetentionDoc } from '../../scripts/retention-doc';

// Template JSON is untyped; tests index into it freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const TRAFFIC_SOURCE =
  'MessageBird/Bird privacy policy §7.1: telecommunication retention "may be up to two years"';

// GIVEN a GDPR cell that keeps message traffic 24 months, logs a year, export files 14 days and PITR 7 days,
// with its Art. 30 contacts filled in; synthesized once for the file
const cells = parseCells([
  {
    name: 'long',
    region: 'eu-central-1',
    regime: 'GDPR',
    tenants: ['demo'],
    retentionOverrides: {
      messageTraffic: { period: { count: 24, unit: 'months' }, source: TRAFFIC_SOURCE },
      serviceLogs: { period: { count: 365, unit: 'days' }, source: 'Incident review across a full year' },
      dsrExportFiles: { period: { count: 14, unit: 'days' }, source: 'Controller contract, annex 2' },
      tableBackups: { period: { count: 7, unit: 'days' }, source: 'Controller contract, annex 3' },
    },
    processingContacts: {
      processor: { name: 'Example Processor GmbH', contact: 'privacy@processor.example' },
      controllers: {
        demo: { name: 'Demo Shop BV', contact: 'dpo@demo.example', dataProtectionOfficer: 'J. Doe' },
      },
    },
  },
]);
let outdir: string;
let assembly: CloudAssembly;
const templateOf = (suffix: 'Data' | 'Api'): Template =>
  Template.fromJSON(assembly.stacks.find((s) => s.name === `Optline-long-${suffix}`)!.template as Json);

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'optline-overrides-'));
  assembly = synthesizeCells(cells, outdir);
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('a cell with retention overrides, in its synthesized templates', () => {
  it('gives every function the cell periods, so the TTLs it writes follow them', () => {
    const functions = Object.values(templateOf('Api').findResources('AWS::Lambda::Function')) as Json[];
    const platform = functions.filter((fn) => fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME);
    expect(platform.length).toBeGreaterThan(5);
    for (const fn of platform) {
      expect(JSON.parse(fn.Properties.Environment.Variables[RETENTION_PERIODS_ENV])).toEqual({
        messageTraffic: { count: 24, unit: 'months' },
        serviceLogs: { count: 365, unit: 'days' },
        dsrExportFiles: { count: 14, unit: 'days' },
        tableBackups: { count: 7, unit: 'days' },
      });
    }
  });

  it('keeps every log group of both stacks for the overridden 365 days', () => {
    for (const template of [templateOf('Data'), templateOf('Api')]) {
      for (const group of Object.values(template.findResources('AWS::Logs::LogGroup')) as Json[]) {
        expect(group.Properties.RetentionInDays).toBe(365);
      }
    }
  });

  it('expires export files after 14 days and access logs after 365 in the lifecycle rules', () => {
    const data = templateOf('Data');
    data.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: Match.objectLike({
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) }),
        ],
      }),
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 14, Status: 'Enabled' })] },
    });
    data.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 365 })] },
    });
  });

  it('keeps 7 days of point-in-time recovery on every table', () => {
    const tables = Object.values(templateOf('Data').findResources('AWS::DynamoDB::GlobalTable')) as Json[];
    expect(tables.length).toBeGreaterThan(0);
    for (const table of tables) {
      for (const replica of table.Properties.Replicas) {
        expect(replica.PointInTimeRecoverySpecification).toEqual({
          PointInTimeRecoveryEnabled: true,
          RecoveryPeriodInDays: 7,
        });
      }
    }
  });

  it('records the overrides with their sources in the Data template, for reviewers and the compliance report', () => {
    expect(templateOf('Data').toJSON().Metadata[RETENTION_OVERRIDES_KEY].messageTraffic).toEqual({
      period: { count: 24, unit: 'months' },
      source: TRAFFIC_SOURCE,
    });
  });
});

describe('a cell with retention overrides, in the generated documents', () => {
  it('marks the override in the cell table of docs/retention.md, with its source and the period it replaces', () => {
    const doc = renderRetentionDoc(cells);
    expect(doc).toContain('## Cell `long` (eu-central-1, GDPR)');
    expect(doc).toContain(
      'Overrides (marked in bold, each with its source): `messageTraffic`, `dsrExportFiles`',
    );
    expect(doc).toContain(
      '| Message traffic and content (outbound and inbound) | DynamoDB MessageLog | **24 months** (cell override; the schedule says 6 months) |',
    );
    expect(doc).toContain(
      `**Cell override:** ${TRAFFIC_SOURCE}. Schedule: MessageBird/Bird privacy policy §7.1 |`,
    );
    expect(doc).toContain('| Audit events | DynamoDB AuditLog | 5 years |');
  });

  it('lists the effective periods and the configured contacts in docs/records-of-processing.md', () => {
    const doc = renderRecordsOfProcessing(cells, assembly);
    expect(doc).toContain(
      `| Message traffic and content (outbound and inbound) | DynamoDB MessageLog | 24 months (cell override: ${TRAFFIC_SOURCE}) |`,
    );
    expect(doc).toContain('| processor | Example Processor GmbH | privacy@processor.example | none named |');
    expect(doc).toContain('| controller (tenant `demo`) | Demo Shop BV | dpo@demo.example | J. Doe |');
    expect(doc).not.toContain('TO BE FILLED IN:');
    expect(doc).toContain('point-in-time recovery on');
    expect(doc).toMatch(/(\d+) of \1 log groups KMS-encrypted; kept 365 days/);
  });

  it("gives the compliance report the cell's periods: its stores and logs match them, and the overrides are listed", () => {
    const report = collectReport(assembly);
    const [cell] = report.cells;
    expect(cell!.deviations.filter((d) => /expire|keeps events|serviceLogs|dsrExportFiles/.test(d))).toEqual(
      [],
    );
    const exportBucket = cell!.buckets.find((b) => b.path.includes('ExportBucket'))!;
    expect(exportBucket.retention[0]!.period).toEqual({ count: 14, unit: 'days' });
    const markdown = renderMarkdown(layoutReport(report));
    expect(markdown).toContain('### Retention overrides');
    expect(markdown).toContain(`\`messageTraffic\`: 24 months instead of 6 months (${TRAFFIC_SOURCE})`);
    expect(markdown).toContain('Service logs are kept 365 days (Incident review across a full year).');
  });
});
