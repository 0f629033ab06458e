/**
 * The cell's retention periods as they travel to a function: `RETENTION_PERIODS`, a JSON object of the
 * categories the cell overrides, such as `{"messageTraffic":{"count":24,"unit":"months"}}` (periods only; the
 * sources stay in the templates and the docs). The stacks set it from the cell configuration, where the bounds
 * and sources were validated; a function reads it once at cold start and fails there when it is malformed.
 */
import {
  RETENTION,
  useCellPeriods,
  type RetentionCategoryId,
  type RetentionPeriods,
} from '../domain/retention';
import { RETENTION_PERIODS_ENV } from './env';
import * as z from './zod';

export const retentionPeriodSchema = z.strictObject({
  count: z.number().check(z.int('must be a whole number'), z.positive('must be positive')),
  unit: z.enum(['hours', 'days', 'months', 'years']),
});

const categoryIds = Object.keys(RETENTION) as [RetentionCategoryId, ...RetentionCategoryId[]];
const periodsSchema = z.partialRecord(z.enum(categoryIds), retentionPeriodSchema);

/** The periods in `RETENTION_PERIODS`; none when it is not set. Throws when it is malformed. */
export function retentionPeriodsFromEnv(env: NodeJS.ProcessEnv = process.env): RetentionPeriods {
  const value = env[RETENTION_PERIODS_ENV];
  if (value === undefined || value === '') return {};
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new Error(`${RETENTION_PERIODS_ENV} is not valid JSON`);
  }
  const result = periodsSchema.safeParse(json);
  if (!result.success) {
    const where = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`${RETENTION_PERIODS_ENV} is malformed: ${where.join('; ')}`);
  }
  return result.data;
}

/** Makes every TTL this process computes use the cell's periods from the environment. */
export function useCellPeriodsFromEnv(env: NodeJS.ProcessEnv = process.env): void {
  useCellPeriods(retentionPeriodsFromEnv(env));
}
