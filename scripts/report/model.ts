import type { RetentionCategory, RetentionOverrides } from '../../lambdas/domain/retention';

/** The compliance report as data: collected from the cloud assembly, rendered to Markdown and HTML. */
export interface ComplianceReport {
  readonly cells: readonly CellReport[];
  /** From cdk.out/validation-report.json; `undefined` when synth wrote none. */
  readonly cdkNag?: NagSummary;
  /** `undefined` when no cfn-lint JSON was given: the report says "not run". */
  readonly cfnLint?: CfnLintSummary;
  /** `undefined` when no checkov JSON was given: the report says "not run". */
  readonly checkov?: CheckovSummary;
}

export interface CellReport {
  readonly name: string;
  readonly stacks: readonly StackSummary[];
  readonly tables: readonly TableReport[];
  readonly buckets: readonly BucketReport[];
  readonly logGroups: readonly LogGroupReport[];
  readonly schedules: readonly ScheduleReport[];
  readonly functions: readonly FunctionReport[];
  readonly acknowledgements: readonly Acknowledgement[];
  /** Departures from the security baseline (DESIGN §3, §7) found in the templates; empty when there are none. */
  readonly deviations: readonly string[];
  /**
   * The cell's retention overrides with their sources, from its templates' Metadata (DESIGN §12); the stores'
   * categories already carry the overridden periods.
   * @default - none: the retention schedule's periods
   */
  readonly retentionOverrides?: RetentionOverrides;
}

export interface StackSummary {
  readonly name: string;
  readonly environment: string;
  readonly region: string;
}

/** How a store is encrypted at rest. */
export type Encryption =
  | {
      readonly kind: 'customer-managed';
      /** Construct path of the key, or the rendered value when it is not a key of the assembly. */
      readonly key: string;
      /** `EnableKeyRotation` of the key; `undefined` when the key is not in the assembly. */
      readonly rotation?: boolean;
    }
  | { readonly kind: 'aws-managed' }
  | { readonly kind: 'aws-owned' }
  | { readonly kind: 's3-managed' };

export interface TableReport {
  readonly path: string;
  readonly type: string;
  readonly encryption: Encryption;
  readonly pointInTimeRecovery: boolean;
  readonly deletionProtection: boolean;
  /** `undefined` when TTL is off. */
  readonly ttlAttribute?: string;
  /** The template's `DeletionPolicy`; `Delete` is CloudFormation's default. */
  readonly deletionPolicy: string;
  /** Regions of the replicas (global tables) or the stack region (tables). */
  readonly regions: readonly string[];
  readonly retention: readonly RetentionCategory[];
}

export interface BucketReport {
  readonly path: string;
  readonly encryption: Encryption;
  readonly bucketKey: boolean;
  readonly versioning: boolean;
  readonly publicAccessBlocked: boolean;
  readonly replication: boolean;
  /** Shortest `ExpirationInDays` among enabled lifecycle rules. */
  readonly expirationDays?: number;
  readonly noncurrentExpirationDays?: number;
  readonly accessLogsTo?: string;
  readonly retention: readonly RetentionCategory[];
}

export interface LogGroupReport {
  readonly path: string;
  /** The rendered `LogGroupName`; `undefined` when CloudFormation generates it. */
  readonly name?: string;
  /** `undefined`: events never expire. */
  readonly retentionDays?: number;
  /** Construct path of the KMS key; `undefined`: not KMS-encrypted. */
  readonly kmsKey?: string;
}

export interface ScheduleReport {
  readonly path: string;
  readonly kind: 'EventBridge Scheduler' | 'EventBridge rule';
  readonly name?: string;
  readonly expression: string;
  readonly timezone: string;
  readonly state: string;
  readonly targets: readonly string[];
}

export interface FunctionReport {
  readonly path: string;
  readonly runtime: string;
  readonly architecture: string;
  readonly tracing: string;
  /** Construct path of the execution role, or the rendered `Role` when it is not a role of the stack. */
  readonly role: string;
  /** Construct path of its log group, or `undefined` when Lambda creates one implicitly (never expiring). */
  readonly logGroup?: string;
  readonly grants: readonly Grant[];
  /** Managed policy ARNs attached to the role, rendered. */
  readonly managedPolicies: readonly string[];
}

/** The actions a role is allowed (or denied) on one resource, merged across its policies' statements. */
export interface Grant {
  readonly effect: string;
  readonly resource: string;
  readonly actions: readonly string[];
  /** Rendered `Condition`, when the statement has one. */
  readonly condition?: string;
  /** Policies the statements come from, by construct path. */
  readonly policies: readonly string[];
}

export type Scanner = 'cdk-nag' | 'checkov' | 'cfn-lint';

/** One reason given on one resource for one or more scanner rules. */
export interface Acknowledgement {
  readonly resource: string;
  readonly scanner: Scanner;
  readonly rules: readonly string[];
  readonly reason: string;
}

export interface NagSummary {
  readonly packs: readonly NagPack[];
  /** Findings no acknowledgement covers; synth fails on them, so this is normally empty. */
  readonly unacknowledged: readonly NagFinding[];
  /** `<construct path>\u0000<acknowledged id>` of every acknowledgement that suppressed a finding. */
  readonly usedAcknowledgements: ReadonlySet<string>;
}

export interface NagPack {
  readonly name: string;
  readonly conclusion: string;
  readonly unacknowledged: number;
  readonly acknowledged: number;
}

export interface NagFinding {
  readonly rule: string;
  readonly resource: string;
}

export interface CfnLintSummary {
  readonly findings: readonly CfnLintFinding[];
}

export interface CfnLintFinding {
  readonly rule: string;
  readonly level: string;
  readonly template: string;
  readonly location: string;
  readonly message: string;
}

export interface CheckovSummary {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly parsingErrors: number;
  readonly resources: number;
  readonly failedChecks: readonly CheckovFailure[];
}

export interface CheckovFailure {
  readonly check: string;
  readonly name: string;
  readonly resource: string;
  readonly template: string;
}
