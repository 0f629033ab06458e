import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { AttributeType } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Bucket, BucketEncryption, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { acknowledgeFindings } from '../../lib/constructs/acknowledge';
import { EncryptedTable } from '../../lib/constructs/encrypted-table';
import { AssemblyNotFoundError, readAssembly } from '../../scripts/report/assembly';
import { collectReport } from '../../scripts/report/collect';

describe('compliance report: reading a cloud assembly', () => {
  let outdir: string;
  beforeEach(() => {
    outdir = mkdtempSync(join(tmpdir(), 'optline-report-'));
  });
  afterEach(() => rmSync(outdir, { recursive: true, force: true }));

  it('tells the user to synthesize first when there is no manifest', () => {
    expect(() => readAssembly(outdir)).toThrow(AssemblyNotFoundError);
    expect(() => readAssembly(outdir)).toThrow('Run `npx cdk synth` first');
  });

  it('reads what CDK synthesizes: the region, a table with its category, and acknowledgements of every scanner', () => {
    // GIVEN a small app synthesized to disk, with a table and a bucket acknowledged as the stacks do it
    // CDK's built-in template validation costs seconds and is not what this test is about.
    const app = new App({ outdir, builtinCloudFormationValidation: false });
    const data = new Stack(app, 'Optline-xx-Data', { env: { region: 'eu-central-1' } });
    const key = new Key(data, 'CellKey', { enableKeyRotation: true });
    new EncryptedTable(data, 'ConsentLedger', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      encryptionKey: key,
    });
    const bucket = new Bucket(data, 'ExportBucket', { encryption: BucketEncryption.KMS, encryptionKey: key });
    acknowledgeFindings(bucket.node.defaultChild as CfnBucket, 'No versions past the retention period.', {
      nag: ['NIST.800.53.R5-S3BucketVersioningEnabled'],
      checkov: ['CKV_AWS_21'],
      cfnLint: ['W3005'],
    });
    app.synth();

    // WHEN the report reads the assembly
    const [cell] = collectReport(readAssembly(outdir)).cells;

    // THEN the region, the table and every acknowledgement come through
    expect(cell?.name).toBe('xx');
    expect(cell?.stacks).toEqual([
      { name: 'Optline-xx-Data', environment: 'aws://unknown-account/eu-central-1', region: 'eu-central-1' },
    ]);
    expect(cell?.tables).toEqual([
      expect.objectContaining({
        path: 'Optline-xx-Data/ConsentLedger',
        encryption: { kind: 'customer-managed', key: 'Optline-xx-Data/CellKey', rotation: true },
        pointInTimeRecovery: true,
        ttlAttribute: 'expiresAt',
        regions: ['eu-central-1'],
      }),
    ]);
    expect(cell?.tables[0]?.retention.map((category) => category.id)).toEqual(['consentProof']);
    expect(cell?.acknowledgements.map(({ scanner, rules, reason }) => [scanner, rules, reason])).toEqual([
      ['cdk-nag', ['NIST.800.53.R5-S3BucketVersioningEnabled'], 'No versions past the retention period.'],
      ['checkov', ['CKV_AWS_21'], 'No versions past the retention period.'],
      ['cfn-lint', ['W3005'], 'No versions past the retention period.'],
    ]);
  });
});
