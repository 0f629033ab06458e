/**
 * Privacy regimes and the AWS regions whose data residency fits each of them.
 *
 * GDPR cells must stay inside the EU/EEA. London (eu-west-2, UK GDPR) and Zurich (eu-central-2) are outside the
 * EEA and are deliberately absent: add a regime of their own before deploying there.
 */
import { REGIMES, type Regime } from '../../lambdas/domain/regimes';

// Runtime code needs the regimes too, and never imports from lib/: they live in lambdas/.
export { REGIMES, type Regime };

export const REGIONS_BY_REGIME: Readonly<Record<Regime, readonly string[]>> = {
  GDPR: ['eu-west-1', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'eu-south-1', 'eu-south-2'],
  CCPA: ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'],
};

/** Shape of an AWS commercial or GovCloud region name, such as `eu-west-1` or `us-gov-west-1`. */
export const REGION_PATTERN = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

export function regionFitsRegime(region: string, regime: Regime): boolean {
  return REGIONS_BY_REGIME[regime].includes(region);
}
