/**
 * How far a cell may move a category's period away from the schedule (DESIGN §12), per regime, and why.
 *
 * A category without bounds here cannot be overridden: its period is fixed by the schedule (accounting records,
 * audit events, idempotency) or it has none (opt-out suppression). Pure module, like the schedule itself.
 */
import type { Regime } from './regimes';
import {
  describePeriod,
  RETENTION,
  type PeriodUnit,
  type RetentionCategoryId,
  type RetentionPeriod,
} from './retention';

export interface PeriodBounds {
  readonly min: RetentionPeriod;
  readonly max: RetentionPeriod;
  /** Where each bound comes from. */
  readonly source: string;
}

const months = (count: number): RetentionPeriod => ({ count, unit: 'months' });
const years = (count: number): RetentionPeriod => ({ count, unit: 'years' });
const days = (count: number): RetentionPeriod => ({ count, unit: 'days' });

const TWO_YEARS_OF_TRAFFIC =
  'at most 24 months: MessageBird/Bird privacy policy §7.1, "retention obligations for telecommunication ' +
  'service providers … may be up to two years"; at least 6 months, the schedule\'s period, since the ' +
  'frequency cap looks up to 180 days back in the message log (DESIGN §10)';

/** Bounds both regimes share. */
const COMMON: Readonly<Partial<Record<RetentionCategoryId, PeriodBounds>>> = {
  subscriberProfile: {
    min: months(1),
    max: months(36),
    source:
      'at most 36 months of inactivity: MASS privacy policy ("not … interacted … for 36 months … delete"); ' +
      'a shorter period keeps less (storage limitation, GDPR Art. 5(1)(e))',
  },
  marketingAttributes: {
    min: months(1),
    max: months(12),
    source: 'at most 12 months: MessageBird/Bird privacy policy §7.3; a shorter period keeps less',
  },
  messageTraffic: { min: months(6), max: months(24), source: TWO_YEARS_OF_TRAFFIC },
  campaignRecords: {
    min: months(6),
    max: months(24),
    source: `a campaign is message content sent to many, so it has the bounds of message traffic: ${TWO_YEARS_OF_TRAFFIC}`,
  },
  dsrExportFiles: {
    min: days(1),
    max: days(30),
    source:
      'at least a day to download; at most 30 days, so the copy does not outlive the one-month answer it ' +
      'belongs to (GDPR Art. 12(3))',
  },
  serviceLogs: {
    min: days(30),
    max: days(365),
    source:
      'at least 30 days to investigate an incident; at most a year, as the logs serve operations only ' +
      '(storage limitation, GDPR Art. 5(1)(e))',
  },
  tableBackups: {
    min: days(1),
    max: days(35),
    source:
      'DynamoDB point-in-time recovery keeps 1 to 35 days (RecoveryPeriodInDays, ' +
      'https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PointInTimeRecoverySpecification.html)',
  },
};

export const RETENTION_BOUNDS: Readonly<
  Record<Regime, Readonly<Partial<Record<RetentionCategoryId, PeriodBounds>>>>
> = {
  GDPR: {
    ...COMMON,
    consentProof: {
      min: years(5),
      max: years(10),
      source:
        'at least 5 years: MessageBird/Bird privacy policy §7.4, to demonstrate consent (GDPR Art. 7(1)); at ' +
        'most 10 years, the longest period of the schedule',
    },
    dsrRecord: {
      min: years(5),
      max: years(10),
      source:
        'at least 5 years: MessageBird/Bird privacy policy §7.4 (accountability, GDPR Art. 5(2)); at most 10 ' +
        'years, the longest period of the schedule',
    },
  },
  CCPA: {
    ...COMMON,
    consentProof: {
      min: years(4),
      max: years(10),
      source:
        'at least 4 years, the time a TCPA claim may be brought (28 U.S.C. § 1658(a)); at most 10 years, the ' +
        'longest period of the schedule',
    },
    dsrRecord: {
      min: months(24),
      max: years(10),
      source:
        'at least 24 months: CCPA Regulations § 7101(a) (records of consumer requests); at most 10 years, the ' +
        'longest period of the schedule',
    },
  },
};

/**
 * Calendar periods (months, years) and fixed ones (hours, days) cannot be compared exactly, so each category is
 * overridden in the kind of unit its bounds use.
 */
const CALENDAR: ReadonlySet<PeriodUnit> = new Set(['months', 'years']);
const inSmallestUnit = (period: RetentionPeriod): number =>
  period.count * ({ hours: 1, days: 24, months: 1, years: 12 } as const)[period.unit];

/** A proposed override as the cell configuration gives it, before it is known to be valid. */
export interface ProposedOverride {
  readonly period: RetentionPeriod;
  readonly source: string;
}

export interface OverrideProblem {
  /** The key the problem is about, as written in the configuration. */
  readonly category: string;
  readonly message: string;
}

/**
 * What is wrong with a cell's retention overrides: an unknown category, one that cannot be overridden, a blank
 * source, or a period outside the regime's bounds. Empty when they are valid.
 */
export function overrideProblems(
  regime: Regime,
  overrides: Readonly<Record<string, ProposedOverride>>,
): OverrideProblem[] {
  const problems: OverrideProblem[] = [];
  for (const [category, { period, source }] of Object.entries(overrides)) {
    const fail = (message: string) => problems.push({ category, message });
    if (!Object.hasOwn(RETENTION, category)) {
      fail(`is not a retention category (known: ${Object.keys(RETENTION).join(', ')})`);
      continue;
    }
    if (source.trim() === '') fail('needs a source: the law, contract or policy that sets this period');
    const bounds = RETENTION_BOUNDS[regime][category as RetentionCategoryId];
    if (!bounds) {
      fail(`cannot be overridden in a ${regime} cell: its period is fixed by the retention schedule`);
      continue;
    }
    if (CALENDAR.has(period.unit) !== CALENDAR.has(bounds.max.unit)) {
      fail(`must be given in ${CALENDAR.has(bounds.max.unit) ? 'months or years' : 'days or hours'}`);
      continue;
    }
    const length = inSmallestUnit(period);
    if (length < inSmallestUnit(bounds.min) || length > inSmallestUnit(bounds.max)) {
      fail(
        `${describePeriod(period)} is outside the ${regime} bounds of ${describePeriod(bounds.min)} to ` +
          `${describePeriod(bounds.max)} (${bounds.source})`,
      );
    }
  }
  return problems;
}
