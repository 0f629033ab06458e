/**
 * Bundles a handler exactly as `PlatformFunction` deploys it (`lib/constructs/handler-bundling.ts`): minified,
 * AWS SDK included, CommonJS for Node.js 22. Shared by the bench and the composition report.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync, type Metafile } from 'esbuild';
import { HANDLER_BUNDLING, HANDLERS_DIR } from '../lib/constructs/handler-bundling';

/** Files in lambdas/handlers that are shared by entry points rather than entry points themselves. */
const NOT_ENTRY_POINTS = new Set(['api-entry.ts', 'invocation.ts', 'lambda-ports.ts', 'job-entry.ts']);

/** The name of every deployed handler (its file under lambdas/handlers, without `.ts`). */
export function handlerNames(): string[] {
  return readdirSync(HANDLERS_DIR)
    .filter((file) => file.endsWith('.ts') && !NOT_ENTRY_POINTS.has(file))
    .map((file) => file.replace(/\.ts$/, ''));
}

/** Writes the bundle of `handler` (or of an empty handler, for `'empty'`) to `outfile`. */
export function bundleHandler(handler: string, outfile: string): Metafile {
  const result = buildSync({
    ...(handler === 'empty'
      ? { stdin: { contents: 'exports.handler = async () => ({});', loader: 'js' } }
      : { entryPoints: [join(HANDLERS_DIR, `${handler}.ts`)] }),
    bundle: true,
    platform: 'node',
    minify: HANDLER_BUNDLING.minify,
    target: HANDLER_BUNDLING.target,
    format: HANDLER_BUNDLING.format,
    mainFields: [...HANDLER_BUNDLING.mainFields],
    external: [...HANDLER_BUNDLING.externalModules],
    outfile,
    metafile: true,
    logLevel: 'silent',
  });
  return result.metafile;
}
