import type { TemplateResource } from '../report/assembly';
import { bool, field, isObject, list, num, str } from '../report/cfn';
import type { CellReport } from '../report/model';
import type { CellStacks } from '../report/sections/cells';

/** One Art. 32(1) measure as the templates show it. */
export interface SecurityMeasure {
  readonly measure: string;
  readonly evidence: string;
}

const resourcesOf = (cell: CellStacks, type: string): TemplateResource[] =>
  cell.stacks.flatMap((stack) => Object.values(stack.template.Resources).filter((r) => r.Type === type));

const ratio = (count: number, total: number, what: string): string => `${count} of ${total} ${what}`;

/** A resource policy statement that denies every request not sent over TLS. */
function deniesPlainHttp(policyDocument: unknown): boolean {
  return list(field(policyDocument, 'Statement')).some(
    (statement) =>
      field(statement, 'Effect') === 'Deny' &&
      bool(field(statement, 'Condition', 'Bool', 'aws:SecureTransport')) === false,
  );
}

/** How many of the policies of a type carry a TLS-only statement. */
function tlsOnlyPolicies(cell: CellStacks, type: string): { tlsOnly: number; total: number } {
  const policies = resourcesOf(cell, type);
  const tlsOnly = policies.filter((policy) =>
    deniesPlainHttp(field(policy.Properties, 'PolicyDocument')),
  ).length;
  return { tlsOnly, total: policies.length };
}

function keyMeasures(cell: CellStacks): SecurityMeasure[] {
  const keys = resourcesOf(cell, 'AWS::KMS::Key');
  // Automatic rotation exists for symmetric encryption keys only; an HMAC key cannot rotate
  // (https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html).
  const symmetric = keys.filter(
    (key) => (str(field(key.Properties, 'KeySpec')) ?? 'SYMMETRIC_DEFAULT') === 'SYMMETRIC_DEFAULT',
  );
  const rotating = symmetric.filter((key) => bool(field(key.Properties, 'EnableKeyRotation')) === true);
  const hmac = keys.length - symmetric.length;
  return [
    {
      measure: 'Encryption at rest with keys the company owns (AWS KMS customer-managed keys)',
      evidence:
        `${keys.length} keys; automatic yearly rotation on ${ratio(rotating.length, symmetric.length, 'symmetric encryption keys')}` +
        (hmac > 0
          ? `; ${hmac} HMAC key for pseudonymous subject ids, used only inside KMS (GenerateMac)`
          : ''),
    },
  ];
}

function storeMeasures(report: CellReport): SecurityMeasure[] {
  const tables = report.tables;
  const cmk = tables.filter((t) => t.encryption.kind === 'customer-managed').length;
  const pitr = tables.filter((t) => t.pointInTimeRecovery).length;
  const protectedTables = tables.filter((t) => t.deletionProtection).length;
  const buckets = report.buckets;
  const blocked = buckets.filter((b) => b.publicAccessBlocked).length;
  const kmsBuckets = buckets.filter((b) => b.encryption.kind === 'customer-managed').length;
  return [
    {
      measure: 'DynamoDB tables encrypted, recoverable and protected from deletion',
      evidence:
        `${ratio(cmk, tables.length, 'tables')} encrypted with a customer-managed key; point-in-time recovery on ` +
        `${ratio(pitr, tables.length, 'tables')}; deletion protection on ${ratio(protectedTables, tables.length, 'tables')}`,
    },
    {
      measure: 'S3 buckets private and encrypted',
      evidence:
        `public access blocked on ${ratio(blocked, buckets.length, 'buckets')}; ${ratio(kmsBuckets, buckets.length, 'buckets')} ` +
        'encrypted with a customer-managed key (the access-log bucket uses S3-managed keys, the only encryption S3 ' +
        'server access logging delivers to)',
    },
  ];
}

function messagingMeasures(cell: CellStacks): SecurityMeasure[] {
  const encrypted = (type: string, what: string) => {
    const all = resourcesOf(cell, type);
    const withKey = all.filter((r) => field(r.Properties, 'KmsMasterKeyId') !== undefined);
    return ratio(withKey.length, all.length, what);
  };
  const bucketPolicies = tlsOnlyPolicies(cell, 'AWS::S3::BucketPolicy');
  const topicPolicies = tlsOnlyPolicies(cell, 'AWS::SNS::TopicPolicy');
  const queuePolicies = tlsOnlyPolicies(cell, 'AWS::SQS::QueuePolicy');
  return [
    {
      measure: 'SNS topics and SQS queues encrypted with a customer-managed key',
      evidence: `${encrypted('AWS::SNS::Topic', 'topics')}; ${encrypted('AWS::SQS::Queue', 'queues')}`,
    },
    {
      measure:
        'Encryption in transit: resource policies deny any request not sent over TLS (aws:SecureTransport)',
      evidence: [
        ratio(bucketPolicies.tlsOnly, bucketPolicies.total, 'bucket policies'),
        ratio(topicPolicies.tlsOnly, topicPolicies.total, 'topic policies'),
        ratio(queuePolicies.tlsOnly, queuePolicies.total, 'queue policies'),
      ].join('; '),
    },
  ];
}

function logMeasures(report: CellReport): SecurityMeasure[] {
  const groups = report.logGroups;
  const encrypted = groups.filter((g) => g.kmsKey !== undefined).length;
  const periods = [...new Set(groups.map((g) => g.retentionDays))].map((d) =>
    d === undefined ? 'never expires' : `${d} days`,
  );
  return [
    {
      measure: 'Logs encrypted and kept for a limited time, with no personal data in them',
      evidence: `${ratio(encrypted, groups.length, 'log groups')} KMS-encrypted; kept ${periods.join(', ')}`,
    },
  ];
}

function accessMeasures(cell: CellStacks): SecurityMeasure[] {
  const methods = resourcesOf(cell, 'AWS::ApiGateway::Method').filter(
    (m) => field(m.Properties, 'HttpMethod') !== 'OPTIONS',
  );
  const cognito = methods.filter((m) => field(m.Properties, 'AuthorizationType') === 'COGNITO_USER_POOLS');
  const acls = resourcesOf(cell, 'AWS::WAFv2::WebACL');
  const rules = acls.flatMap((acl) => list(field(acl.Properties, 'Rules')).filter(isObject));
  const associations = resourcesOf(cell, 'AWS::WAFv2::WebACLAssociation').length;
  const rateLimits = rules
    .map((rule) => num(field(rule, 'Statement', 'RateBasedStatement', 'Limit')))
    .filter((n) => n !== undefined);
  return [
    {
      measure:
        'API access only with OAuth client credentials (Amazon Cognito), each tenant resolved from its own client',
      evidence: `${ratio(cognito.length, methods.length, 'API methods')} require a Cognito token with a scope`,
    },
    {
      measure: 'AWS WAF in front of the API',
      evidence:
        `${acls.length} web ACL with ${rules.length} rules (${rules.map((r) => str(field(r, 'Name'))).join(', ')}), ` +
        `${associations} association with the API stage` +
        (rateLimits.length > 0 ? `; per-IP rate limit ${rateLimits.join(', ')} requests per 5 minutes` : ''),
    },
  ];
}

/** The technical measures of GDPR Art. 32(1) that a cell's synthesized templates show, with counts. */
export function securityMeasures(cell: CellStacks, report: CellReport): SecurityMeasure[] {
  return [
    ...keyMeasures(cell),
    ...storeMeasures(report),
    ...messagingMeasures(cell),
    ...logMeasures(report),
    ...accessMeasures(cell),
  ];
}
