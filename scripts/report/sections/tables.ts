import type { StackArtifact } from '../assembly';
import { bool, field, isObject, list, str } from '../cfn';
import type { Encryption, TableReport } from '../model';
import type { References } from '../references';
import { kmsEncryption } from './keys';
import { resourcesOfType, type Located } from './resources';
import { retentionCategoriesOf } from './retention';

/**
 * DynamoDB tables with their protection settings and retention categories. A `GlobalTable` keeps PITR,
 * deletion protection and the KMS key on each replica, a `Table` at the top level; both are read.
 */
export function collectTables(stacks: readonly StackArtifact[], refs: References): TableReport[] {
  return resourcesOfType(stacks, refs, 'AWS::DynamoDB::GlobalTable', 'AWS::DynamoDB::Table').map((table) => {
    const props = table.properties;
    const isGlobal = table.resource.Type === 'AWS::DynamoDB::GlobalTable';
    // A plain table is its own single "replica" in the stack's region.
    const replicas = isGlobal ? list(props.Replicas).filter(isObject) : [props];
    const all = (...keys: string[]) =>
      replicas.length > 0 && replicas.every((replica) => bool(field(replica, ...keys)) === true);
    const ttlOn = bool(field(props, 'TimeToLiveSpecification', 'Enabled')) === true;
    return {
      path: table.path,
      type: table.resource.Type,
      encryption: tableEncryption(table, replicas, refs),
      pointInTimeRecovery: all('PointInTimeRecoverySpecification', 'PointInTimeRecoveryEnabled'),
      deletionProtection: all('DeletionProtectionEnabled'),
      ttlAttribute: ttlOn ? str(field(props, 'TimeToLiveSpecification', 'AttributeName')) : undefined,
      deletionPolicy: table.resource.DeletionPolicy ?? 'Delete',
      regions: isGlobal
        ? replicas.map((replica) => refs.render(replica.Region, table.stack)).sort()
        : [regionOfStack(stacks, table.stack)],
      retention: retentionCategoriesOf(table.path, table.logicalId),
    };
  });
}

function tableEncryption(
  table: Located,
  replicas: readonly Readonly<Record<string, unknown>>[],
  refs: References,
): Encryption {
  if (bool(field(table.properties, 'SSESpecification', 'SSEEnabled')) !== true) return { kind: 'aws-owned' };
  const key = replicas
    .map((replica) => field(replica, 'SSESpecification', 'KMSMasterKeyId'))
    .find((value) => value !== undefined);
  return key === undefined ? { kind: 'aws-managed' } : kmsEncryption(key, table.stack, refs);
}

const regionOfStack = (stacks: readonly StackArtifact[], name: string): string =>
  stacks.find((stack) => stack.name === name)?.region ?? 'unknown';
