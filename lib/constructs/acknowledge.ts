import { Validations, type CfnResource } from 'aws-cdk-lib';

export interface Findings {
  /**
   * cdk-nag rule ids as cdk-nag prints them (`NIST.800.53.R5-S3BucketVersioningEnabled`); the pack namespace
   * CDK's validation report needs (`NIST.800.53.R5::…`) is derived from the id.
   * @default - none
   */
  readonly nag?: readonly string[];
  /**
   * checkov check ids (`CKV_AWS_21`), written as a skip into the resource's template metadata.
   * @default - none
   */
  readonly checkov?: readonly string[];
}

interface CheckovSkip {
  readonly id: string;
  readonly comment: string;
}

/**
 * Acknowledges findings of the security scanners on one resource, with one reason for all of them.
 *
 * It takes a `CfnResource` on purpose: acknowledgements sit on the narrowest construct, never on a stack.
 * The same reason reaches the synth-time nag report and the template a reviewer reads.
 */
export function acknowledgeFindings(resource: CfnResource, reason: string, findings: Findings): void {
  for (const ruleId of findings.nag ?? []) {
    const pack = ruleId.slice(0, ruleId.indexOf('-'));
    Validations.of(resource).acknowledge({ id: `${pack}::${ruleId}`, reason });
  }
  if (findings.checkov?.length) {
    const existing = (resource.getMetadata('checkov') as { skip?: CheckovSkip[] } | undefined)?.skip ?? [];
    const added = findings.checkov.map((id) => ({ id, comment: reason }));
    resource.addMetadata('checkov', { skip: [...existing, ...added] });
  }
}
