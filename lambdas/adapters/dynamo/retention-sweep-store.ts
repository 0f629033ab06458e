/**
 * Bounded reads for the retention sweep: one index bucket or one AuditLog partition per Query, counting the
 * items whose `expiresAt` lies before a cutoff (`Select: COUNT`, so no item data is returned); it never scans.
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RetentionSweepStore } from '../../domain/retention-sweep';
import { PURGE_DAY_INDEX } from './purge-store';

type Tables = { readonly Subscribers: string; readonly AuditLog: string };

export class DynamoRetentionSweepStore implements RetentionSweepStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Tables,
  ) {}

  /** Profiles of the `ByPurgeDay` bucket `day` that expired at or before `cutoff`. */
  async overdueProfiles(day: string, cutoff: number): Promise<number> {
    return this.count({
      TableName: this.tables.Subscribers,
      IndexName: PURGE_DAY_INDEX,
      KeyConditionExpression: 'purgeDay = :day AND expiresAt <= :cutoff',
      ExpressionAttributeValues: { ':day': day, ':cutoff': cutoff },
    });
  }

  /** Audit entries of one tenant's day partition that expired at or before `cutoff`. */
  async overdueAuditEntries(tenantId: string, day: string, cutoff: number): Promise<number> {
    return this.count({
      TableName: this.tables.AuditLog,
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: 'expiresAt <= :cutoff',
      ExpressionAttributeValues: { ':pk': `T#${tenantId}#D#${day}`, ':cutoff': cutoff },
    });
  }

  private async count(input: ConstructorParameters<typeof QueryCommand>[0]): Promise<number> {
    let total = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({ ...input, Select: 'COUNT', ExclusiveStartKey: startKey }),
      );
      total += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return total;
  }
}
