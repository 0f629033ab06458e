import { CfnResource, type Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AttributeType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { DEFAULT_CELLS, type CellConfig } from '../../lib/config';
import { addCell, newOptlineApp } from '../../lib/optline-app';

const eu = DEFAULT_CELLS[0]!;

/**
 * These synths check placement, not code: skip bundling the functions. CloudFormation validation of the default
 * cells is asserted once, in security-packs.test.ts.
 */
const newApp = () =>
  newOptlineApp({ builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });

/** Synthesizes one cell's Data stack, optionally with a rogue resource, and returns the synth failure. */
function synthFailure(cell: CellConfig, addRogue?: (stack: Stack) => void): string | undefined {
  const app = newApp();
  const { data } = addCell(app, cell);
  addRogue?.(data);
  try {
    app.synth();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('region pinning', () => {
  it.each(DEFAULT_CELLS)('lets the default $name cell synthesize with no pinning error', (cell) => {
    const app = newApp();
    const { data, api } = addCell(app, cell);
    expect(() => app.synth()).not.toThrow();
    for (const stack of [data, api]) {
      expect(stack.region).toBe(cell.region);
      expect(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('RegionPinning'))).toEqual(
        [],
      );
    }
  });

  it('checks the Api stack too: a resource there naming another region fails synth', () => {
    const app = newApp();
    const { api } = addCell(app, eu);
    new CfnResource(api, 'ForeignTarget', {
      type: 'AWS::SNS::Subscription',
      properties: { TopicArn: 'arn:aws:sns:us-west-2:111111111111:elsewhere', Protocol: 'sqs' },
    });
    expect(() => app.synth()).toThrow(
      '[RegionPinning] Optline-eu-Api/ForeignTarget names another region (us-west-2); cell resources stay in eu-west-1',
    );
  });

  it('fails synth for a table that has a replica outside the cell region', () => {
    const failure = synthFailure(eu, (s) => {
      new TableV2(s, 'Replicated', {
        partitionKey: { name: 'pk', type: AttributeType.STRING },
        replicas: [{ region: 'us-east-1' }],
      });
    });
    expect(failure).toContain(
      '[RegionPinning] Optline-eu-Data/Replicated/Resource has a replica in us-east-1; tables must stay in eu-west-1',
    );
    expect(failure).not.toContain('names another region');
  });

  it('fails synth for a bucket with a replication configuration, even within the region', () => {
    const failure = synthFailure(eu, (s) => {
      new CfnBucket(s, 'Replicating', {
        replicationConfiguration: {
          role: 'arn:aws:iam::111111111111:role/replication',
          rules: [{ destination: { bucket: 'arn:aws:s3:::same-region-copy' }, status: 'Enabled' }],
        },
      });
    });
    expect(failure).toContain(
      '[RegionPinning] Optline-eu-Data/Replicating has a replication configuration; buckets in a cell must not replicate',
    );
  });

  it('fails synth for a cell whose region does not fit its regime, such as a GDPR cell in the US', () => {
    const failure = synthFailure({ name: 'eu', region: 'us-east-1', regime: 'GDPR', tenants: ['demo'] });
    expect(failure).toMatch(
      /\[RegionPinning\] Optline-eu-Data is in us-east-1, outside the GDPR residency regions \(eu-west-1, /,
    );
  });

  it('fails synth for any resource that names another region', () => {
    const failure = synthFailure(eu, (s) => {
      new CfnResource(s, 'ForeignTarget', {
        type: 'AWS::SNS::Subscription',
        properties: { TopicArn: 'arn:aws:sns:us-west-2:111111111111:elsewhere', Protocol: 'sqs' },
      });
    });
    expect(failure).toContain(
      '[RegionPinning] Optline-eu-Data/ForeignTarget names another region (us-west-2); cell resources stay in eu-west-1',
    );
  });
});
