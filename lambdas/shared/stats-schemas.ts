/**
 * The query and answer of `GET /v1/stats/daily` (DESIGN §11, issue 19). Like `schemas.ts`, these zod schemas
 * validate the request in the handler and make up the OpenAPI document: one definition each.
 */
import { DAILY_COUNTERS, MAX_STATS_DAYS, type DailyCounter } from '../domain/daily-stats';
import { isoDate } from './schemas';
import * as z from './zod';

/** `?from=&to=`: UTC days, both included. The range check (order, length) is the domain's, also a 400. */
export const dailyStatsQuery = z.object({
  from: isoDate.check(z.meta({ description: 'First day (UTC), included', examples: ['2026-11-01'] })),
  to: isoDate.check(
    z.meta({
      description: `Last day (UTC), included; not before from, and the range may span at most ${MAX_STATS_DAYS} days`,
      examples: ['2026-11-30'],
    }),
  ),
});
export type DailyStatsQuery = z.infer<typeof dailyStatsQuery>;

const COUNTER_DESCRIPTIONS: Readonly<Record<DailyCounter, string>> = {
  sent: "Outbound messages the channel accepted, optline's own replies and campaign messages included",
  delivered: 'Delivery receipts that marked a message delivered, on the day of the receipt',
  failed: 'Messages the channel refused, and delivery receipts that marked a message failed',
  inbound: 'Inbound messages received',
  optOuts: 'Opt-outs recorded (API, keyword, provider reconcile, objection), of everything or of a topic',
  optIns:
    'Opt-ins recorded: subscriptions and opt-ins after an opt-out; a double opt-in counts once, when requested',
  dsrReceived: 'Data-subject requests received',
  dsrCompleted: 'Data-subject requests completed (rejected ones are not counted)',
};

const count = (counter: DailyCounter) => z.int().check(z.gte(0), z.describe(COUNTER_DESCRIPTIONS[counter]));

export const dailyCounts = z.object({
  date: isoDate,
  ...(Object.fromEntries(DAILY_COUNTERS.map((counter) => [counter, count(counter)])) as Record<
    DailyCounter,
    ReturnType<typeof count>
  >),
});

const EXAMPLE_DAY = {
  sent: 1240,
  delivered: 1198,
  failed: 17,
  inbound: 86,
  optOuts: 9,
  optIns: 31,
  dsrReceived: 2,
  dsrCompleted: 1,
};

export const dailyStatsView = z
  .object({
    days: z
      .array(dailyCounts)
      .check(z.describe('Every day of the range, oldest first; a day with no activity has zeros')),
  })
  .check(
    z.meta({
      description:
        'Anonymised aggregates: counts only, no subject, phone number or body. They survive erasure and the purge.',
      examples: [
        {
          days: [
            { date: '2026-11-29', ...EXAMPLE_DAY },
            {
              date: '2026-11-30',
              sent: 0,
              delivered: 0,
              failed: 0,
              inbound: 0,
              optOuts: 0,
              optIns: 0,
              dsrReceived: 0,
              dsrCompleted: 0,
            },
          ],
        },
      ],
    }),
  );
export type DailyStatsView = z.infer<typeof dailyStatsView>;
