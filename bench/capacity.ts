/**
 * Counts DynamoDB capacity units: every command sent through a counted client asks for
 * `ReturnConsumedCapacity: TOTAL`, and the units are summed per table and, by command, into reads and writes.
 * Units are deterministic for a given item size and map straight to cost, unlike timings. Also the one seeding
 * helper of the measurements.
 */
import type { ConsumedCapacity, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The commands whose units are read units; every other counted command writes. */
const READ_COMMANDS = new Set([
  'GetItemCommand',
  'BatchGetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'TransactGetItemsCommand',
]);

export class CapacityCounter {
  private readonly byTable = new Map<string, number>();
  /** Read units since the last reset, all tables. */
  reads = 0;
  /** Write units since the last reset, all tables. */
  writes = 0;

  /** Adds the counting middleware to a low-level client (document clients built from it are counted too). */
  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { ReturnConsumedCapacity?: string };
        input.ReturnConsumedCapacity = 'TOTAL';
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] })
          .ConsumedCapacity;
        const isRead = READ_COMMANDS.has(context.commandName ?? '');
        for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
          const table = entry.TableName ?? '?';
          const units = entry.CapacityUnits ?? 0;
          this.byTable.set(table, (this.byTable.get(table) ?? 0) + units);
          if (isRead) this.reads += units;
          else this.writes += units;
        }
        return result;
      },
      { step: 'initialize', name: 'optlineCapacityCounter' },
    );
  }

  reset(): void {
    this.byTable.clear();
    this.reads = 0;
    this.writes = 0;
  }

  /** Units per table, with the table prefix removed. */
  snapshot(prefix: string): Record<string, number> {
    return Object.fromEntries([...this.byTable].map(([table, units]) => [table.replace(prefix, ''), units]));
  }

  total(): number {
    return [...this.byTable.values()].reduce((a, b) => a + b, 0);
  }
}

/** Parallel BatchWriteItem calls while seeding: DynamoDB Local, not the client, is the bottleneck. */
const SEED_CONCURRENCY = 8;

/** Seeds items, given as [table, item], 25 to a BatchWriteItem, retrying whatever comes back unprocessed. */
export async function seedItems(
  db: DynamoDBDocumentClient,
  items: ReadonlyArray<readonly [string, Record<string, unknown>]>,
): Promise<void> {
  const batches: Array<typeof items> = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      let request: Record<string, Array<{ PutRequest: { Item: Record<string, unknown> } }>> = {};
      for (const [table, item] of batch) (request[table] ??= []).push({ PutRequest: { Item: item } });
      while (Object.keys(request).length > 0) {
        const { UnprocessedItems } = await db.send(new BatchWriteCommand({ RequestItems: request }));
        request = (UnprocessedItems ?? {}) as typeof request;
      }
    }
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
}
