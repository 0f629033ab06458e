import type { StackArtifact } from '../assembly';
import { bool, field, isObject, list, num, str } from '../cfn';
import type { BucketReport, Encryption } from '../model';
import type { References } from '../references';
import { kmsEncryption } from './keys';
import { resourcesOfType, type Located } from './resources';
import { retentionCategoriesOf } from './retention';

const PUBLIC_ACCESS_FLAGS = [
  'BlockPublicAcls',
  'BlockPublicPolicy',
  'IgnorePublicAcls',
  'RestrictPublicBuckets',
];

/** S3 buckets with their encryption, public access, replication and lifecycle expiry. */
export function collectBuckets(stacks: readonly StackArtifact[], refs: References): BucketReport[] {
  return resourcesOfType(stacks, refs, 'AWS::S3::Bucket').map((bucket) => {
    const props = bucket.properties;
    const rules = list(field(props, 'LifecycleConfiguration', 'Rules'))
      .filter(isObject)
      .filter((rule) => rule.Status === 'Enabled');
    const shortest = (values: readonly (number | undefined)[]) => {
      const defined = values.filter((value): value is number => value !== undefined);
      return defined.length > 0 ? Math.min(...defined) : undefined;
    };
    const logTarget = field(props, 'LoggingConfiguration', 'DestinationBucketName');
    return {
      path: bucket.path,
      encryption: bucketEncryption(bucket, refs),
      bucketKey: bool(field(encryptionRule(bucket), 'BucketKeyEnabled')) === true,
      versioning: field(props, 'VersioningConfiguration', 'Status') === 'Enabled',
      publicAccessBlocked: PUBLIC_ACCESS_FLAGS.every(
        (flag) => bool(field(props, 'PublicAccessBlockConfiguration', flag)) === true,
      ),
      replication: props.ReplicationConfiguration !== undefined,
      expirationDays: shortest(rules.map((rule) => num(rule.ExpirationInDays))),
      noncurrentExpirationDays: shortest(
        rules.map(
          (rule) =>
            num(field(rule, 'NoncurrentVersionExpiration', 'NoncurrentDays')) ??
            num(rule.NoncurrentVersionExpirationInDays),
        ),
      ),
      accessLogsTo: logTarget === undefined ? undefined : refs.label(logTarget, bucket.stack),
      retention: retentionCategoriesOf(bucket.path, bucket.logicalId),
    };
  });
}

const encryptionRule = (bucket: Located): unknown =>
  list(field(bucket.properties, 'BucketEncryption', 'ServerSideEncryptionConfiguration'))[0];

function bucketEncryption(bucket: Located, refs: References): Encryption {
  const byDefault = field(encryptionRule(bucket), 'ServerSideEncryptionByDefault');
  // Without a configuration S3 still encrypts new objects with SSE-S3 (since January 2023).
  const algorithm = str(field(byDefault, 'SSEAlgorithm')) ?? 'AES256';
  if (algorithm === 'AES256') return { kind: 's3-managed' };
  const key = field(byDefault, 'KMSMasterKeyID');
  return key === undefined ? { kind: 'aws-managed' } : kmsEncryption(key, bucket.stack, refs);
}
