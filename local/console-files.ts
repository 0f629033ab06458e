/**
 * The privacy console for `npm start`: built with Vite when console/dist is missing or older than its sources,
 * then read into the map that lambdas/api/console-assets.ts serves from.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { filesUnder, loadConsoleFiles as loadFilesOf } from '../lambdas/adapters/console-files';
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

/** Every file of the built console in console/dist (or `dir`). */
export function loadConsoleFiles(dir: string = CONSOLE_DIST): ConsoleFiles {
  return loadFilesOf(dir);
}
