import type { StackArtifact } from '../assembly';
import { field, isObject, list, sortedBy, str } from '../cfn';
import type { ScheduleReport } from '../model';
import type { References } from '../references';
import { resourcesOfType } from './resources';

/**
 * EventBridge Scheduler schedules, and EventBridge rules that run on a schedule rather than an event pattern:
 * the two ways a scheduled job (purges, DSR deadlines) can be wired.
 */
export function collectSchedules(stacks: readonly StackArtifact[], refs: References): ScheduleReport[] {
  const render = (value: unknown, stack: string) => refs.render(value, stack);
  const schedules = resourcesOfType(stacks, refs, 'AWS::Scheduler::Schedule').map(
    (schedule): ScheduleReport => {
      const props = schedule.properties;
      return {
        path: schedule.path,
        kind: 'EventBridge Scheduler',
        name: props.Name === undefined ? undefined : render(props.Name, schedule.stack),
        expression: render(props.ScheduleExpression, schedule.stack),
        // Scheduler evaluates cron and rate expressions in UTC unless a time zone is given.
        timezone: str(props.ScheduleExpressionTimezone) ?? 'UTC',
        state: str(props.State) ?? 'ENABLED',
        targets: [refs.label(field(props, 'Target', 'Arn'), schedule.stack)],
      };
    },
  );
  const rules = resourcesOfType(stacks, refs, 'AWS::Events::Rule')
    .filter((rule) => rule.properties.ScheduleExpression !== undefined)
    .map((rule): ScheduleReport => ({
      path: rule.path,
      kind: 'EventBridge rule',
      name: rule.properties.Name === undefined ? undefined : render(rule.properties.Name, rule.stack),
      expression: render(rule.properties.ScheduleExpression, rule.stack),
      // Scheduled rules have no time zone setting: they always run in UTC.
      timezone: 'UTC',
      state: str(rule.properties.State) ?? 'ENABLED',
      targets: list(rule.properties.Targets)
        .filter(isObject)
        .map((target) => refs.label(target.Arn, rule.stack)),
    }));
  return [...schedules, ...rules].sort(sortedBy((item) => item.path));
}
