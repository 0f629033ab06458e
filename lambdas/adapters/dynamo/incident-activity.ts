/**
 * How much of a tenant's data an incident window holds, from bounded queries only: the DailyStats key range of
 * the window's days, and the AuditLog's day partitions (`T#<tenant>#D#<day>`), one query each; nothing table-wide.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StoredCounts } from '../../domain/daily-stats';
import type { ActivitySource } from '../../domain/incidents';
import { isExpired } from '../../domain/retention';
import { DynamoDailyStatsReader } from './daily-stats';
import { auditPk } from './keys';
import { KeyedTable } from './query-only';

export class DynamoIncidentActivity implements ActivitySource {
  private readonly stats: DynamoDailyStatsReader;
  private readonly audit: KeyedTable;

  constructor(
    db: DynamoDBDocumentClient,
    tables: { readonly DailyStats: string; readonly AuditLog: string },
    private readonly clock: () => Date,
  ) {
    this.stats = new DynamoDailyStatsReader(db, tables.DailyStats, clock);
    this.audit = new KeyedTable(db, tables.AuditLog);
  }

  dailyCounts(tenantId: string, fromDay: string, toDay: string): Promise<StoredCounts> {
    return this.stats.countsByDay(tenantId, fromDay, toDay);
  }

  async auditActivity(
    tenantId: string,
    days: readonly string[],
  ): Promise<{ records: number; subjects: number }> {
    const now = this.clock();
    const subjects = new Set<string>();
    let records = 0;
    for (const day of days) {
      const items = await this.audit.query({
        keyCondition: 'pk = :pk',
        values: { ':pk': auditPk(tenantId, day) },
        // Only what is counted: never the entries themselves.
        projection: 'subjectId, expiresAt',
      });
      for (const item of items) {
        if (isExpired(item, now)) continue;
        records += 1;
        if (typeof item.subjectId === 'string') subjects.add(item.subjectId);
      }
    }
    return { records, subjects: subjects.size };
  }
}
