import { App, Aspects, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import { CELLS_CONTEXT_KEY, cellsFromContext, type CellConfig } from './config';
import { RegionPinningCheck } from './constructs/region-pinning';
import { FEATURE_FLAGS } from './feature-flags';
import { ApiStack } from './stacks/api-stack';
import { DataStack } from './stacks/data-stack';

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
    queueKey: data.queueKey,
    deliveryEventsTopic: data.deliveryEventsTopic,
    inboundSmsTopic: data.inboundSmsTopic,
    exportBucket: data.exportBucket,
    optOutList: data.optOutList,
    identities: data.identities,
    configurationSet: data.configurationSet,
    incidentTopics: data.incidentTopics.topics,
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
