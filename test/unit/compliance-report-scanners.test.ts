import { acknowledgementKey, summariseValidationReport } from '../../scripts/report/scanners/cdk-nag';
import { summariseCfnLint } from '../../scripts/report/scanners/cfn-lint';
import { summariseCheckov } from '../../scripts/report/scanners/checkov';

describe('compliance report: scanner inputs', () => {
  it('reads cfn-lint JSON matches, keeping only the template name, in a stable order', () => {
    const match = (file: string, id: string, path: string[]) => ({
      Filename: `/home/ci/repo/cdk.out/${file}`,
      Level: 'Warning',
      Message: `${id} message`,
      Location: { Path: path },
      Rule: { Id: id, ShortDescription: 'x' },
    });

    const summary = summariseCfnLint([
      match('Optline-us-Api.template.json', 'W3005', ['Resources', 'Fn']),
      match('Optline-eu-Api.template.json', 'W1001', ['Resources', 'Role', 'Properties']),
    ]);

    expect(summary.findings).toEqual([
      {
        rule: 'W1001',
        level: 'Warning',
        template: 'Optline-eu-Api.template.json',
        location: 'Resources/Role/Properties',
        message: 'W1001 message',
      },
      expect.objectContaining({ rule: 'W3005', template: 'Optline-us-Api.template.json' }),
    ]);
    expect(summariseCfnLint([]).findings).toEqual([]);
  });

  it('refuses cfn-lint output in another format', () => {
    expect(() => summariseCfnLint({ results: [] })).toThrow();
  });

  it('reads checkov JSON for one framework, several frameworks, and a scan that found nothing', () => {
    const run = (failed: number) => ({
      check_type: 'cloudformation',
      results: {
        failed_checks: Array.from({ length: failed }, (_, i) => ({
          check_id: `CKV_AWS_${i}`,
          check_name: 'name',
          resource: 'AWS::S3::Bucket.Export',
          file_path: '/Optline-eu-Data.template.json',
        })),
      },
      summary: { passed: 10, failed, skipped: 2, parsing_errors: 0, resource_count: 5, checkov_version: '3' },
    });

    expect(summariseCheckov(run(1))).toEqual({
      passed: 10,
      failed: 1,
      skipped: 2,
      parsingErrors: 0,
      resources: 5,
      failedChecks: [
        {
          check: 'CKV_AWS_0',
          name: 'name',
          resource: 'AWS::S3::Bucket.Export',
          template: 'Optline-eu-Data.template.json',
        },
      ],
    });
    expect(summariseCheckov([run(0), run(2)])).toMatchObject({
      passed: 20,
      failed: 2,
      skipped: 4,
      resources: 10,
    });
    expect(
      summariseCheckov({
        passed: 0,
        failed: 0,
        skipped: 0,
        parsing_errors: 0,
        resource_count: 0,
        checkov_version: '3',
      }),
    ).toMatchObject({ passed: 0, failedChecks: [] });
  });

  it("summarises CDK's validation report per pack and records which acknowledgements were used", () => {
    const summary = summariseValidationReport({
      version: '55.0.0',
      pluginReports: [
        {
          pluginName: 'NIST.800.53.R5',
          conclusion: 'failure',
          violations: [
            {
              ruleName: 'NIST.800.53.R5-IAMNoInlinePolicy',
              violatingConstructs: [{ constructPath: 'A/Policy/Resource' }],
            },
          ],
          suppressedViolations: [
            {
              ruleName: 'NIST.800.53.R5-LambdaDLQ',
              violatingConstructs: [{ constructPath: 'A/Fn/Resource' }],
              acknowledgedId: 'NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ',
              acknowledgedAt: 'A/Fn/Resource',
              reason: 'sync',
            },
          ],
        },
        { pluginName: 'AwsSolutions', conclusion: 'success', violations: [], suppressedViolations: [] },
      ],
    });

    expect(summary.packs).toEqual([
      { name: 'AwsSolutions', conclusion: 'success', unacknowledged: 0, acknowledged: 0 },
      { name: 'NIST.800.53.R5', conclusion: 'failure', unacknowledged: 1, acknowledged: 1 },
    ]);
    expect(summary.unacknowledged).toEqual([
      { rule: 'NIST.800.53.R5-IAMNoInlinePolicy', resource: 'A/Policy/Resource' },
    ]);
    expect(
      summary.usedAcknowledgements.has(
        acknowledgementKey('/A/Fn/Resource', 'NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ'),
      ),
    ).toBe(true);
  });
});
