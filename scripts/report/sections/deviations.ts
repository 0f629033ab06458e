import {
  describePeriod,
  periodsOf,
  retentionDays,
  RETENTION_CATEGORIES,
  type RetentionCategory,
  type RetentionOverrides,
} from '../../../lambdas/domain/retention';
import { TTL_ATTRIBUTE } from '../../../lib/constructs/encrypted-table';
import type {
  BucketReport,
  Encryption,
  FunctionReport,
  LogGroupReport,
  NagSummary,
  StackSummary,
  TableReport,
} from '../model';
import { acknowledgementKey } from '../scanners/cdk-nag';
import type { RuleAcknowledgement } from './acknowledgements';
import { storeConstructIds } from './retention';

export interface DeviationInput {
  readonly stacks: readonly StackSummary[];
  readonly tables: readonly TableReport[];
  readonly buckets: readonly BucketReport[];
  readonly logGroups: readonly LogGroupReport[];
  readonly functions: readonly FunctionReport[];
  readonly acknowledgements: readonly RuleAcknowledgement[];
  readonly nag?: NagSummary;
  /** The cell's retention overrides. @default - none */
  readonly retentionOverrides?: RetentionOverrides;
}

/** A departure from the baseline on one resource, and the scanner rules whose acknowledgement accepts it. */
interface Deviation {
  readonly resource: string;
  readonly text: string;
  readonly acceptedBy?: readonly string[];
}

const ENCRYPTION_TEXT: Record<Exclude<Encryption['kind'], 'customer-managed'>, string> = {
  'aws-managed': 'an AWS managed key',
  'aws-owned': 'an AWS owned key',
  's3-managed': 'SSE-S3',
};

/**
 * Checks a cell against the baseline of DESIGN §1–3 and §7: region pinning, customer-managed rotated keys,
 * PITR, deletion protection, TTL and retention from the retention module, encrypted log groups with the
 * service-log period, and acknowledgements that carry a reason and still match a finding. A deviation that an
 * acknowledgement on the same resource accepts is left out: it is listed with its reason instead.
 */
export function findDeviations(input: DeviationInput): string[] {
  const deviations = [
    ...regionDeviations(input.stacks),
    ...input.tables.flatMap((table) => tableDeviations(table, input.stacks)),
    ...input.buckets.flatMap(bucketDeviations),
    ...input.logGroups.flatMap((group) => logGroupDeviations(group, input.retentionOverrides)),
    ...input.functions.flatMap(functionDeviations),
    ...unstoredCategories(input.tables, input.buckets),
    ...acknowledgementDeviations(input.acknowledgements, input.nag),
  ];
  const accepted = (deviation: Deviation) =>
    input.acknowledgements.some(
      (ack) =>
        ack.resource === deviation.resource &&
        ack.reason !== '' &&
        (deviation.acceptedBy ?? []).some((rule) => ack.rule.endsWith(rule)),
    );
  return deviations
    .filter((deviation) => !accepted(deviation))
    .map((deviation) =>
      deviation.resource === '' ? deviation.text : `${deviation.resource}: ${deviation.text}`,
    );
}

function regionDeviations(stacks: readonly StackSummary[]): Deviation[] {
  const unpinned = stacks
    .filter((stack) => !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(stack.region))
    .map((stack) => ({ resource: stack.name, text: `not pinned to a region (${stack.environment})` }));
  const regions = new Set(stacks.map((stack) => stack.region));
  const split =
    regions.size > 1
      ? [{ resource: '', text: `The cell's stacks are in different regions: ${[...regions].join(', ')}` }]
      : [];
  return [...unpinned, ...split];
}

function keyDeviations(resource: string, encryption: Encryption, acceptedBy: readonly string[]): Deviation[] {
  if (encryption.kind !== 'customer-managed') {
    return [
      {
        resource,
        text: `encrypted with ${ENCRYPTION_TEXT[encryption.kind]}, not a customer-managed KMS key`,
        acceptedBy,
      },
    ];
  }
  if (encryption.rotation === false)
    return [{ resource, text: `its key ${encryption.key} has no automatic rotation` }];
  if (encryption.rotation === undefined) {
    return [
      {
        resource,
        text: `its key ${encryption.key} is not in the assembly, so its rotation cannot be checked`,
      },
    ];
  }
  return [];
}

function tableDeviations(table: TableReport, stacks: readonly StackSummary[]): Deviation[] {
  const resource = table.path;
  const out: Deviation[] = [...keyDeviations(resource, table.encryption, [])];
  if (!table.pointInTimeRecovery)
    out.push({ resource, text: 'point-in-time recovery is off', acceptedBy: ['DynamoDBPITREnabled'] });
  if (!table.deletionProtection) out.push({ resource, text: 'deletion protection is off' });
  if (table.deletionPolicy !== 'Retain')
    out.push({ resource, text: `DeletionPolicy is ${table.deletionPolicy}, not Retain` });
  const expiring = table.retention.filter((category) => category.period !== undefined);
  if (table.ttlAttribute === undefined && expiring.length > 0) {
    out.push({
      resource,
      text: `TTL is off, but its data is kept for ${describePeriod(expiring[0]?.period)} (${expiring[0]?.id})`,
    });
  } else if (table.ttlAttribute !== undefined && table.ttlAttribute !== TTL_ATTRIBUTE) {
    out.push({
      resource,
      text: `TTL attribute is ${table.ttlAttribute}, but writes compute ${TTL_ATTRIBUTE}`,
    });
  }
  const cellRegions = new Set(stacks.map((stack) => stack.region));
  for (const region of table.regions.filter((r) => !cellRegions.has(r))) {
    out.push({ resource, text: `has a replica in ${region}, outside the cell's region` });
  }
  if (table.retention.length === 0)
    out.push({ resource, text: 'matches no category of the retention module' });
  return out;
}

function bucketDeviations(bucket: BucketReport): Deviation[] {
  const resource = bucket.path;
  const out: Deviation[] = [...keyDeviations(resource, bucket.encryption, ['S3DefaultEncryptionKMS'])];
  if (!bucket.publicAccessBlocked) out.push({ resource, text: 'public access is not fully blocked' });
  if (bucket.replication)
    out.push({ resource, text: 'has a replication configuration: data could leave the cell' });
  if (bucket.expirationDays === undefined)
    out.push({ resource, text: 'no lifecycle rule expires its objects' });
  for (const category of bucket.retention) {
    const days = daysOf(category);
    if (bucket.expirationDays !== undefined && days !== undefined && bucket.expirationDays !== days) {
      out.push({
        resource,
        text: `objects expire after ${bucket.expirationDays} days, but ${category.id} says ${days}`,
      });
    }
  }
  if (bucket.retention.length === 0)
    out.push({ resource, text: 'matches no category of the retention module' });
  return out;
}

/** A category's own period in days, when it is a whole number of days (S3 lifecycle takes days). */
const daysOf = (category: RetentionCategory): number | undefined =>
  category.period?.unit === 'days' || (category.period?.unit === 'hours' && category.period.count % 24 === 0)
    ? retentionDays(category.id, { [category.id]: category.period })
    : undefined;

function logGroupDeviations(group: LogGroupReport, overrides: RetentionOverrides = {}): Deviation[] {
  const resource = group.path;
  const expected = retentionDays('serviceLogs', periodsOf(overrides));
  const out: Deviation[] = [];
  if (group.retentionDays === undefined) {
    out.push({ resource, text: 'events never expire', acceptedBy: ['CloudWatchLogGroupRetentionPeriod'] });
  } else if (group.retentionDays !== expected) {
    out.push({
      resource,
      text: `keeps events ${group.retentionDays} days, but serviceLogs says ${expected}`,
    });
  }
  if (group.kmsKey === undefined)
    out.push({ resource, text: 'not KMS-encrypted', acceptedBy: ['CloudWatchLogGroupEncrypted'] });
  return out;
}

function functionDeviations(fn: FunctionReport): Deviation[] {
  return fn.logGroup === undefined
    ? [
        {
          resource: fn.path,
          text: 'logs to the log group Lambda creates implicitly, which never expires and is not KMS-encrypted',
        },
      ]
    : [];
}

/** Categories whose store is a table or bucket that the cell does not have, e.g. after a construct rename. */
function unstoredCategories(tables: readonly TableReport[], buckets: readonly BucketReport[]): Deviation[] {
  const stored = new Set(
    [...tables, ...buckets].flatMap((store) => store.retention.map((category) => category.id)),
  );
  return RETENTION_CATEGORIES.filter(
    (category) => storeConstructIds(category).length > 0 && !stored.has(category.id),
  ).map((category) => ({
    resource: '',
    text: `Retention category ${category.id} (${category.store}) has no store in this cell`,
  }));
}

function acknowledgementDeviations(
  acks: readonly RuleAcknowledgement[],
  nag: NagSummary | undefined,
): Deviation[] {
  const out: Deviation[] = acks
    .filter((ack) => ack.reason === '')
    .map((ack) => ({
      resource: ack.resource,
      text: `${ack.scanner} ${ack.rule} is acknowledged without a reason`,
    }));
  if (nag) {
    for (const ack of acks) {
      if (ack.nag && !nag.usedAcknowledgements.has(acknowledgementKey(ack.nag.constructPath, ack.nag.id))) {
        out.push({ resource: ack.resource, text: `cdk-nag acknowledgement ${ack.rule} matches no finding` });
      }
    }
  }
  return out;
}
