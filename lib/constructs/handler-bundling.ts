/**
 * How every handler is bundled. `PlatformFunction` deploys with these settings and `npm run bench` measures
 * with them, so the bundle that is measured is the bundle that is deployed.
 */

/** Node.js 22 is the Lambda runtime of every function (DESIGN §7). */
export const HANDLER_TARGET = 'node22';

/**
 * Prefer each package's ES module build. The AWS SDK clients ship a single CommonJS file per client under
 * `main`, which esbuild cannot tree-shake, and per-module ES builds under `module`, from which only the
 * commands a handler sends are kept. On the messages handler this alone removes about 280 KB.
 */
export const HANDLER_MAIN_FIELDS: readonly string[] = ['module', 'main'];

/**
 * Modules the AWS SDK imports lazily, with `import()`, only in environments a Lambda function never runs in,
 * so they stay out of the bundle:
 * - the credential providers for shared profile files, SSO, `credential_process` and web identity tokens (and
 *   the STS/SSO clients they bring). In Lambda the default chain stops at its first link, the environment
 *   variables the runtime always sets.
 * - `bowser`, the browser user-agent parser.
 * Should one ever be reached, the Node.js runtime resolves it from its own copy of the AWS SDK
 * (`/var/runtime/node_modules` is on the runtime's NODE_PATH) rather than failing. The quick bench loads every
 * bundle in an empty directory to prove none of them is needed at start-up.
 */
export const LAZY_SDK_MODULES: readonly string[] = [
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
  'bowser',
];
