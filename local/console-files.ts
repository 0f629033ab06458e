/**
 * The privacy console for `npm start`: built with Vite when console/dist is missing or older than its sources,
 * then read into the map that lambdas/api/console-assets.ts serves from.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { ConsoleFiles } from '../lambdas/api/console-assets';

const ROOT = join(__dirname, '..');
export const CONSOLE_DIST = join(ROOT, 'console', 'dist');

/** What the build reads: the console's own code, and the modules it imports from the rest of the repository. */
const CONSOLE_SOURCES = [
  join(ROOT, 'console', 'src'),
  join(ROOT, 'console', 'index.html'),
  join(ROOT, 'console', 'vite.config.mts'),
  join(ROOT, 'client'),
  join(ROOT, 'lambdas', 'domain', 'retention.ts'),
  join(ROOT, 'lambdas', 'shared', 'console-config.ts'),
];

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

const newestChange = (paths: readonly string[]): number =>
  Math.max(0, ...paths.flatMap(filesUnder).map((file) => statSync(file).mtimeMs));

/** Builds the console unless console/dist is newer than everything it is built from (a build takes ~1 s). */
export function ensureConsoleBuilt(log: (line: string) => void = () => undefined): void {
  const index = join(CONSOLE_DIST, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestChange(CONSOLE_SOURCES)) return;
  log('building the privacy console (npm run build:console)…');
  execFileSync('npm', ['run', '--silent', 'build:console'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Every file of the built console, by its path relative to console/dist with `/` separators. */
export function loadConsoleFiles(dir: string = CONSOLE_DIST): ConsoleFiles {
  return new Map(
    filesUnder(dir).map((file) => [
      relative(dir, file).split(sep).join('/'),
      new Uint8Array(readFileSync(file)),
    ]),
  );
}
