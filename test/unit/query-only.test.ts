import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DynamoDBClient, ExecuteStatementCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  ALLOWED_OPERATIONS,
  KeyedTable,
  OperationNotAllowedError,
  queryOnly,
} from '../../lambdas/adapters/dynamo/query-only';

const LAMBDAS = join(__dirname, '..', '..', 'lambdas');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** A client whose requests never leave the process: a request that passes the guard is answered "sent". */
function guardedClient(): DynamoDBClient {
  const client = new DynamoDBClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  client.middlewareStack.add(
    () => async () => {
      throw new Error('sent');
    },
    { step: 'build', name: 'stopBeforeSending' },
  );
  return queryOnly(client);
}

describe('queries only: no table-wide read anywhere in lambdas/', () => {
  const files = sourceFiles(LAMBDAS);

  it('finds the Lambda sources it checks', () => {
    expect(files.length).toBeGreaterThan(40);
    expect(files.map((f) => relative(LAMBDAS, f))).toContain(join('adapters', 'dynamo', 'dsr-store.ts'));
  });

  it.each([
    ['a Scan command', /\bScan(Command|Input|Output)?\b/],
    ['a Scan paginator', /\bpaginateScan\b/],
    ['a PartiQL statement, which can read a whole table', /\b(Batch)?ExecuteStatement(Command)?\b|\bPartiQL/],
    ['the Scan action name', /['"`]Scan['"`]/],
  ])('contains no %s', (_label, pattern) => {
    const offenders = files.filter((file) => pattern.test(readFileSync(file, 'utf8')));
    expect(offenders.map((file) => relative(LAMBDAS, file))).toEqual([]);
  });

  it('builds every DynamoDB client of the Lambda code behind the queryOnly guard', () => {
    const lines = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.includes('new DynamoDBClient('))
        .map((line) => ({ file: relative(LAMBDAS, file), line: line.trim() })),
    );
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.filter(({ line }) => !line.includes('queryOnly('))).toEqual([]);
  });

  it('would catch one: the check matches the usual spellings', () => {
    const pattern = /\bScan(Command|Input|Output)?\b/;
    expect(pattern.test("import { ScanCommand } from '@aws-sdk/lib-dynamodb';")).toBe(true);
    expect(pattern.test('await db.send(new ScanCommand({ TableName }))')).toBe(true);
    expect(pattern.test('// the purge never scans')).toBe(false);
  });
});

describe('queryOnly', () => {
  it('refuses a Scan before anything is sent', async () => {
    const client = guardedClient();
    await expect(client.send(new ScanCommand({ TableName: 'Subscribers' }))).rejects.toThrow(
      OperationNotAllowedError,
    );
    await expect(client.send(new ScanCommand({ TableName: 'Subscribers' }))).rejects.toThrow(/ScanCommand/);
  });

  it('refuses PartiQL, which can read a whole table too', async () => {
    const client = guardedClient();
    await expect(
      client.send(new ExecuteStatementCommand({ Statement: 'SELECT * FROM "Subscribers"' })),
    ).rejects.toThrow(OperationNotAllowedError);
  });

  it('lets reads by key and key-condition queries through, also from a document client', async () => {
    const db = DynamoDBDocumentClient.from(guardedClient());
    await expect(db.send(new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' } }))).rejects.toThrow(
      'sent',
    );
    await expect(
      db.send(
        new QueryCommand({
          TableName: 't',
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': 'a' },
        }),
      ),
    ).rejects.toThrow('sent');
  });

  it('allows only operations that name their items by key', () => {
    expect([...ALLOWED_OPERATIONS].sort()).toEqual([
      'BatchGetItemCommand',
      'BatchWriteItemCommand',
      'DeleteItemCommand',
      'GetItemCommand',
      'PutItemCommand',
      'QueryCommand',
      'TransactGetItemsCommand',
      'TransactWriteItemsCommand',
      'UpdateItemCommand',
    ]);
  });

  it('is added once however often it is applied', async () => {
    const client = queryOnly(guardedClient());
    expect(client.middlewareStack.identify().filter((m) => m.includes('optlineQueryOnly'))).toHaveLength(1);
  });
});

describe('KeyedTable', () => {
  it('offers reads by key and key condition, writes and deletes, and no way to read a table without a key', () => {
    const methods = Object.getOwnPropertyNames(KeyedTable.prototype).filter((m) => m !== 'constructor');
    expect(methods.sort()).toEqual(['delete', 'deleteAll', 'get', 'put', 'query', 'queryPage', 'update']);
  });
});
