/** Route action of the statistics route: a tenant's anonymised daily counts over a range of days. */
import { DynamoDailyStatsReader } from '../adapters/dynamo/daily-stats';
import { dailyStats } from '../domain/daily-stats';
import type { DailyStatsQuery, DailyStatsView } from '../shared/stats-schemas';
import type { RouteAction } from './api-handler';
import type { STATS_TABLES } from './function-tables';
import type { Ports } from './ports';

export type StatsPorts = Omit<Ports<(typeof STATS_TABLES)[number]>, 'subjectIds'>;

export function statsActions(ports: StatsPorts): Record<string, RouteAction> {
  const reader = new DynamoDailyStatsReader(ports.db, ports.tables.DailyStats, ports.clock);
  return {
    async getDailyStats(request) {
      const range = request.query as DailyStatsQuery;
      const body: DailyStatsView = { days: await dailyStats(reader, request.caller.tenantId, range) };
      return { statusCode: 200, body };
    },
  };
}
