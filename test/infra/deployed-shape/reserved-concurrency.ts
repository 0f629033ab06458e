import type { TemplateSet } from './template-set';

/**
 * Lambda keeps at least 100 concurrent executions of the account unreserved, and a new account may have a
 * concurrency quota of only 10, so any reservation makes CreateFunction fail there ("decreases account's
 * UnreservedConcurrentExecution below its minimum value").
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 *
 * Returns one line per function that reserves concurrency.
 */
export function functionsReservingConcurrency(templates: TemplateSet): string[] {
  return templates
    .ofType('AWS::Lambda::Function')
    .filter((fn) => fn.resource.Properties?.ReservedConcurrentExecutions !== undefined)
    .map(
      (fn) =>
        `${templates.label(fn)} reserves ${templates.render(fn.stack, fn.resource.Properties?.ReservedConcurrentExecutions)} concurrent executions`,
    )
    .sort();
}
