/**
 * `npm run bench` (DESIGN §8): capacity units against DynamoDB Local beside their baselines, bundle sizes and
 * module-init times on Node.js 22 beside two baseline bundles, and synth seconds. `--quick` runs the structural checks only, for CI, and fails when one
 * regresses. Results go to bench/results.json and are printed as a table.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { audienceRows } from './audience-units';
import { campaignRateRows } from './campaign-rate';
import { measureDsrExportUnits } from './dsr-export-units';
import { formatBundleTable, measureBundles } from './handler-bundles';
import { findNode22, Node22NotFoundError } from './node22';
import { measurePurgeUnits } from './purge-units';
import { measureSendUnits } from './send-units';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const quick = values.quick;
const root = join(__dirname, '..');
/** The purge must read about 2 units per expired subscriber at most, whatever N is (issue 7). */
const MAX_PURGE_READS_PER_EXPIRED = 2;

/** A DSR export may cost at most 10 % more among 100x the subscribers: it reads only the subject's keys. */
const DSR_EXPORT_MAX_RATIO = 1.1;

/** Fresh Node.js processes per bundle in a full run; module-init is their median. `--quick` loads each once. */
const MODULE_INIT_LOADS = 9;

interface Row {
  readonly figure: string;
  readonly value: number;
  readonly baseline?: number;
  readonly unit: string;
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
  // Before anything slow: without Node.js 22 the bundle figures would not be the Lambda runtime's.
  const node22 = findNode22();
  // 310,000 items for the DSR export and 100,000 subscribers more for the purge: 256 MB of heap ran out.
  const ddb = await startDynamoDbLocal({ maxHeapMb: 1024 });
  const failures: string[] = [];
  const rows: Row[] = [];
  try {
    const send = await measureSendUnits(ddb.endpoint, quick ? 20 : 200);
    const withoutIdempotency = send.perSend - send.idempotencyPerSend;
    rows.push(
      { figure: 'capacity units per accepted send', value: send.perSend, baseline: send.floor, unit: 'CU' },
      { figure: '  of which idempotency record and send slot', value: send.idempotencyPerSend, unit: 'CU' },
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
    rows.push(...(await audienceRows(ddb.endpoint, quick, failures)));
  } finally {
    await ddb.stop();
  }
  const bundles = measureBundles(node22, quick ? 1 : MODULE_INIT_LOADS);
  failures.push(...bundles.failures);
  if (!quick) rows.push(synthSeconds());
  rows.push(...(await campaignRateRows(quick, failures)));

  const results = {
    quick,
    measuredAt: new Date().toISOString(),
    // The bench itself may run on another node; the bundles are always loaded on Node.js 22.
    node: { bench: process.version, bundles: node22.version },
    rows,
    bundles: bundles.report,
    failures,
  };
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
  console.log(`\n${formatBundleTable(bundles.report).join('\n')}`);
  if (failures.length > 0) {
    console.error(`\nbench: ${failures.length} structural regression(s):\n- ${failures.join('\n- ')}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Node22NotFoundError ? `bench: ${error.message}` : error);
  process.exitCode = 1;
});
