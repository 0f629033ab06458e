import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { Stack, type CfnElement } from 'aws-cdk-lib';
import type { TableId } from '../lambdas/shared/env';
import { CELLS_CONTEXT_KEY, cellsFromContext, type CellConfig } from '../lib/config';
import { addDataStack, newOptlineApp } from '../lib/optline-app';
import { TABLE_IDS } from '../lib/stacks/data-stack';

export interface LocalTableDefinition {
  readonly id: TableId;
  readonly create: CreateTableCommandInput;
  /** TTL attribute, enabled with UpdateTimeToLive after the table exists. */
  readonly ttlAttribute?: string;
}

interface GlobalTableProperties {
  KeySchema: CreateTableCommandInput['KeySchema'];
  AttributeDefinitions: CreateTableCommandInput['AttributeDefinitions'];
  GlobalSecondaryIndexes?: Array<{ IndexName: string; KeySchema: unknown; Projection: unknown }>;
  StreamSpecification?: { StreamViewType: string };
  TimeToLiveSpecification?: { AttributeName: string; Enabled: boolean };
}

/**
 * The cell's table definitions, read from the synthesized Data stack template so local mode and
 * integration tests can never drift from what `cdk deploy` creates. Table names are `<prefix><TableId>`.
 */
export function localTableDefinitions(
  cellName = 'eu',
  prefix = '',
  configured?: readonly CellConfig[],
): LocalTableDefinition[] {
  const app = newOptlineApp();
  const cells = configured ?? cellsFromContext(app.node.tryGetContext(CELLS_CONTEXT_KEY));
  const config: CellConfig | undefined = cells.find((c) => c.name === cellName);
  if (!config) throw new Error(`Unknown cell "${cellName}" (known: ${cells.map((c) => c.name).join(', ')})`);
  const data = addDataStack(app, config);
  const template = app.synth().getStackByName(data.stackName).template as {
    Resources: Record<string, { Type: string; Properties: GlobalTableProperties }>;
  };

  return TABLE_IDS.map((id) => {
    const logicalId = Stack.of(data).getLogicalId(data.tables[id].node.defaultChild as CfnElement);
    const resource = template.Resources[logicalId];
    if (resource?.Type !== 'AWS::DynamoDB::GlobalTable') {
      throw new Error(`Table ${id} (${logicalId}) is not in the synthesized template`);
    }
    const p = resource.Properties;
    return {
      id,
      ttlAttribute: p.TimeToLiveSpecification?.Enabled ? p.TimeToLiveSpecification.AttributeName : undefined,
      create: {
        TableName: `${prefix}${id}`,
        KeySchema: p.KeySchema,
        AttributeDefinitions: p.AttributeDefinitions,
        BillingMode: 'PAY_PER_REQUEST',
        GlobalSecondaryIndexes: p.GlobalSecondaryIndexes as CreateTableCommandInput['GlobalSecondaryIndexes'],
        StreamSpecification: p.StreamSpecification
          ? { StreamEnabled: true, StreamViewType: p.StreamSpecification.StreamViewType as 'KEYS_ONLY' }
          : undefined,
      },
    };
  });
}
