/**
 * Bundles a handler exactly as `PlatformFunction` deploys it (`lib/constructs/handler-bundling.ts`): minified,
 * AWS SDK included, CommonJS for Node.js 22, with its source map. Shared by the bench and the composition report.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync, type Metafile } from 'esbuild';
import { HANDLER_BUNDLING, HANDLERS_DIR } from '../lib/constructs/handler-bundling';

/** Files in lambdas/handlers that are shared by entry points rather than entry points themselves. */
const NOT_ENTRY_POINTS = new Set(['api-entry.ts', 'invocation.ts', 'lambda-ports.ts', 'job-entry.ts']);

/**
 * The bundles module-init is compared with, built with the same settings: `empty` exports a handler and loads
 * nothing; `dynamodb-client-only` creates a DynamoDB client and nothing else (bench/fixtures).
 */
export const BASELINES = ['empty', 'dynamodb-client-only'] as const;
export type Baseline = (typeof BASELINES)[number];

/** The name of every deployed handler (its file under lambdas/handlers, without `.ts`). */
export function handlerNames(): string[] {
  return readdirSync(HANDLERS_DIR)
    .filter((file) => file.endsWith('.ts') && !NOT_ENTRY_POINTS.has(file))
    .map((file) => file.replace(/\.ts$/, ''));
}

function entryOf(name: string): Parameters<typeof buildSync>[0] {
  if (name === 'empty') return { stdin: { contents: 'exports.handler = async () => ({});', loader: 'js' } };
  if (name === 'dynamodb-client-only') return { entryPoints: [join(__dirname, 'fixtures', `${name}.ts`)] };
  return { entryPoints: [join(HANDLERS_DIR, `${name}.ts`)] };
}

/** Writes the bundle of a handler, or of a baseline, to `outfile` (and its source map beside it). */
export function bundleHandler(name: string, outfile: string): Metafile {
  const result = buildSync({
    ...entryOf(name),
    bundle: true,
    platform: 'node',
    minify: HANDLER_BUNDLING.minify,
    sourcemap: HANDLER_BUNDLING.sourceMap,
    sourcesContent: HANDLER_BUNDLING.sourcesContent,
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
