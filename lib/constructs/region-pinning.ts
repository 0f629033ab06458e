import { Annotations, CfnResource, Stack, Token, type IAspect } from 'aws-cdk-lib';
import { CfnGlobalTable } from 'aws-cdk-lib/aws-dynamodb';
import { CfnBucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { regionFitsRegime, REGIONS_BY_REGIME, type CellConfig } from '../config';

/** Any AWS region name, wherever it appears inside a string (an ARN, an endpoint, a bucket name). */
const REGION_IN_TEXT =
  /\b(?:af|ap|ca|cn|eu|il|me|mx|sa|us)(?:-gov)?-(?:north|south|east|west|central|northeast|northwest|southeast|southwest)-\d\b/g;

/**
 * Fails synth when anything in a cell could move data out of the cell's region:
 * - the stack's region does not fit the cell's regime (a GDPR cell outside the EU/EEA);
 * - a DynamoDB table has a replica in another region;
 * - an S3 bucket has a replication configuration;
 * - any resource property names another region.
 *
 * Errors are annotations, so `cdk synth` stops with the construct path and the reason.
 */
export class RegionPinningCheck implements IAspect {
  constructor(private readonly cell: CellConfig) {}

  public visit(node: IConstruct): void {
    if (node instanceof Stack) {
      this.checkStack(node);
      return;
    }
    if (!(node instanceof CfnResource)) return;
    // One message per resource: the specific checks explain better than the generic region scan.
    if (node instanceof CfnGlobalTable && this.checkReplicas(node)) return;
    if (node instanceof CfnBucket && node.replicationConfiguration !== undefined) {
      this.fail(node, 'has a replication configuration; buckets in a cell must not replicate');
      return;
    }
    this.checkRegionNames(node);
  }

  private checkStack(stack: Stack): void {
    if (Token.isUnresolved(stack.region)) {
      this.fail(stack, 'has no literal region; every cell stack must be pinned to its region');
    } else if (stack.region !== this.cell.region) {
      this.fail(stack, `is in ${stack.region} but cell "${this.cell.name}" is pinned to ${this.cell.region}`);
    } else if (!regionFitsRegime(stack.region, this.cell.regime)) {
      this.fail(
        stack,
        `is in ${stack.region}, outside the ${this.cell.regime} residency regions ` +
          `(${REGIONS_BY_REGIME[this.cell.regime].join(', ')})`,
      );
    }
  }

  /** Returns true when it reported a foreign replica. */
  private checkReplicas(table: CfnGlobalTable): boolean {
    const replicas = Stack.of(table).resolve(table.replicas) as Array<{ region?: unknown }> | undefined;
    const foreign = (replicas ?? [])
      .map((r) => String(r.region))
      .filter((region) => region !== this.cell.region);
    if (foreign.length > 0) {
      this.fail(table, `has a replica in ${foreign.join(', ')}; tables must stay in ${this.cell.region}`);
    }
    return foreign.length > 0;
  }

  private checkRegionNames(resource: CfnResource): void {
    const rendered = JSON.stringify(Stack.of(resource).resolve(resource._toCloudFormation()));
    const foreign = new Set([...rendered.matchAll(REGION_IN_TEXT)].map((m) => m[0]));
    foreign.delete(this.cell.region);
    if (foreign.size > 0) {
      this.fail(
        resource,
        `names another region (${[...foreign].join(', ')}); cell resources stay in ${this.cell.region}`,
      );
    }
  }

  private fail(node: IConstruct, reason: string): void {
    Annotations.of(node).addError(`[RegionPinning] ${node.node.path} ${reason}`);
  }
}
