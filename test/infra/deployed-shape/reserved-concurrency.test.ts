import { App, Stack } from 'aws-cdk-lib';
import { Code, Function, Runtime } from 'aws-cdk-lib/aws-lambda';
import { DEFAULT_STACKS, synthesizeDefaultCells } from './default-cells';
import { functionsReservingConcurrency } from './reserved-concurrency';
import { TemplateSet } from './template-set';

// Rule: Lambda keeps 100 concurrent executions unreserved and a new account may have a quota of 10, so any
// reservation fails CreateFunction on a fresh account.
// https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
// https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html

const fixture = (reserved?: number): TemplateSet => {
  const app = new App();
  const stack = new Stack(app, 'Fixture', { env: { region: 'eu-west-1' } });
  new Function(stack, 'Job', {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => undefined;'),
    reservedConcurrentExecutions: reserved,
  });
  return TemplateSet.fromApp(app);
};

describe('reserved concurrency (fresh accounts deploy)', () => {
  // GIVEN the default cells, synthesized once for the file
  const templates = synthesizeDefaultCells();

  it('reads all four stacks of the default cells', () => {
    expect(templates.stacks.map((s) => s.stackName).sort()).toEqual(DEFAULT_STACKS);
    expect(templates.ofType('AWS::Lambda::Function').length).toBeGreaterThan(0);
  });

  it('reserves no concurrency for any function of the default cells', () => {
    expect(functionsReservingConcurrency(templates)).toEqual([]);
  });

  it('reports a function that reserves concurrency, and passes one that does not', () => {
    expect(functionsReservingConcurrency(fixture(2))).toEqual([
      'Fixture/Job reserves 2 concurrent executions',
    ]);
    expect(functionsReservingConcurrency(fixture())).toEqual([]);
  });
});
