import type { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { periodsOf, type RetentionOverrides, type RetentionPeriods } from '../../lambdas/domain/retention';
import { RETENTION_PERIODS_ENV } from '../../lambdas/shared/env';

/** Construct context (and template metadata) key of a cell stack's retention overrides. */
export const RETENTION_OVERRIDES_KEY = 'optline:retentionOverrides';

/**
 * Gives a cell's stack its retention overrides (DESIGN §12): every construct in it that turns a period into a TTL
 * variable, a lifecycle rule, a log retention or a recovery window reads them with `cellRetentionPeriods`. The
 * overrides, with their sources, are also written to the template's Metadata, where the compliance report reads
 * them. Call it first in the stack's constructor: context can be set only before the stack has children.
 */
export function useCellRetention(stack: Stack, overrides: RetentionOverrides | undefined): void {
  if (!overrides || Object.keys(overrides).length === 0) return;
  stack.node.setContext(RETENTION_OVERRIDES_KEY, overrides);
  stack.addMetadata(RETENTION_OVERRIDES_KEY, overrides);
}

/** The retention periods of the cell a construct belongs to: its overrides; none outside a cell stack. */
export function cellRetentionPeriods(scope: IConstruct): RetentionPeriods {
  return periodsOf(scope.node.tryGetContext(RETENTION_OVERRIDES_KEY) as RetentionOverrides | undefined);
}

/**
 * The environment a function computes its TTLs with: `RETENTION_PERIODS` when the cell overrides a period,
 * nothing otherwise (the schedule's periods apply).
 */
export function retentionEnvironment(scope: IConstruct): Record<string, string> {
  const periods = cellRetentionPeriods(scope);
  return Object.keys(periods).length === 0 ? {} : { [RETENTION_PERIODS_ENV]: JSON.stringify(periods) };
}
