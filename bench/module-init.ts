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
  SEND_RATES: '{"cell":3}',
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
  CAMPAIGN_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/bench',
  CAMPAIGN_QUEUE_ARN: 'arn:aws:sqs:eu-west-1:123456789012:bench',
  CAMPAIGN_SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/bench',
  CAMPAIGN_SCHEDULE_GROUP: 'bench',
  CONSOLE_CLIENT_ID: 'bench',
  CONSOLE_CONFIG: JSON.stringify({
    mode: 'cognito',
    authorizeUrl: 'https://bench.auth.eu-west-1.amazoncognito.com/oauth2/authorize',
    tokenUrl: '/prod/console/oauth2/token',
    clientId: 'bench',
    scopes: ['openid'],
  }),
  INCIDENT_TOPICS: '{"demo":"arn:aws:sns:eu-west-1:123456789012:bench"}',
  ...Object.fromEntries(
    [
      'TENANTS',
      'SUBSCRIBERS',
      'CONSENT_LEDGER',
      'SUPPRESSIONS',
      'MESSAGE_LOG',
      'IDEMPOTENCY',
      'DSR_REQUESTS',
      'CAMPAIGNS',
      'AUDIT_LOG',
      'DAILY_STATS',
      'INCIDENTS',
    ].map((table) => [`TABLE_${table}`, 'bench']),
  ),
};

/** Loads a bundle and prints the wall-clock and CPU milliseconds `require` took; fails without a handler. */
const loadScript = (bundle: string): string =>
  `const c=process.cpuUsage();const t=process.hrtime.bigint();const m=require(${JSON.stringify(bundle)});` +
  `const w=Number(process.hrtime.bigint()-t)/1e6;const u=process.cpuUsage(c);` +
  `if(typeof m.handler!=='function')throw new Error('no handler export');` +
  `console.log(JSON.stringify({wallMs:w,cpuMs:(u.user+u.system)/1000}))`;

/**
 * What loading a bundle took. Wall-clock time is what a cold start waits for on an idle machine; on a busy one it
 * also counts the time other processes held the cores. CPU time (all threads of the process, such as the
 * garbage collector's) barely moves with load, and at 512 MB, where Lambda gives a function about a third of a
 * vCPU, those threads share that third, so it is also the closer guide to the deployed cold start.
 */
export interface InitTimes {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** What one fresh process took to load `bundle`, or why it could not load it. */
export function loadOnce(node: string, bundle: string): InitTimes | string {
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
  return JSON.parse(result.stdout) as InitTimes;
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
 * Returns the medians per bundle, or why a bundle could not be loaded.
 */
export function measureModuleInit(
  node: string,
  bundles: ReadonlyMap<string, string>,
  rounds: number,
): Map<string, InitTimes | string> {
  const times = new Map<string, InitTimes[]>([...bundles.keys()].map((name) => [name, []]));
  const failed = new Map<string, string>();
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, bundle] of bundles) {
      if (failed.has(name)) continue;
      const loaded = loadOnce(node, bundle);
      if (typeof loaded === 'string') failed.set(name, loaded);
      else times.get(name)!.push(loaded);
    }
  }
  return new Map(
    [...bundles.keys()].map((name) => {
      const loads = times.get(name)!;
      return [
        name,
        failed.get(name) ?? {
          wallMs: medianMs(loads.map((load) => load.wallMs)),
          cpuMs: medianMs(loads.map((load) => load.cpuMs)),
        },
      ];
    }),
  );
}
