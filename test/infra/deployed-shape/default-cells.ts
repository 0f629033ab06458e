import { buildOptlineApp, newOptlineApp } from '../../../lib/optline-app';
import { TemplateSet } from './template-set';

/** The stacks `npx cdk deploy` creates for the default cells, in the order the checks expect them. */
export const DEFAULT_STACKS = ['Optline-eu-Api', 'Optline-eu-Data', 'Optline-us-Api', 'Optline-us-Data'];

/** Synthesizes the whole default app (slow: it bundles every handler), as `bin/app.ts` does. */
export const synthesizeDefaultCells = (): TemplateSet =>
  TemplateSet.fromApp(buildOptlineApp(newOptlineApp()).app);
