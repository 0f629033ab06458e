import { ceilingKb } from '../../bench/bundle-budget';
import { assessBundles, formatBundleTable, type BundleMeasurements } from '../../bench/handler-bundles';
import type { InitTimes } from '../../bench/module-init';

/** A messages bundle 10 KB under its ceiling, whatever the ceiling is. */
const MESSAGES_KB = ceilingKb('messages') - 10;

const sizes = (entries: Record<string, number>): Map<string, number> => new Map(Object.entries(entries));
const init = (wallMs: number, cpuMs: number): InitTimes => ({ wallMs, cpuMs });

function measurements(overrides: Partial<BundleMeasurements> = {}): BundleMeasurements {
  return {
    node: 'v22.23.5',
    loadsPerBundle: 9,
    machine: { loadAverage: 1.5, cores: 2 },
    sizesKb: sizes({
      empty: 0.1,
      'dynamodb-client-only': 194.3,
      messages: MESSAGES_KB,
      'retention-sweep': 409,
    }),
    inits: new Map<string, InitTimes | string>([
      ['empty', init(0.6, 0.7)],
      ['dynamodb-client-only', init(59.7, 52)],
      ['messages', init(140.9, 150.5)],
      ['retention-sweep', init(108.1, 100)],
    ]),
    ...overrides,
  };
}

describe('bundle report', () => {
  it("gives each handler's module-init minus the DynamoDB-client-only baseline, wall-clock and CPU", () => {
    const { report, failures } = assessBundles(measurements());

    expect(failures).toEqual([]);
    expect(report.baselines).toEqual([
      { name: 'empty', kb: 0.1, initMs: 0.6, initCpuMs: 0.7 },
      { name: 'dynamodb-client-only', kb: 194.3, initMs: 59.7, initCpuMs: 52 },
    ]);
    expect(report.handlers).toEqual([
      {
        handler: 'messages',
        kb: MESSAGES_KB,
        ceilingKb: ceilingKb('messages'),
        initMs: 140.9,
        initCpuMs: 150.5,
        initOverBaselineMs: 81.2,
        initCpuOverBaselineMs: 98.5,
      },
      {
        handler: 'retention-sweep',
        kb: 409,
        ceilingKb: 600,
        initMs: 108.1,
        initCpuMs: 100,
        initOverBaselineMs: 48.4,
        initCpuOverBaselineMs: 48,
      },
    ]);
    expect(report.machine).toEqual({ loadAverage: 1.5, cores: 2 });
  });

  it('fails a bundle that does not load on its own, baselines included', () => {
    const inits = new Map(measurements().inits);
    inits.set('retention-sweep', "Error: Cannot find module 'bowser'");
    inits.set('dynamodb-client-only', 'Error: no handler export');

    const { report, failures } = assessBundles(measurements({ inits }));

    expect(failures).toEqual([
      'bundle dynamodb-client-only does not load on its own: Error: no handler export',
      "bundle retention-sweep does not load on its own: Error: Cannot find module 'bowser'",
    ]);
    // Without the baseline there is nothing to subtract from.
    expect(report.handlers[0]).toEqual({
      handler: 'messages',
      kb: MESSAGES_KB,
      ceilingKb: ceilingKb('messages'),
      initMs: 140.9,
      initCpuMs: 150.5,
    });
  });

  it('fails a bundle above its ceiling', () => {
    const { failures } = assessBundles(
      measurements({
        sizesKb: sizes({ empty: 0.1, 'dynamodb-client-only': 194.3, messages: ceilingKb('messages') + 0.1 }),
      }),
    );

    expect(failures).toEqual([
      `bundle messages is ${ceilingKb('messages') + 0.1} KB, above its ceiling of ${ceilingKb('messages')} KB`,
    ]);
  });

  it('reports no timing from a single load (--quick): it only checks that each bundle loads', () => {
    const { report, failures } = assessBundles(measurements({ loadsPerBundle: 1 }));

    expect(failures).toEqual([]);
    expect(report.baselines.map((baseline) => baseline.initMs)).toEqual([undefined, undefined]);
    expect(report.handlers.map((handler) => handler.initCpuMs)).toEqual([undefined, undefined]);
  });

  it('prints each handler beside the baselines, with its differences to the DynamoDB-client-only one', () => {
    const lines = formatBundleTable(assessBundles(measurements()).report);

    expect(lines[0]).toMatch(
      /^bundle \(Node\.js v22\.23\.5, median of 9 loads, load 1\.5 on 2 cores\) +KB +ceiling KB +init ms +− dynamodb-client-only +CPU ms +− dynamodb-client-only$/,
    );
    expect(lines[1]).toMatch(/^empty \(baseline\) +0\.1 +– +0\.6 +– +0\.7 +–$/);
    expect(lines[2]).toMatch(/^dynamodb-client-only \(baseline\) +194\.3 +– +59\.7 +– +52\.0 +–$/);
    expect(lines[3]).toMatch(
      new RegExp(
        `^messages +${MESSAGES_KB}\\.0 +${ceilingKb('messages')} +140\\.9 +\\+81\\.2 +150\\.5 +\\+98\\.5$`,
      ),
    );
    expect(lines[4]).toMatch(/^retention-sweep +409\.0 +600 +108\.1 +\+48\.4 +100\.0 +\+48\.0$/);
  });
});
