import type { DynamoDBRecord } from 'aws-lambda';
import { profileOfKey } from '../../lambdas/adapters/dynamo/purge-store';
import { isTtlDelete } from '../../lambdas/api/ttl-backstop';
import { addDays, bucketComplete, bucketsToWalk, dayOf } from '../../lambdas/domain/purge';
import { expiresAt, purgeDayOf } from '../../lambdas/domain/retention';
import { GRACE_DAYS, sweepWindow } from '../../lambdas/domain/retention-sweep';

describe('purge buckets', () => {
  it('walks from the day after the watermark through today, crossing months and leap days', () => {
    expect(bucketsToWalk('2028-02-27', new Date('2028-03-01T03:00:00Z'), 30)).toEqual([
      '2028-02-28',
      '2028-02-29',
      '2028-03-01',
    ]);
  });

  it('walks only today when the watermark is yesterday, and nothing when it is already today', () => {
    expect(bucketsToWalk('2029-01-09', new Date('2029-01-10T03:00:00Z'), 30)).toEqual(['2029-01-10']);
    expect(bucketsToWalk('2029-01-10', new Date('2029-01-10T03:00:00Z'), 30)).toEqual([]);
  });

  it('looks back the given number of days on a first run', () => {
    const days = bucketsToWalk(undefined, new Date('2029-01-31T03:00:00Z'), 30);
    expect(days).toHaveLength(31);
    expect(days[0]).toBe('2029-01-01');
    expect(days.at(-1)).toBe('2029-01-31');
  });

  it('lets the watermark pass a bucket only once all of its day is due', () => {
    expect(bucketComplete('2029-01-09', new Date('2029-01-10T00:00:00Z'))).toBe(true);
    expect(bucketComplete('2029-01-10', new Date('2029-01-10T23:59:59Z'))).toBe(false);
  });

  it('puts a profile in the bucket of its expiry day, end-of-month rule included', () => {
    const ttl = expiresAt('subscriberProfile', new Date('2025-05-31T22:00:00Z'));
    expect(purgeDayOf(ttl)).toBe('2028-05-31');
    expect(purgeDayOf(expiresAt('subscriberProfile', new Date('2024-02-29T10:00:00Z')))).toBe('2027-02-28');
    expect(dayOf(new Date('2027-02-28T23:59:59Z'))).toBe('2027-02-28');
    expect(addDays('2027-03-01', -1)).toBe('2027-02-28');
  });
});

describe('keys the purge and the backstop act on', () => {
  it('takes a subscriber profile key and nothing else', () => {
    expect(profileOfKey('T#demo', 'S#abc_-1')).toEqual({ tenantId: 'demo', subjectId: 'abc_-1' });
    expect(profileOfKey('T#demo', 'S#abc#MKT')).toBeUndefined();
    expect(profileOfKey('T#demo#S#abc', '2026-01-01T00:00:00Z#m1')).toBeUndefined();
    expect(profileOfKey('JOB#purge-inactive', 'WATERMARK')).toBeUndefined();
    expect(profileOfKey(undefined, 'S#abc')).toBeUndefined();
  });

  it('cascades only deletes made by DynamoDB TTL itself', () => {
    const record = (extra: Partial<DynamoDBRecord>): DynamoDBRecord => ({ eventName: 'REMOVE', ...extra });
    const ttl = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };
    expect(isTtlDelete(record({ userIdentity: ttl }))).toBe(true);
    expect(isTtlDelete(record({}))).toBe(false);
    expect(
      isTtlDelete(record({ userIdentity: { type: 'Service', principalId: 'lambda.amazonaws.com' } })),
    ).toBe(false);
    expect(isTtlDelete(record({ eventName: 'MODIFY', userIdentity: ttl }))).toBe(false);
  });
});

describe('the retention sweep window', () => {
  it('counts as overdue what expired more than 3 days ago, in the buckets up to that day', () => {
    const window = sweepWindow(new Date('2029-06-10T04:00:00Z'), 35);
    expect(GRACE_DAYS).toBe(3);
    expect(window.cutoff).toBe(Date.parse('2029-06-07T04:00:00Z') / 1000);
    expect(window.profileDays).toHaveLength(36);
    expect(window.profileDays[0]).toBe('2029-05-03');
    expect(window.profileDays.at(-1)).toBe('2029-06-07');
  });

  it('reads the AuditLog partitions of 5 years earlier, one day further for the end-of-month rule', () => {
    const window = sweepWindow(new Date('2029-03-03T04:00:00Z'), 7);
    // Cutoff 2029-02-28: an entry of 2024-02-29 expires on 2029-02-28 (end-of-month rule).
    expect(window.auditDays.at(-1)).toBe('2024-02-29');
    expect(window.auditDays).toHaveLength(8);
    expect(purgeDayOf(expiresAt('auditEvents', new Date('2024-02-29T12:00:00Z')))).toBe('2029-02-28');
  });
});
