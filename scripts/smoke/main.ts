/**
 * `npm run smoke`: the end-to-end flow of scripts/smoke/flow.ts against a local server (the default) or a
 * deployed cell (see options.ts for the flags). Prints one line per step and exits 1 on the first failure,
 * with what was expected and what came back; exit 2 is a command line that cannot run.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { SmokeTarget } from './api-client';
import { configuredRegion, deployedTarget } from './deployed-target';
import { runSmokeFlow, SmokeStepFailed } from './flow';
import { parseSmokeArgs, USAGE, UsageError, type SmokeRun } from './options';

async function targetOf(run: SmokeRun): Promise<{ target: SmokeTarget; what: string }> {
  if (run.mode === 'local') {
    return { target: { baseUrl: run.url, token: run.token }, what: `local server ${run.url}` };
  }
  const region = run.region ?? configuredRegion(run.cell);
  if (!region) {
    throw new UsageError(`cell ${run.cell} is not in the cell configuration (cdk.json): add --region`);
  }
  const cloudFormation = new CloudFormationClient({ region });
  const cognito = new CognitoIdentityProviderClient({ region });
  try {
    const target = await deployedTarget(
      { cell: run.cell, tenant: run.tenant, ...(run.client ? { client: run.client } : {}) },
      { cloudFormation, cognito },
    );
    return { target, what: `cell ${run.cell} (${region}), tenant ${run.tenant}: ${target.baseUrl}` };
  } finally {
    cloudFormation.destroy();
    cognito.destroy();
  }
}

/** An error as one line: its message and, for a failed fetch, the reason underneath (such as ECONNREFUSED). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}

async function main(): Promise<number> {
  let run: SmokeRun;
  try {
    run = parseSmokeArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${describe(error)}\n${USAGE}`);
    return 2;
  }
  try {
    const { target, what } = await targetOf(run);
    console.log(`optline smoke test against ${what}`);
    await runSmokeFlow(target, { log: (line) => console.log(line), waitMs: run.waitMs });
    console.log('smoke test passed');
    return 0;
  } catch (error) {
    if (error instanceof SmokeStepFailed) {
      console.error(
        `FAILED at step "${error.step}"\n  expected: ${error.expected}\n  got:      ${error.received}`,
      );
    } else if (error instanceof UsageError) {
      console.error(`${error.message}\n${USAGE}`);
      return 2;
    } else {
      console.error(`smoke test failed: ${describe(error)}`);
    }
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
