import { z } from 'zod';
import { REGIMES, REGION_PATTERN, REGIONS_BY_REGIME, regionFitsRegime, type Regime } from './regimes';

/** One cell: a complete, independent deployment in a single residency region. */
export interface CellConfig {
  /** Short name used in stack names (`Optline-<name>-Data`) and resource aliases. */
  readonly name: string;
  /** The only region the cell's data may live in. */
  readonly region: string;
  /** The privacy regime the cell's tenants are under; it decides DSR deadlines and allowed regions. */
  readonly regime: Regime;
}

export const DEFAULT_CELLS: readonly CellConfig[] = [
  { name: 'eu', region: 'eu-west-1', regime: 'GDPR' },
  { name: 'us', region: 'us-east-1', regime: 'CCPA' },
];

/** The cdk.json / `--context` key that replaces the default cells. */
export const CELLS_CONTEXT_KEY = 'optline:cells';

const cellSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9]{0,11}$/, 'must be 1-12 lowercase letters or digits, starting with a letter'),
    region: z.string().regex(REGION_PATTERN, 'must be an AWS region name such as eu-west-1'),
    regime: z.enum(REGIMES, { error: () => `must be one of ${REGIMES.join(', ')}` }),
  })
  .strict()
  .superRefine((cell, ctx) => {
    if (!regionFitsRegime(cell.region, cell.regime)) {
      ctx.addIssue({
        code: 'custom',
        path: ['region'],
        message: `${cell.region} is outside the ${cell.regime} residency regions (${REGIONS_BY_REGIME[cell.regime].join(', ')})`,
      });
    }
  });

const cellsSchema = z
  .array(cellSchema)
  .min(1, 'at least one cell is required')
  .superRefine((cells, ctx) => {
    for (const key of ['name', 'region'] as const) {
      const seen = new Set<string>();
      cells.forEach((cell, index) => {
        if (seen.has(cell[key])) {
          ctx.addIssue({ code: 'custom', path: [index, key], message: `duplicate ${key} "${cell[key]}"` });
        }
        seen.add(cell[key]);
      });
    }
  });

export class CellConfigError extends Error {
  override readonly name = 'CellConfigError';
}

/**
 * Validates cell configuration, typically the `optline:cells` context value.
 * Accepts the array itself or its JSON text (what `--context optline:cells='[...]'` passes).
 */
export function parseCells(raw: unknown): CellConfig[] {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new CellConfigError(`${CELLS_CONTEXT_KEY} is not valid JSON`);
    }
  }
  const result = cellsSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const where = issue.path
        .map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))
        .join('');
      return `  - ${CELLS_CONTEXT_KEY}${where}: ${issue.message}`;
    });
    throw new CellConfigError(`Invalid cell configuration:\n${problems.join('\n')}`);
  }
  return result.data;
}

/** The cells for an app: the context override when present, otherwise the defaults. */
export function cellsFromContext(contextValue: unknown): CellConfig[] {
  return contextValue === undefined ? [...DEFAULT_CELLS] : parseCells(contextValue);
}
