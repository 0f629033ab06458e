import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges cdk-nag findings on one construct, with one reason for all of them.
 *
 * Rule ids are written as cdk-nag prints them in its messages (`NIST.800.53.R5-S3BucketVersioningEnabled`);
 * the pack namespace that CDK's validation report needs (`NIST.800.53.R5::…`) is derived from the id.
 * Always pass the narrowest construct: usually the L1 resource (`node.defaultChild`).
 */
export function acknowledgeFindings(construct: IConstruct, reason: string, ...ruleIds: string[]): void {
  for (const ruleId of ruleIds) {
    const pack = ruleId.slice(0, ruleId.indexOf('-'));
    Validations.of(construct).acknowledge({ id: `${pack}::${ruleId}`, reason });
  }
}
