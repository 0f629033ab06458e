/**
 * Reads the built privacy console from a directory into the map that lambdas/api/console-assets.ts serves from:
 * the local server reads console/dist, a cell's console function the copy bundled next to it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { ConsoleFiles } from '../api/console-assets';

/** Every file under `path` (or `path` itself when it is a file); none when it does not exist. */
export function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Every file of the built console under `dir`, by its path relative to `dir` with `/` separators. */
export function loadConsoleFiles(dir: string): ConsoleFiles {
  return new Map(
    filesUnder(dir).map((file) => [
      relative(dir, file).split(sep).join('/'),
      new Uint8Array(readFileSync(file)),
    ]),
  );
}
