import { App, Aspects, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import { CELLS_CONTEXT_KEY, cellsFromContext, type CellConfig } from './config';
import { RegionPinningCheck } from './constructs/region-pinning';
import { ApiStack } from './stacks/api-stack';
import { DataStack } from './stacks/data-stack';

/** Feature flags optline relies on, set in code so the app and its tests behave the same. */
export const FEATURE_FLAGS = {
  // Grant S3 server-access-log delivery through the bucket policy instead of a legacy ACL.
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  // Report error annotations (such as region pinning) through the validation report, so they fail synth
  // in memory (tests, local mode) exactly as they fail `cdk synth`.
  '@aws-cdk/core:annotationsInValidationReport': true,
  // Api stacks import Data stack values through CloudFormation exports, so a stateful resource cannot be
  // removed while a stateless stack still uses it.
  '@aws-cdk/core:defaultCrossStackReferences': 'strong',
  // Render the access-log destination as API Gateway stores it, so drift detection stays IN_SYNC.
  '@aws-cdk/aws-apigateway:logGroupDestinationArnWithoutWildcard': true,
  // A changed authorizer triggers a new deployment instead of lingering undeployed.
  '@aws-cdk/aws-apigateway:authorizerChangeDeploymentLogicalId': true,
} as const;

export function newOptlineApp(props: AppProps = {}): App {
  return new App({ ...props, context: { ...FEATURE_FLAGS, ...props.context } });
}

export interface Cell {
  readonly config: CellConfig;
  readonly data: DataStack;
  readonly api: ApiStack;
}

export const dataStackName = (cell: CellConfig): string => `Optline-${cell.name}-Data`;
export const apiStackName = (cell: CellConfig): string => `Optline-${cell.name}-Api`;

// The account stays unresolved unless the CLI provides one, so synth needs no credentials.
const cellEnv = (config: CellConfig) => ({ account: process.env.CDK_DEFAULT_ACCOUNT, region: config.region });

/** Adds a cell's stateful stack alone: local mode and the test harness read its tables from it. */
export function addDataStack(app: App, config: CellConfig): DataStack {
  const data = new DataStack(app, dataStackName(config), {
    env: cellEnv(config),
    cell: config,
    description: `optline ${config.name} cell (${config.regime}): stateful resources`,
  });
  Aspects.of(data).add(new RegionPinningCheck(config));
  return data;
}

/** Adds one cell's stacks to the app, each pinned to the cell's region. */
export function addCell(app: App, config: CellConfig): Cell {
  const env = cellEnv(config);
  const data = addDataStack(app, config);
  // Data stack resources are passed as constructs; CDK turns them into cross-stack references.
  const api = new ApiStack(app, apiStackName(config), {
    env,
    cell: config,
    tables: data.tables,
    subjectIdKey: data.subjectIdKey,
    logsKey: data.logsKey,
    cellKey: data.cellKey,
    deliveryEventsTopic: data.deliveryEventsTopic,
    inboundSmsTopic: data.inboundSmsTopic,
    exportBucket: data.exportBucket,
    optOutList: data.optOutList,
    description: `optline ${config.name} cell (${config.regime}): stateless resources`,
  });
  Aspects.of(api).add(new RegionPinningCheck(config));
  return { config, data, api };
}

/** The three compliance packs every synth runs; any unacknowledged finding fails synth. */
export function addSecurityChecks(app: App): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new NIST80053R5Checks(app),
    new HIPAASecurityChecks(app),
  );
}

/** The whole optline app: every configured cell, with the security packs on. `bin/app.ts` synthesizes this. */
export function buildOptlineApp(app: App = newOptlineApp()): { app: App; cells: Cell[] } {
  const cells = cellsFromContext(app.node.tryGetContext(CELLS_CONTEXT_KEY)).map((config) =>
    addCell(app, config),
  );
  addSecurityChecks(app);
  return { app, cells };
}
