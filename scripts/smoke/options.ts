/**
 * The command line of `npm run smoke`:
 * - local (the default): `--url <base URL>` (http://127.0.0.1:3000) and `--token <bearer token>` (local-demo);
 * - deployed: `--cell <name> --tenant <id>`, with `--region <region>` when the cell configuration does not give
 *   it, and `--client-id <id> --client-secret <secret>` to use given credentials instead of reading them from
 *   the cell's user pool;
 * - either: `--wait <seconds>`, how long a step waits for a delivery event or a DSR (default 60).
 */
import { parseArgs } from 'node:util';

export const DEFAULT_LOCAL_URL = 'http://127.0.0.1:3000';
export const DEFAULT_LOCAL_TOKEN = 'local-demo';
const DEFAULT_WAIT_SECONDS = 60;

export interface LocalRun {
  readonly mode: 'local';
  readonly url: string;
  readonly token: string;
  readonly waitMs: number;
}

export interface DeployedRun {
  readonly mode: 'deployed';
  readonly cell: string;
  readonly tenant: string;
  /** @default - the cell's region in the cell configuration */
  readonly region?: string;
  /** Both or neither. @default - read from the cell's user pool */
  readonly client?: { readonly id: string; readonly secret: string };
  readonly waitMs: number;
}

export type SmokeRun = LocalRun | DeployedRun;

/** A command line that cannot run; the message says what to change. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage:
  npm run smoke [-- --url <base URL>] [--token <bearer token>] [--wait <seconds>]
  npm run smoke -- --cell <name> --tenant <id> [--region <region>]
                   [--client-id <id> --client-secret <secret>] [--wait <seconds>]`;

export function parseSmokeArgs(argv: readonly string[]): SmokeRun {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        url: { type: 'string' },
        token: { type: 'string' },
        cell: { type: 'string' },
        tenant: { type: 'string' },
        region: { type: 'string' },
        'client-id': { type: 'string' },
        'client-secret': { type: 'string' },
        wait: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }

  const waitSeconds = values.wait === undefined ? DEFAULT_WAIT_SECONDS : Number(values.wait);
  if (!Number.isFinite(waitSeconds) || waitSeconds <= 0) {
    throw new UsageError(`--wait must be a positive number of seconds, not "${values.wait}"`);
  }
  const waitMs = Math.round(waitSeconds * 1000);

  const deployedFlags = ['cell', 'tenant', 'region', 'client-id', 'client-secret'] as const;
  const deployed = deployedFlags.some((flag) => values[flag] !== undefined);
  if (!deployed) {
    const url = (values.url ?? DEFAULT_LOCAL_URL).replace(/\/+$/, '');
    if (!/^https?:\/\/[^/]/.test(url)) throw new UsageError(`--url must be an http(s) URL, not "${url}"`);
    return { mode: 'local', url, token: values.token ?? DEFAULT_LOCAL_TOKEN, waitMs };
  }

  if (values.url !== undefined || values.token !== undefined) {
    throw new UsageError(
      '--url and --token are for a local server; a deployed cell takes --cell and --tenant',
    );
  }
  if (values.cell === undefined || values.tenant === undefined) {
    throw new UsageError('a deployed cell needs both --cell and --tenant');
  }
  const id = values['client-id'];
  const secret = values['client-secret'];
  if ((id === undefined) !== (secret === undefined)) {
    throw new UsageError('--client-id and --client-secret go together');
  }
  return {
    mode: 'deployed',
    cell: values.cell,
    tenant: values.tenant,
    ...(values.region === undefined ? {} : { region: values.region }),
    ...(id === undefined || secret === undefined ? {} : { client: { id, secret } }),
    waitMs,
  };
}
