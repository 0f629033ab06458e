import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { addSecurityChecks, buildOptlineApp, newOptlineApp } from '../../lib/optline-app';

interface ValidationReport {
  pluginReports: Array<{ pluginName: string; violations: unknown[]; suppressedViolations: unknown[] }>;
}

const allConstructs = (root: IConstruct): IConstruct[] => root.node.findAll();

describe('cdk-nag packs on the whole app', () => {
  // The packs read templates, not function code: bundling is skipped.
  const { app } = buildOptlineApp(newOptlineApp({ context: { 'aws:cdk:bundling-stacks': [] } }));
  const assembly = app.synth();
  const report = JSON.parse(
    readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'),
  ) as ValidationReport;

  it('synthesizes every cell with zero unacknowledged findings', () => {
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual([
      'Optline-eu-Api',
      'Optline-eu-Data',
      'Optline-us-Api',
      'Optline-us-Data',
    ]);
    for (const plugin of report.pluginReports) {
      expect({ plugin: plugin.pluginName, violations: plugin.violations }).toEqual({
        plugin: plugin.pluginName,
        violations: [],
      });
    }
  });

  it('acknowledges findings only on individual resources, each with a specific reason', () => {
    const acknowledged = allConstructs(app).filter((c) =>
      c.node.metadata.some((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY),
    );
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const construct of acknowledged) {
      expect({ path: construct.node.path, isResource: construct instanceof CfnResource }).toEqual({
        path: construct.node.path,
        isResource: true,
      });
      const entries = construct.node.metadata.filter(
        (m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY,
      );
      for (const entry of entries) {
        for (const [rule, reason] of Object.entries(entry.data as Record<string, string>)) {
          expect(rule).toMatch(/^(AwsSolutions|NIST\.800\.53\.R5|HIPAA\.Security)::/);
          expect(reason.length).toBeGreaterThanOrEqual(60);
        }
      }
    }
  });

  it('runs all three packs: an insecure bucket fails synth under each of them', () => {
    const probe = newOptlineApp();
    new Bucket(new Stack(probe, 'Probe', { env: { region: 'eu-west-1' } }), 'Insecure');
    addSecurityChecks(probe);
    let failure = '';
    try {
      probe.synth();
    } catch (error) {
      failure = (error as Error).message;
    }
    expect(failure).toContain('AwsSolutions-S10');
    expect(failure).toContain('NIST.800.53.R5-S3BucketSSLRequestsOnly');
    expect(failure).toContain('HIPAA.Security-S3BucketSSLRequestsOnly');
  });
});
