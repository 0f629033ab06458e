/**
 * How every handler is bundled. `PlatformFunction` deploys with these settings and `npm run bench` measures
 * with them, so the bundle that is measured is the bundle that is deployed.
 */
import { join } from 'node:path';

/** Where the Lambda entry points live: `lambdas/handlers/<handler>.ts`. */
export const HANDLERS_DIR = join(__dirname, '..', '..', 'lambdas', 'handlers');

/**
 * Prefer each package's ES module build. The AWS SDK clients ship a single CommonJS file per client under
 * `main`, which esbuild cannot tree-shake, and per-module ES builds under `module`, from which only the
 * commands a handler sends are kept. On the messages handler this alone removes about 380 KB.
 */
export const HANDLER_MAIN_FIELDS: readonly string[] = ['module', 'main'];

/**
 * Modules the AWS SDK imports lazily, with `import()`, only in environments a Lambda function never runs in,
 * so they stay out of the bundle:
 * - the credential providers for shared profile files, SSO, `credential_process`, web identity tokens (and the
 *   STS/SSO clients they bring), container endpoints and instance metadata. In Lambda the default chain stops at
 *   its first link, the environment variables the runtime always sets.
 * - `bowser`, the browser user-agent parser.
 * Should one ever be reached (only if the runtime's credential variables were missing), Node.js would resolve it
 * from the runtime's own copy of the AWS SDK, which is on its NODE_PATH; that fallback is not exercised here. The
 * quick bench loads every bundle in an empty directory to prove none of them is needed at start-up.
 */
export const LAZY_SDK_MODULES: readonly string[] = [
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
  '@smithy/credential-provider-imds',
  'bowser',
];

/**
 * The esbuild settings of every handler bundle: minified CommonJS for Node.js 22 (DESIGN §7), AWS SDK included
 * except `LAZY_SDK_MODULES`, with a source map (without the sources) that the function loads at start-up through
 * `nodeOptions`, so stack traces name the TypeScript lines. Loading the map is part of the cold start.
 */
export const HANDLER_BUNDLING = {
  target: 'node22',
  format: 'cjs',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  mainFields: HANDLER_MAIN_FIELDS,
  externalModules: LAZY_SDK_MODULES,
  nodeOptions: '--enable-source-maps',
} as const;
