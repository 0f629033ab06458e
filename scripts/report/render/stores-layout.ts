import { describePeriod } from '../../../lambdas/domain/retention';
import type { BucketReport, Encryption, TableReport } from '../model';
import { days, heading, paragraph, tableOr, yesNo } from './blocks';
import { code, type Block, type Text } from './document';

/** Tables, buckets, and the retention category of each, with the period and its source. */
export function storeBlocks(tables: readonly TableReport[], buckets: readonly BucketReport[]): Block[] {
  return [
    heading(3, 'Data stores'),
    heading(4, 'DynamoDB tables'),
    tableOr(
      'None.',
      [
        'table',
        'encryption',
        'key rotation',
        'PITR',
        'TTL attribute',
        'deletion protection',
        'DeletionPolicy',
        'regions',
      ],
      tables.map((t) => [
        code(t.path),
        encryptionText(t.encryption),
        rotationText(t.encryption),
        yesNo(t.pointInTimeRecovery),
        t.ttlAttribute === undefined ? 'off' : code(t.ttlAttribute),
        yesNo(t.deletionProtection),
        t.deletionPolicy,
        t.regions.join(', '),
      ]),
    ),
    heading(4, 'S3 buckets'),
    tableOr(
      'None.',
      [
        'bucket',
        'encryption',
        'key rotation',
        'bucket key',
        'public access blocked',
        'versioning',
        'replication',
        'objects expire',
        'noncurrent versions expire',
        'access logs to',
      ],
      buckets.map((b) => [
        code(b.path),
        encryptionText(b.encryption),
        rotationText(b.encryption),
        yesNo(b.bucketKey),
        yesNo(b.publicAccessBlocked),
        yesNo(b.versioning),
        yesNo(b.replication),
        days(b.expirationDays, 'never'),
        b.versioning ? days(b.noncurrentExpirationDays, 'never') : '–',
        b.accessLogsTo === undefined ? 'not logged' : code(b.accessLogsTo),
      ]),
    ),
    heading(4, 'Retention'),
    paragraph(['Categories, periods and sources from ', code('lambdas/domain/retention.ts'), '.']),
    tableOr(
      'No stores.',
      ['store', 'category', 'kept for', 'counted from', 'source'],
      [...tables, ...buckets].flatMap((store): Text[][] =>
        store.retention.length === 0
          ? [[code(store.path), 'none', '–', '–', '–']]
          : store.retention.map((category) => [
              code(store.path),
              [category.title, ' (', code(category.id), ')'],
              describePeriod(category.period),
              category.countedFrom,
              category.source,
            ]),
      ),
    ),
  ];
}

function encryptionText(encryption: Encryption): Text {
  switch (encryption.kind) {
    case 'customer-managed':
      return ['KMS ', code(encryption.key)];
    case 'aws-managed':
      return 'KMS, AWS managed key';
    case 'aws-owned':
      return 'AWS owned key';
    case 's3-managed':
      return 'SSE-S3';
  }
}

function rotationText(encryption: Encryption): string {
  if (encryption.kind !== 'customer-managed') return '–';
  return encryption.rotation === undefined ? 'unknown' : yesNo(encryption.rotation);
}
