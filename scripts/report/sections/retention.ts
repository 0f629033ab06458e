import {
  effectiveSchedule,
  RETENTION_CATEGORIES,
  type RetentionOverrides,
  type RetentionCategory,
  type RetentionCategoryId,
} from '../../../lambdas/domain/retention';
import { RETENTION_OVERRIDES_KEY } from '../../../lib/constructs/cell-retention';
import type { StackArtifact } from '../assembly';

/** A cell's retention overrides, as its stacks record them in their template Metadata; none when absent. */
export function retentionOverridesOf(stacks: readonly StackArtifact[]): RetentionOverrides {
  const recorded = stacks.map((stack) => stack.template.Metadata?.[RETENTION_OVERRIDES_KEY]).find(Boolean);
  return (recorded ?? {}) as RetentionOverrides;
}

/** Stores with their categories as the cell keeps them: overridden periods in place of the schedule's. */
export function withCellPeriods<T extends { readonly retention: readonly RetentionCategory[] }>(
  stores: readonly T[],
  overrides: RetentionOverrides,
): T[] {
  const schedule = new Map(effectiveSchedule(overrides).map((category) => [category.id, category]));
  return stores.map((store) => ({
    ...store,
    retention: store.retention.map((category) => schedule.get(category.id) ?? category),
  }));
}

/**
 * Construct ids of the stores whose `store` text in the retention module names no construct. DynamoDB stores
 * need no entry: "DynamoDB MessageLog" names the `MessageLog` table.
 */
const NAMED_STORES: Partial<Record<RetentionCategoryId, readonly string[]>> = {
  dsrExportFiles: ['ExportBucket'],
  serviceLogs: ['AccessLogBucket'],
};

/** The construct ids that hold a category's data, e.g. `['Subscribers']`. */
export function storeConstructIds(category: RetentionCategory): readonly string[] {
  const table = /^DynamoDB (\w+)/.exec(category.store)?.[1];
  return [...(table === undefined ? [] : [table]), ...(NAMED_STORES[category.id] ?? [])];
}

/**
 * The retention categories stored in a table or bucket: one of its construct path segments is the store's
 * construct id, or (without path metadata) its logical id is that id plus CDK's 8-character hash.
 */
export function retentionCategoriesOf(path: string, logicalId: string): RetentionCategory[] {
  const segments = path.split('/');
  return RETENTION_CATEGORIES.filter((category) =>
    storeConstructIds(category).some(
      (id) => segments.includes(id) || new RegExp(`^${id}[0-9A-F]{8}$`).test(logicalId),
    ),
  );
}
