import { buildOptlineApp, newOptlineApp } from '../../../lib/optline-app';
import { TemplateSet } from './template-set';

/** The stacks `npx cdk deploy` creates for the default cells, in the order the checks expect them. */
export const DEFAULT_STACKS = ['Optline-eu-Api', 'Optline-eu-Data', 'Optline-us-Api', 'Optline-us-Data'];

/**
 * Synthesizes the whole default app as `bin/app.ts` does, except that no handler is bundled (the checks read
 * templates, not function code; CI bundles every handler in `npm run bench -- --quick` and `cdk synth`) and that
 * CDK's CloudFormation validation is off (security-packs.test.ts asserts it on this same app).
 */
export const synthesizeDefaultCells = (): TemplateSet =>
  TemplateSet.fromApp(
    buildOptlineApp(
      newOptlineApp({ builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } }),
    ).app,
  );
