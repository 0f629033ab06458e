/**
 * Counts DynamoDB capacity units: every command sent through a counted client asks for
 * `ReturnConsumedCapacity: TOTAL`, and the units are summed per table. Units are deterministic for a given item
 * size and map straight to cost, unlike timings.
 */
import type { ConsumedCapacity, DynamoDBClient } from '@aws-sdk/client-dynamodb';

export class CapacityCounter {
  private readonly byTable = new Map<string, number>();

  /** Adds the counting middleware to a low-level client (document clients built from it are counted too). */
  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { ReturnConsumedCapacity?: string };
        input.ReturnConsumedCapacity = 'TOTAL';
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] })
          .ConsumedCapacity;
        for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
          const table = entry.TableName ?? '?';
          this.byTable.set(table, (this.byTable.get(table) ?? 0) + (entry.CapacityUnits ?? 0));
        }
        return result;
      },
      { step: 'initialize', name: 'optlineCapacityCounter' },
    );
  }

  reset(): void {
    this.byTable.clear();
  }

  /** Units per table, with the table prefix removed. */
  snapshot(prefix: string): Record<string, number> {
    return Object.fromEntries([...this.byTable].map(([table, units]) => [table.replace(prefix, ''), units]));
  }

  total(): number {
    return [...this.byTable.values()].reduce((a, b) => a + b, 0);
  }
}
