import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { frequencyCapSchema, type FrequencyCap } from '../../lambdas/domain/frequency-cap';
import {
  IDENTITY_RULES,
  IDENTITY_TYPES,
  type IdentityType,
} from '../../lambdas/domain/origination-identities';
import type { RetentionOverrides } from '../../lambdas/domain/retention';
import { overrideProblems } from '../../lambdas/domain/retention-bounds';
import { CELL_WIDE_IDENTITY, type SendRates } from '../../lambdas/domain/send-rate';
import { retentionPeriodSchema } from '../../lambdas/shared/retention-periods';
import * as z from '../../lambdas/shared/zod';
import { REGIMES, REGION_PATTERN, REGIONS_BY_REGIME, regionFitsRegime, type Regime } from './regimes';

export { CELL_WIDE_IDENTITY };

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
   * toll-free number, 100 for a short code): the default of each identity's `mps`, and the rate of the cell-wide
   * send schedule that channels without a provisioned identity share (docs/send-rate.md).
   * @default DEFAULT_SMS_MPS
   */
  readonly smsMps?: number;
  /**
   * Reserve Lambda concurrency: the messages function gets R = min(⌊smsMps⌋, 10), each scheduled job 1, the purge 3.
   * Lambda keeps 100 concurrent executions unreserved and a new account may have a total quota of 10, so a
   * reservation fails the deploy there ("Configuring reserved concurrency", Lambda developer guide). Check the
   * quota with `aws lambda get-account-settings` before turning it on. Without it the send rate is still held to
   * each identity's MPS by the shared send schedules (docs/send-rate.md); the reservation only bounds how many
   * sends wait for a slot at once.
   * @default false
   */
  readonly reserveConcurrency?: boolean;
  /**
   * What subscribers are told about each tenant: its brand and support contact, used in HELP replies, opt-out
   * confirmations and the keyword texts of its origination identities. They take precedence over the tenant's
   * item in the Tenants table. Every tenant with an origination identity needs one.
   * @default - none: tenants' settings come from the Tenants table
   */
  readonly tenantProfiles?: Readonly<Record<string, TenantProfile>>;
  /**
   * The origination identities the cell provisions, one per tenant (DESIGN §9): the types CloudFormation can
   * create without a registration (SIMULATOR, LONG_CODE, SENDER_ID). Each phone number gets the cell's opt-out
   * list, self-managed opt-outs (optline answers STOP, HELP and START itself), two-way SMS to the inbound topic and
   * the tenant's HELP and STOP texts; a sender id sends through a pool that carries the list. The tenant's channel
   * and the inbound-number map follow from them.
   * @default - none: tenants' channels come from the Tenants table
   */
  readonly originationIdentities?: readonly OriginationIdentityConfig[];
  /**
   * The cell's two-way numbers provisioned by hand (E.164), and the tenant each belongs to (with the number's type
   * where it brings rules, such as TOLL_FREE): an inbound SMS goes to that tenant.
   * @default - no inbound numbers: inbound SMS are ignored
   */
  readonly inboundNumbers?: Readonly<Record<string, string | InboundNumberConfig>>;
  /**
   * The cell's own retention periods, by category, each with the source that sets it, such as
   * `{ messageTraffic: { period: { count: 24, unit: 'months' }, source: '…' } }` (DESIGN §12). Each must lie within
   * the regime's bounds (`lambdas/domain/retention-bounds.ts`). They flow into the TTLs every function writes, the
   * lifecycle rules, log retention, docs/retention.md and the compliance report.
   * @default - none: the retention schedule's periods
   */
  readonly retentionOverrides?: RetentionOverrides;
  /**
   * Who the record of processing (GDPR Art. 30(2), docs/records-of-processing.md) names as processor and as the
   * controller of each tenant.
   * @default - placeholders that say what to fill in
   */
  readonly processingContacts?: ProcessingContacts;
}

/** A party named in the record of processing: its name and contact details, and its data protection officer. */
export interface PartyContact {
  readonly name: string;
  /** Postal or e-mail address of the party. */
  readonly contact: string;
  /** @default - none named */
  readonly dataProtectionOfficer?: string;
}

/** The parties of GDPR Art. 30(2)(a): the processor running the cell, and each tenant as controller. */
export interface ProcessingContacts {
  /** @default - a placeholder */
  readonly processor?: PartyContact;
  /** By tenant id. @default - a placeholder for each tenant */
  readonly controllers?: Readonly<Record<string, PartyContact>>;
}

/** A tenant's public face in SMS: who it is and where to get help. */
export interface TenantProfile {
  /** Named first in every reply; at most 20 characters, so each reply fits one SMS segment. */
  readonly brand: string;
  /** Support contact for HELP replies, such as an e-mail address or URL. */
  readonly contact: string;
  /** HELP reply text. @default - composed from brand and contact */
  readonly helpText?: string;
  /**
   * At most `messages` marketing messages to one recipient in any `days` days (DESIGN §10): the frequency the
   * tenant discloses at opt-in, as the CTIA Messaging Principles ask. Whole numbers; `days` at most 180, since
   * messages are kept 6 months.
   * @default - no cap
   */
  readonly frequencyCap?: FrequencyCap;
}

/** A number registered by hand, with its type (US toll-free numbers: the carrier answers STOP itself). */
export interface InboundNumberConfig {
  readonly tenant: string;
  readonly type: IdentityType;
}

/** An origination identity the cell provisions for a tenant. */
export interface OriginationIdentityConfig {
  /** Unique in the cell; it names the construct, so renaming it replaces the identity (a new number). */
  readonly name: string;
  readonly type: IdentityType;
  /** ISO 3166-1 alpha-2 country the identity sends in, such as US. */
  readonly country: string;
  /** The tenant that sends from it and receives its inbound SMS. */
  readonly tenant: string;
  /** The alphanumeric sender id, for type SENDER_ID only. */
  readonly senderId?: string;
  /**
   * Message parts per second the identity may send: every sender of the cell, 1:1 sends and campaigns together,
   * stays within it (docs/send-rate.md). End User Messaging's usual limits: a US short code 100, a US toll-free
   * number 3, a US 10DLC number 1 until raised to its campaign's rate, a long code 1 in Canada and 10 in most other
   * countries (https://docs.aws.amazon.com/sms-voice/latest/userguide/sms-limitations-mps.html).
   * @default - the cell's `smsMps`
   */
  readonly mps?: number;
}

/** A conservative default: what a single toll-free or sender-id origination commonly allows. */
export const DEFAULT_SMS_MPS = 3;

/**
 * The MPS of each send schedule of the cell (lambdas/domain/send-rate.ts): each provisioned identity's own `mps`,
 * defaulting to `smsMps`, and the cell-wide schedule at `smsMps` for every channel that names no provisioned
 * identity (a cell without identities has only that one).
 */
export function sendRatesOf(cell: CellConfig): SendRates {
  const cellMps = cell.smsMps ?? DEFAULT_SMS_MPS;
  return {
    [CELL_WIDE_IDENTITY]: cellMps,
    ...Object.fromEntries((cell.originationIdentities ?? []).map((i) => [i.name, i.mps ?? cellMps])),
  };
}

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

const tenantProfileSchema = z.strictObject({
  brand: z.string().check(z.minLength(1), z.maxLength(20, 'must be at most 20 characters')),
  contact: z.string().check(z.minLength(1), z.maxLength(60, 'must be at most 60 characters')),
  helpText: z.optional(
    z.string().check(z.minLength(1), z.maxLength(160, 'must fit one SMS (160 characters)')),
  ),
  frequencyCap: z.optional(frequencyCapSchema),
});

/** Message parts per second: above zero (fractions allowed: one part every few seconds), at most 1,000. */
const mpsSchema = z.number().check(z.positive('must be positive'), z.lte(1000, 'must be at most 1000'));

const identitySchema = z.strictObject({
  name: z
    .string()
    .check(z.regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be 1-32 lowercase letters, digits or dashes')),
  type: z.enum(IDENTITY_TYPES, { error: () => `must be one of ${IDENTITY_TYPES.join(', ')}` }),
  country: z.string().check(z.regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as US')),
  tenant: z.string(),
  // 1-11 letters, digits or dashes with at least one letter, not starting or ending with a dash (SenderId).
  senderId: z.optional(
    z
      .string()
      .check(
        z.regex(
          /^(?=[A-Z0-9-]*[A-Z])[A-Z0-9](?:[A-Z0-9-]{0,9}[A-Z0-9])?$/,
          'must be 1-11 capital letters, digits or dashes, with a letter',
        ),
      ),
  ),
  mps: z.optional(mpsSchema),
});

/** Problems of the cell's identities: unknown tenants, missing profiles, types out of their countries. */
function identityIssues(cell: {
  tenants: readonly string[];
  tenantProfiles?: Readonly<Record<string, unknown>>;
  originationIdentities?: readonly z.infer<typeof identitySchema>[];
}): Array<{ path: (string | number)[]; message: string }> {
  const issues: Array<{ path: (string | number)[]; message: string }> = [];
  const names = new Set<string>();
  (cell.originationIdentities ?? []).forEach((identity, index) => {
    const at = (field: string) => ['originationIdentities', index, field];
    if (names.has(identity.name))
      issues.push({ path: at('name'), message: `duplicate name "${identity.name}"` });
    if (identity.name === CELL_WIDE_IDENTITY)
      issues.push({
        path: at('name'),
        message: `"${CELL_WIDE_IDENTITY}" names the cell-wide send schedule; choose another name`,
      });
    names.add(identity.name);
    if (!cell.tenants.includes(identity.tenant)) {
      issues.push({ path: at('tenant'), message: `"${identity.tenant}" is not one of the cell's tenants` });
    } else if (!cell.tenantProfiles?.[identity.tenant]) {
      issues.push({
        path: at('tenant'),
        message: `"${identity.tenant}" needs an entry in tenantProfiles: its HELP and STOP texts are registered with the number`,
      });
    }
    if (!IDENTITY_RULES[identity.type].provisioned) {
      issues.push({
        path: at('type'),
        message:
          `a ${identity.type} number must be registered before it can send, which CloudFormation cannot do: ` +
          'register it in End User Messaging and list it under inboundNumbers with its tenant and type',
      });
    }
    const countries = IDENTITY_RULES[identity.type].countries;
    if (countries && !countries.includes(identity.country)) {
      issues.push({
        path: at('country'),
        message: `${identity.type} exists only in ${countries.join(', ')}`,
      });
    }
    if ((identity.type === 'SENDER_ID') !== (identity.senderId !== undefined)) {
      issues.push({
        path: at('senderId'),
        message: 'is required for a SENDER_ID and allowed for no other type',
      });
    }
  });
  // One identity per tenant. Several would share a pool, and a number in a pool can no longer be updated
  // ("If the origination phone number is associated with a pool, an error is returned"), so every later change of
  // its settings would fail the Data stack update.
  // https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_UpdatePhoneNumber.html
  for (const tenant of cell.tenants) {
    const own = (cell.originationIdentities ?? []).filter((identity) => identity.tenant === tenant);
    if (own.length > 1) {
      issues.push({
        path: ['originationIdentities'],
        message: `tenant "${tenant}" has ${own.length} identities; a cell provisions one per tenant`,
      });
    }
  }
  for (const tenant of Object.keys(cell.tenantProfiles ?? {})) {
    if (!cell.tenants.includes(tenant)) {
      issues.push({
        path: ['tenantProfiles', tenant],
        message: `"${tenant}" is not one of the cell's tenants`,
      });
    }
  }
  return issues;
}

const partyContactSchema = z.strictObject({
  name: z.string().check(z.trim(), z.minLength(1, 'must not be blank')),
  contact: z.string().check(z.trim(), z.minLength(1, 'must not be blank')),
  dataProtectionOfficer: z.optional(z.string().check(z.trim(), z.minLength(1, 'must not be blank'))),
});

const retentionOverrideSchema = z.strictObject({
  period: retentionPeriodSchema,
  source: z.string({ error: () => 'needs a source: the law, contract or policy that sets this period' }),
});

/** CloudWatch Logs accepts only these retention periods, in days (PutRetentionPolicy, retentionInDays). */
const CLOUDWATCH_RETENTION_DAYS = Object.values(RetentionDays).filter(
  (value): value is RetentionDays => typeof value === 'number',
);

/** Problems of the cell's retention overrides, each naming the cell and the category. */
function retentionIssues(cell: {
  name: string;
  regime: Regime;
  retentionOverrides?: Readonly<Record<string, z.infer<typeof retentionOverrideSchema>>>;
}): Array<{ path: (string | number)[]; message: string }> {
  const overrides = cell.retentionOverrides ?? {};
  const issues = overrideProblems(cell.regime, overrides).map(({ category, message }) => ({
    path: ['retentionOverrides', category],
    message: `cell "${cell.name}", ${category}: ${message}`,
  }));
  const logs = overrides.serviceLogs?.period;
  if (logs?.unit === 'days' && !CLOUDWATCH_RETENTION_DAYS.includes(logs.count)) {
    issues.push({
      path: ['retentionOverrides', 'serviceLogs'],
      message: `cell "${cell.name}", serviceLogs: CloudWatch Logs keeps ${CLOUDWATCH_RETENTION_DAYS.join(', ')} days, not ${logs.count}`,
    });
  }
  return issues;
}

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
    smsMps: z.optional(mpsSchema),
    reserveConcurrency: z.optional(z.boolean()),
    tenantProfiles: z.optional(z.record(z.string(), tenantProfileSchema)),
    originationIdentities: z.optional(z.array(identitySchema)),
    inboundNumbers: z.optional(
      z.record(
        z.string(),
        z.union([z.string(), z.strictObject({ tenant: z.string(), type: z.enum(IDENTITY_TYPES) })]),
      ),
    ),
    retentionOverrides: z.optional(z.record(z.string(), retentionOverrideSchema)),
    processingContacts: z.optional(
      z.strictObject({
        processor: z.optional(partyContactSchema),
        controllers: z.optional(z.record(z.string(), partyContactSchema)),
      }),
    ),
  })
  .check(
    z.superRefine((cell, ctx) => {
      for (const [number, entry] of Object.entries(cell.inboundNumbers ?? {})) {
        const tenant = typeof entry === 'string' ? entry : entry.tenant;
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
      for (const issue of identityIssues(cell)) ctx.addIssue({ code: 'custom', ...issue });
      for (const issue of retentionIssues(cell)) ctx.addIssue({ code: 'custom', ...issue });
      for (const tenant of Object.keys(cell.processingContacts?.controllers ?? {})) {
        if (!cell.tenants.includes(tenant)) {
          ctx.addIssue({
            code: 'custom',
            path: ['processingContacts', 'controllers', tenant],
            message: `"${tenant}" is not one of the cell's tenants`,
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
