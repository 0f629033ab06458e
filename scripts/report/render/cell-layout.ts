import { describePeriod, effectiveSchedule } from '../../../lambdas/domain/retention';
import type { CellReport } from '../model';
import { days, heading, joined, list, paragraph, tableOr } from './blocks';
import { code, type Block, type Inline } from './document';
import { grantBlocks } from './grants-layout';
import { storeBlocks } from './stores-layout';

export const regionsOf = (cell: CellReport): string[] => [
  ...new Set(cell.stacks.map((stack) => stack.region)),
];

/** Everything about one cell, deviations first so a reviewer sees what needs attention before the detail. */
export function cellBlocks(cell: CellReport): Block[] {
  const schedule = effectiveSchedule(cell.retentionOverrides);
  const serviceLogs = schedule.find((category) => category.id === 'serviceLogs')!;
  const overridden = schedule.filter((category) => category.override);
  return [
    heading(2, ['Cell ', code(cell.name)]),
    list([
      `Region: ${regionsOf(cell).join(', ')}`,
      [
        'Stacks: ',
        ...cell.stacks.flatMap((stack, i): Inline[] => [
          ...(i === 0 ? [] : [', ']),
          code(stack.name),
          ` (${stack.environment})`,
        ]),
      ],
    ]),
    ...(overridden.length === 0
      ? []
      : [
          heading(3, 'Retention overrides'),
          list(
            overridden.map((category): Inline[] => [
              code(category.id),
              `: ${describePeriod(category.period)} instead of ${describePeriod(category.override!.replaces)} (${category.override!.source})`,
            ]),
          ),
        ]),
    heading(3, 'Deviations from the baseline'),
    cell.deviations.length === 0
      ? paragraph('None: every check of the security baseline and the retention schedule passes.')
      : list(cell.deviations),
    ...storeBlocks(cell.tables, cell.buckets),
    heading(3, 'Log groups'),
    paragraph(
      `Service logs are kept ${describePeriod(serviceLogs.period)} (${serviceLogs.override?.source ?? serviceLogs.source}).`,
    ),
    tableOr(
      'None.',
      ['log group', 'name', 'retention', 'KMS key'],
      cell.logGroups.map((g) => [
        code(g.path),
        g.name === undefined ? 'generated' : code(g.name),
        days(g.retentionDays, 'never expires'),
        g.kmsKey === undefined ? 'none' : code(g.kmsKey),
      ]),
    ),
    heading(3, 'Schedules'),
    tableOr(
      'None.',
      ['schedule', 'kind', 'name', 'expression', 'time zone', 'state', 'targets'],
      cell.schedules.map((s) => [
        code(s.path),
        s.kind,
        s.name === undefined ? 'generated' : code(s.name),
        code(s.expression),
        s.timezone,
        s.state,
        joined(s.targets),
      ]),
    ),
    heading(3, 'IAM grants per Lambda function'),
    ...(cell.functions.length === 0 ? [paragraph('None.')] : cell.functions.flatMap(grantBlocks)),
    heading(3, 'Security acknowledgements'),
    tableOr(
      'None.',
      ['resource', 'scanner', 'rules', 'reason'],
      cell.acknowledgements.map((a) => [
        code(a.resource),
        a.scanner,
        joined(a.rules),
        a.reason === '' ? '(no reason given)' : a.reason,
      ]),
    ),
  ];
}
