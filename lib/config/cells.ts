import * as z from '../../lambdas/shared/zod';
import { REGIMES, REGION_PATTERN, REGIONS_BY_REGIME, regionFitsRegime, type Regime } from './regimes';

/** One cell: a complete, independent deployment in a single residency region. */
export interface CellConfig {
  /** Short name used in stack names (`Optline-<name>-Data`) and resource aliases. */
  readonly name: string;
  /** The only region the cell's data may live in. */
  readonly region: string;
  /** The privacy regime the cell's tenants are under; it decides DSR deadlines and allowed regions. */
  readonly regime: Regime;
  /**
   * The tenants (data controllers) served by this cell. Each one gets its own Cognito app client, and the
   * API resolves the tenant from that client's id. Ids are scoped to the cell: every cell has its own user
   * pool and tables.
   */
  readonly tenants: readonly string[];
  /**
   * Request limits of the cell's API.
   * @default - DEFAULT_API_LIMITS
   */
  readonly apiLimits?: ApiLimits;
  /**
   * Messages per second the cell's origination identities accept (for example 1 for a US long code, 3 for a
   * toll-free number, 100 for a short code). The send path is sized so it never exceeds it.
   * @default DEFAULT_SMS_MPS
   */
  readonly smsMps?: number;
  /**
   * The cell's two-way numbers (E.164) and the tenant each belongs to: an inbound SMS goes to that tenant.
   * @default - no inbound numbers: inbound SMS are ignored
   */
  readonly inboundNumbers?: Readonly<Record<string, string>>;
}

/** A conservative default: what a single toll-free or sender-id origination commonly allows. */
export const DEFAULT_SMS_MPS = 3;

/** How much traffic a cell's API accepts before it answers 429 (stage throttling) or 403 (WAF). */
export interface ApiLimits {
  /** Steady-state requests per second across the whole stage, all tenants together. */
  readonly rateLimit: number;
  /** Requests the stage accepts at once above the steady rate. */
  readonly burstLimit: number;
  /** Requests one client IP may make in any 5-minute window before the WAF blocks it. */
  readonly perIpLimit: number;
}

export const DEFAULT_API_LIMITS: ApiLimits = { rateLimit: 100, burstLimit: 200, perIpLimit: 6000 };

export const DEFAULT_CELLS: readonly CellConfig[] = [
  { name: 'eu', region: 'eu-west-1', regime: 'GDPR', tenants: ['demo'] },
  { name: 'us', region: 'us-east-1', regime: 'CCPA', tenants: ['demo'] },
];

/** Tenant ids name Cognito app clients and appear in table keys, so they are short and URL-safe. */
export const TENANT_ID_PATTERN = /^[a-z][a-z0-9-]{1,31}$/;

/** Words Cognito refuses in a domain prefix, which is built from the cell name. */
const RESERVED_IN_DOMAIN_PREFIX = ['aws', 'amazon', 'cognito'];

/** The cdk.json / `--context` key that replaces the default cells. */
export const CELLS_CONTEXT_KEY = 'optline:cells';

const positiveInt = z.number().check(z.int('must be a whole number'), z.positive('must be positive'));

const apiLimitsSchema = z.strictObject({
  rateLimit: positiveInt,
  burstLimit: positiveInt,
  // WAF rate-based rules accept 10 to 2,000,000,000 requests per evaluation window.
  perIpLimit: positiveInt.check(z.gte(10, 'must be at least 10 (the WAF minimum)'), z.lte(2_000_000_000)),
});

const tenantsSchema = z
  .array(
    z
      .string()
      .check(
        z.regex(
          TENANT_ID_PATTERN,
          'must be 2-32 lowercase letters, digits or dashes, starting with a letter',
        ),
      ),
    { error: () => 'must list the tenant ids of the cell, such as ["demo"]' },
  )
  .check(
    z.minLength(1, 'must list at least one tenant id'),
    z.superRefine((tenants, ctx) => {
      const seen = new Set<string>();
      tenants.forEach((tenant, index) => {
        if (seen.has(tenant))
          ctx.addIssue({ code: 'custom', path: [index], message: `duplicate tenant "${tenant}"` });
        seen.add(tenant);
      });
    }),
  );

const cellSchema = z
  .strictObject({
    name: z.string().check(
      z.regex(/^[a-z][a-z0-9]{0,11}$/, 'must be 1-12 lowercase letters or digits, starting with a letter'),
      z.refine(
        (name) => !RESERVED_IN_DOMAIN_PREFIX.some((word) => name.includes(word)),
        `must not contain ${RESERVED_IN_DOMAIN_PREFIX.join(', ')} (Cognito refuses them in the domain prefix)`,
      ),
    ),
    region: z.string().check(z.regex(REGION_PATTERN, 'must be an AWS region name such as eu-west-1')),
    regime: z.enum(REGIMES, { error: () => `must be one of ${REGIMES.join(', ')}` }),
    tenants: tenantsSchema,
    apiLimits: z.optional(apiLimitsSchema),
    smsMps: z.optional(z.number().check(z.positive('must be positive'), z.lte(1000, 'must be at most 1000'))),
    inboundNumbers: z.optional(z.record(z.string(), z.string())),
  })
  .check(
    z.superRefine((cell, ctx) => {
      for (const [number, tenant] of Object.entries(cell.inboundNumbers ?? {})) {
        if (!/^\+[1-9]\d{6,14}$/.test(number)) {
          ctx.addIssue({
            code: 'custom',
            path: ['inboundNumbers', number],
            message: 'must be an E.164 number such as +447400123456',
          });
        }
        if (!cell.tenants.includes(tenant)) {
          ctx.addIssue({
            code: 'custom',
            path: ['inboundNumbers', number],
            message: `names tenant "${tenant}", which is not one of the cell's tenants`,
          });
        }
      }
      if (!regionFitsRegime(cell.region, cell.regime)) {
        ctx.addIssue({
          code: 'custom',
          path: ['region'],
          message: `${cell.region} is outside the ${cell.regime} residency regions (${REGIONS_BY_REGIME[cell.regime].join(', ')})`,
        });
      }
    }),
  );

const cellsSchema = z.array(cellSchema).check(
  z.minLength(1, 'at least one cell is required'),
  z.superRefine((cells, ctx) => {
    for (const key of ['name', 'region'] as const) {
      const seen = new Set<string>();
      cells.forEach((cell, index) => {
        if (seen.has(cell[key])) {
          ctx.addIssue({ code: 'custom', path: [index, key], message: `duplicate ${key} "${cell[key]}"` });
        }
        seen.add(cell[key]);
      });
    }
  }),
);

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
