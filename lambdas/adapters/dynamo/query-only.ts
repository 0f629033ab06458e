/**
 * The DynamoDB access layer of optline's Lambda code (DESIGN §4 DSR: "it queries every table by the subject's
 * keys and never scans"). Two guards make a table-wide read impossible:
 *
 * - {@link queryOnly} puts an allow-list on a client: reads by key, key-condition queries and writes pass;
 *   every other operation (a full-table read, or a SQL-style statement that can do the same) is refused before it is sent.
 *   Every client the platform builds (Lambda ports, the local server) gets it.
 * - {@link KeyedTable} is the typed layer the DSR code uses: get, query by key condition, put, update, delete
 *   and batched deletes, and nothing else. There is no method to read a table without a key.
 *
 * `test/unit/query-only.test.ts` fails if a table-wide read command appears anywhere under `lambdas/`, and the
 * eslint config refuses importing one there. Benchmarks (baselines) and tests are the only exceptions.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DeleteCommandInput,
  type DynamoDBDocumentClient,
  type PutCommandInput,
  type QueryCommandInput,
  type TransactWriteCommandInput,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';

/** The only DynamoDB operations optline sends: each one names its items by key or by a key condition. */
export const ALLOWED_OPERATIONS: ReadonlySet<string> = new Set([
  'GetItemCommand',
  'BatchGetItemCommand',
  'QueryCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactGetItemsCommand',
  'TransactWriteItemsCommand',
]);

/** Thrown, before anything is sent, for an operation outside {@link ALLOWED_OPERATIONS}. */
export class OperationNotAllowedError extends Error {
  override readonly name = 'OperationNotAllowedError';
  constructor(readonly operation: string) {
    super(`DynamoDB ${operation} is not allowed: optline reads items only by their keys`);
  }
}

const GUARD_NAME = 'optlineQueryOnly';

/** Adds the allow-list to a low-level client (document clients built from it are guarded too). Idempotent. */
export function queryOnly<C extends DynamoDBClient>(client: C): C {
  client.middlewareStack.remove(GUARD_NAME);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? 'unknown');
      if (!ALLOWED_OPERATIONS.has(operation)) throw new OperationNotAllowedError(operation);
      return next(args);
    },
    { step: 'initialize', name: GUARD_NAME, priority: 'high' },
  );
  return client;
}

type Item = Record<string, unknown>;
export type Key = Readonly<Record<string, string | number>>;

export interface QueryOptions {
  readonly keyCondition: string;
  readonly values: Readonly<Record<string, unknown>>;
  /** @default - none */
  readonly names?: Readonly<Record<string, string>>;
  /** @default - the table itself */
  readonly index?: string;
  /** @default false (an index can only be read eventually consistent) */
  readonly consistent?: boolean;
  /** @default - every attribute */
  readonly projection?: string;
  /** Sort-key order: false for descending. @default true */
  readonly forward?: boolean;
}

/** One page of a query: at most `limit` items, after `startKey`. */
export interface PageOptions extends QueryOptions {
  readonly limit: number;
  /** Where the previous page ended. @default - the first page */
  readonly startKey?: Key;
}

export interface Page {
  readonly items: Item[];
  /** Where this page ended, when DynamoDB may hold more. @default - the last page */
  readonly lastKey?: Item;
}

/** BatchWriteItem takes at most 25 requests. */
const BATCH_WRITE_LIMIT = 25;

/** One table, reachable only by its keys. */
export class KeyedTable {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly name: string,
  ) {}

  async get(key: Key, consistent = true): Promise<Item | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.name, Key: key, ConsistentRead: consistent }),
    );
    return Item;
  }

  private queryInput(options: QueryOptions, startKey: Item | undefined): QueryCommandInput {
    return {
      TableName: this.name,
      IndexName: options.index,
      KeyConditionExpression: options.keyCondition,
      ExpressionAttributeValues: options.values,
      ExpressionAttributeNames: options.names,
      ConsistentRead: options.index ? undefined : (options.consistent ?? false),
      ProjectionExpression: options.projection,
      ScanIndexForward: options.forward,
      ExclusiveStartKey: startKey,
    };
  }

  /** Every item matching a key condition, following pagination. */
  async query(options: QueryOptions): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.db.send(new QueryCommand(this.queryInput(options, startKey)));
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** One page of the items matching a key condition. */
  async queryPage(options: PageOptions): Promise<Page> {
    const { Items = [], LastEvaluatedKey } = await this.db.send(
      new QueryCommand({ ...this.queryInput(options, options.startKey), Limit: options.limit }),
    );
    return { items: Items, ...(LastEvaluatedKey ? { lastKey: LastEvaluatedKey } : {}) };
  }

  async put(item: Item, options: Omit<PutCommandInput, 'TableName' | 'Item'> = {}): Promise<void> {
    await this.db.send(new PutCommand({ ...options, TableName: this.name, Item: item }));
  }

  async update(key: Key, options: Omit<UpdateCommandInput, 'TableName' | 'Key'>): Promise<Item | undefined> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({ ...options, TableName: this.name, Key: key }),
    );
    return Attributes;
  }

  /** Deletes one item; returns whether it existed. */
  async delete(key: Key, options: Omit<DeleteCommandInput, 'TableName' | 'Key'> = {}): Promise<boolean> {
    const { Attributes } = await this.db.send(
      new DeleteCommand({ ...options, TableName: this.name, Key: key, ReturnValues: 'ALL_OLD' }),
    );
    return Attributes !== undefined;
  }

  /** Deletes items by key in batches of 25, retrying what DynamoDB leaves unprocessed. */
  async deleteAll(keys: readonly Key[]): Promise<void> {
    for (let start = 0; start < keys.length; start += BATCH_WRITE_LIMIT) {
      let requests: { DeleteRequest: { Key: Item } }[] = keys
        .slice(start, start + BATCH_WRITE_LIMIT)
        .map((key) => ({ DeleteRequest: { Key: { ...key } } }));
      for (let attempt = 0; requests.length > 0; attempt += 1) {
        if (attempt > 0)
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
        if (attempt > 8) throw new Error(`BatchWriteItem left ${requests.length} deletes unprocessed`);
        const { UnprocessedItems } = await this.db.send(
          new BatchWriteCommand({ RequestItems: { [this.name]: requests } }),
        );
        requests = (UnprocessedItems?.[this.name] ?? []) as typeof requests;
      }
    }
  }
}

type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

/** Tables by id, plus all-or-nothing writes across them. */
export class QueryOnlyDb<T extends string> {
  readonly tables: Readonly<Record<T, KeyedTable>>;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    names: Readonly<Record<T, string>>,
  ) {
    this.tables = Object.fromEntries(
      Object.entries(names).map(([id, name]) => [id, new KeyedTable(db, name as string)]),
    ) as Record<T, KeyedTable>;
  }

  async transactWrite(items: TransactItems): Promise<void> {
    await this.db.send(new TransactWriteCommand({ TransactItems: items }));
  }
}
