/**
 * `npm run bench` (DESIGN §8): capacity units against DynamoDB Local beside their baselines, bundle sizes and
 * module-init times, and synth seconds. `--quick` runs the structural checks only, for CI, and fails when one
 * regresses. Results go to bench/results.json and are printed as a table.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { bundleHandler, handlerNames } from './bundle';
import { BUNDLE_TARGET_KB, bundleBudgetProblem } from './bundle-budget';
import { measureDsrExportUnits } from './dsr-export-units';
import { measurePurgeUnits } from './purge-units';
import { measureSendUnits } from './send-units';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const quick = values.quick;
const root = join(__dirname, '..');
/** The purge must read about 2 units per expired subscriber at most, whatever N is (issue 7). */
const MAX_PURGE_READS_PER_EXPIRED = 2;

/** A DSR export may cost at most 10 % more among 100x the subscribers: it reads only the subject's keys. */
const DSR_EXPORT_MAX_RATIO = 1.1;

interface Row {
  readonly figure: string;
  readonly value: number;
  readonly baseline?: number;
  readonly unit: string;
}

/** Every handler's bundle size against its budget, and (full run) its module-init time. */
function bundleSizes(failures: string[]): Row[] {
  const out = mkdtempSync(join(tmpdir(), 'optline-bundles-'));
  const rows: Row[] = [];
  for (const handler of [...handlerNames(), 'empty']) {
    const outfile = join(out, `${handler}.js`);
    bundleHandler(handler, outfile);
    const sizeKb = Math.round(statSync(outfile).size / 102.4) / 10;
    rows.push({
      figure: `bundle ${handler}`,
      value: sizeKb,
      ...(handler === 'empty' ? {} : { baseline: BUNDLE_TARGET_KB }),
      unit: 'KB',
    });
    const overBudget = handler === 'empty' ? undefined : bundleBudgetProblem(handler, sizeKb);
    if (overBudget) failures.push(overBudget);
    // The temporary directory has no node_modules above it: a bundle that needs a module it left out fails here.
    const init = moduleInitMs(outfile, quick ? 1 : 5);
    if (typeof init === 'string') failures.push(`bundle ${handler} does not load on its own: ${init}`);
    else if (!quick) rows.push({ figure: `module-init ${handler}`, value: init, unit: 'ms' });
  }
  return rows;
}

/**
 * Median time to load a bundle in a fresh Node process (environment as a Lambda cold start), or why it could
 * not be loaded or exports no handler.
 */
function moduleInitMs(bundle: string, runs: number): number | string {
  const env = {
    ...process.env,
    // Nothing outside the bundle may resolve a module it left out.
    NODE_PATH: '',
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
      ].map((t) => [`TABLE_${t}`, 'bench']),
    ),
  };
  const script =
    `const t=process.hrtime.bigint();const m=require(${JSON.stringify(bundle)});` +
    `if(typeof m.handler!=='function')throw new Error('no handler export');` +
    `console.log(Number(process.hrtime.bigint()-t)/1e6)`;
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const result = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
    if (result.status !== 0)
      return (result.stderr.split('\n').find((line) => /Error/.test(line)) ?? '').trim();
    times.push(Number(result.stdout));
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(runs / 2)]! * 10) / 10;
}

function synthSeconds(): Row {
  const started = Date.now();
  execFileSync(
    'npx',
    ['cdk', 'synth', '--quiet', '--output', mkdtempSync(join(tmpdir(), 'optline-synth-'))],
    {
      cwd: root,
      stdio: 'ignore',
    },
  );
  return {
    figure: 'cdk synth (4 stacks, nag packs)',
    value: Math.round((Date.now() - started) / 100) / 10,
    unit: 's',
  };
}

/**
 * Purge K expired subscribers out of N beside a full Scan (DESIGN §8). `--quick` uses a smaller N: the figure
 * that is checked, read units per expired subscriber, does not depend on N.
 */
async function purgeRows(endpoint: string, failures: string[]): Promise<Row[]> {
  const purge = await measurePurgeUnits(endpoint, quick ? 2_000 : 100_000, quick ? 50 : 1_000);
  const label = `purge ${purge.expired.toLocaleString('en')} of ${purge.total.toLocaleString('en')}`;
  if (purge.purged !== purge.expired) failures.push(`${label}: purged ${purge.purged}`);
  if (purge.readUnitsPerExpired > MAX_PURGE_READS_PER_EXPIRED) {
    failures.push(
      `${label}: ${purge.readUnitsPerExpired} read units per expired subscriber, above ${MAX_PURGE_READS_PER_EXPIRED}`,
    );
  }
  return [
    {
      figure: `${label}: read units`,
      value: purge.purgeReadUnits,
      baseline: purge.scanReadUnits,
      unit: 'RCU',
    },
    {
      figure: '  read units per expired subscriber',
      value: purge.readUnitsPerExpired,
      baseline: Math.round((purge.scanReadUnits / purge.expired) * 1000) / 1000,
      unit: 'RCU',
    },
    { figure: '  write units', value: purge.purgeWriteUnits, unit: 'WCU' },
    { figure: '  run time against DynamoDB Local', value: purge.seconds, unit: 's' },
  ];
}

async function main(): Promise<void> {
  const ddb = await startDynamoDbLocal();
  const failures: string[] = [];
  const rows: Row[] = [];
  try {
    const send = await measureSendUnits(ddb.endpoint, quick ? 20 : 200);
    const withoutIdempotency = send.perSend - send.idempotencyPerSend;
    rows.push(
      { figure: 'capacity units per accepted send', value: send.perSend, baseline: send.floor, unit: 'CU' },
      { figure: '  of which idempotency record', value: send.idempotencyPerSend, unit: 'CU' },
      { figure: '  send without idempotency', value: withoutIdempotency, baseline: send.floor, unit: 'CU' },
      ...Object.entries(send.perTable).map(([table, units]) => ({
        figure: `  on ${table}`,
        value: units,
        unit: 'CU',
      })),
    );
    if (withoutIdempotency > send.floor + 1e-9) {
      failures.push(
        `a send costs ${withoutIdempotency} CU beyond idempotency, above the floor of ${send.floor}`,
      );
    }

    // One DSR export among few and among many subscribers: the units must not grow with the table.
    const [small, large] = quick ? [1_000, 10_000] : [1_000, 100_000];
    const exports = [
      await measureDsrExportUnits(ddb.endpoint, small),
      await measureDsrExportUnits(ddb.endpoint, large),
    ];
    for (const measured of exports) {
      rows.push({
        figure: `DSR export units, N=${measured.subscribers.toLocaleString('en')} subscribers`,
        value: measured.units,
        baseline: measured.scanBaseline,
        unit: 'CU',
      });
    }
    rows.push(
      ...Object.entries(exports[1]!.perTable).map(([table, units]) => ({
        figure: `  on ${table}`,
        value: units,
        unit: 'CU',
      })),
    );
    const ratio = Math.round((exports[1]!.units / exports[0]!.units) * 1000) / 1000;
    rows.push({ figure: `DSR export units ratio ${large}/${small}`, value: ratio, baseline: 1, unit: '×' });
    if (ratio > DSR_EXPORT_MAX_RATIO) {
      failures.push(
        `a DSR export costs ${exports[1]!.units} CU among ${large} subscribers against ${exports[0]!.units} CU ` +
          `among ${small}: more than ${Math.round((DSR_EXPORT_MAX_RATIO - 1) * 100)} % growth`,
      );
    }

    rows.push(...(await purgeRows(ddb.endpoint, failures)));
  } finally {
    await ddb.stop();
  }
  rows.push(...bundleSizes(failures));
  if (!quick) rows.push(synthSeconds());

  const results = { quick, measuredAt: new Date().toISOString(), node: process.version, rows, failures };
  writeFileSync(
    join(__dirname, quick ? 'results.quick.json' : 'results.json'),
    `${JSON.stringify(results, null, 2)}\n`,
  );
  const width = Math.max(...rows.map((r) => r.figure.length));
  console.log(`${'figure'.padEnd(width)}  ${'value'.padStart(10)}  ${'baseline'.padStart(10)}  unit`);
  for (const row of rows) {
    console.log(
      `${row.figure.padEnd(width)}  ${String(row.value).padStart(10)}  ${String(row.baseline ?? '').padStart(10)}  ${row.unit}`,
    );
  }
  if (failures.length > 0) {
    console.error(`\nbench: ${failures.length} structural regression(s):\n- ${failures.join('\n- ')}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
