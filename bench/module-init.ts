/**
 * Module-init of handler bundles: the time `require` of a bundle takes in a fresh Node.js process, started as
 * Lambda starts a function (its NODE_OPTIONS, its environment variables, nothing to resolve outside the bundle).
 */
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { HANDLER_BUNDLING } from '../lib/constructs/handler-bundling';

/** The configuration the handlers read at cold start; values only need to parse. */
const HANDLER_ENV: Readonly<Record<string, string>> = {
  AWS_REGION: 'eu-west-1',
  POWERTOOLS_TRACE_ENABLED: 'false',
  SMS_SEND_INTERVAL_MS: '1000',
  SUBJECT_ID_KEY_ID: 'bench',
  TENANT_CLIENTS: '{}',
  CELL_REGIME: 'GDPR',
  CELL_TENANTS: '["demo"]',
  INBOUND_NUMBERS: '[]',
  TENANT_PROFILES: '{}',
  OPT_OUT_LIST_NAME: 'bench',
  DSR_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/bench',
  EXPORT_BUCKET: 'bench',
  JOB_CONTINUATION_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/bench',
  ...Object.fromEntries(
    [
      'TENANTS',
      'SUBSCRIBERS',
      'CONSENT_LEDGER',
      'SUPPRESSIONS',
      'MESSAGE_LOG',
      'IDEMPOTENCY',
      'DSR_REQUESTS',
      'AUDIT_LOG',
    ].map((table) => [`TABLE_${table}`, 'bench']),
  ),
};

/** Loads a bundle and prints the milliseconds `require` took; fails when it exports no handler. */
const loadScript = (bundle: string): string =>
  `const t=process.hrtime.bigint();const m=require(${JSON.stringify(bundle)});` +
  `if(typeof m.handler!=='function')throw new Error('no handler export');` +
  `console.log(Number(process.hrtime.bigint()-t)/1e6)`;

/** Milliseconds one fresh process took to load `bundle`, or why it could not load it. */
export function loadOnce(node: string, bundle: string): number | string {
  const result = spawnSync(node, ['-e', loadScript(bundle)], {
    // Started in the bundle's own directory, which has no node_modules above it, and with no NODE_PATH: a
    // bundle that needs a module it left out fails here.
    cwd: dirname(bundle),
    env: {
      PATH: process.env.PATH,
      NODE_PATH: '',
      NODE_OPTIONS: HANDLER_BUNDLING.nodeOptions,
      ...HANDLER_ENV,
    },
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    // Node prints the source line of a throw before the error itself, which starts its own line.
    const error = result.stderr.split('\n').find((line) => /^\w*Error\b/.test(line));
    return error?.trim() ?? `exit ${result.status}`;
  }
  return Number(result.stdout);
}

/** The median of a non-empty list, to 0.1 ms. */
export function medianMs(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median = Number.isInteger(middle)
    ? (sorted[middle - 1]! + sorted[middle]!) / 2
    : sorted[Math.floor(middle)]!;
  return Math.round(median * 10) / 10;
}

/**
 * Median module-init of each bundle over `rounds` rounds. Each round loads every bundle once, so a burst of
 * load on the (shared) machine falls on all of them alike rather than on whichever was being measured.
 * Returns the median per bundle, or why a bundle could not be loaded.
 */
export function measureModuleInit(
  node: string,
  bundles: ReadonlyMap<string, string>,
  rounds: number,
): Map<string, number | string> {
  const times = new Map<string, number[]>([...bundles.keys()].map((name) => [name, []]));
  const failed = new Map<string, string>();
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, bundle] of bundles) {
      if (failed.has(name)) continue;
      const ms = loadOnce(node, bundle);
      if (typeof ms === 'string') failed.set(name, ms);
      else times.get(name)!.push(ms);
    }
  }
  return new Map([...bundles.keys()].map((name) => [name, failed.get(name) ?? medianMs(times.get(name)!)]));
}
