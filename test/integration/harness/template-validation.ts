/**
 * The integration tests synthesize the Data stack only to read its table definitions
 * (local/table-definitions.ts). CDK's built-in CloudFormation validation of that template takes seconds per
 * synth (a WebAssembly engine is loaded into every test file) and proves nothing here: the infra tests
 * synthesize and validate the same template, and so does `cdk synth` in CI. `CDK_VALIDATION=false` is CDK's
 * switch for it (see `builtinCloudFormationValidation` in AppProps,
 * https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.AppProps.html).
 */
const SWITCH = 'CDK_VALIDATION';

/** Turns the validation off for the rest of this process (a jest test file's own environment). */
export function turnOffTemplateValidation(): void {
  process.env[SWITCH] = 'false';
}

/** Runs `synthesize` with the validation off, then restores the variable for the rest of the process. */
export function withoutTemplateValidation<T>(synthesize: () => T): T {
  const before = process.env[SWITCH];
  turnOffTemplateValidation();
  try {
    return synthesize();
  } finally {
    if (before === undefined) delete process.env[SWITCH];
    else process.env[SWITCH] = before;
  }
}
