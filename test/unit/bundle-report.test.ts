import { assessBundles, formatBundleTable, type BundleMeasurements } from '../../bench/handler-bundles';

const sizes = (entries: Record<string, number>): Map<string, number> => new Map(Object.entries(entries));

function measurements(overrides: Partial<BundleMeasurements> = {}): BundleMeasurements {
  return {
    node: 'v22.23.5',
    loadsPerBundle: 9,
    sizesKb: sizes({ empty: 0.1, 'dynamodb-client-only': 194.3, messages: 870, 'retention-sweep': 409 }),
    inits: new Map<string, number | string>([
      ['empty', 0.6],
      ['dynamodb-client-only', 59.7],
      ['messages', 140.9],
      ['retention-sweep', 108.1],
    ]),
    ...overrides,
  };
}

describe('bundle report', () => {
  it("gives each handler's module-init minus the DynamoDB-client-only baseline", () => {
    const { report, failures } = assessBundles(measurements());

    expect(failures).toEqual([]);
    expect(report.baselines).toEqual([
      { name: 'empty', kb: 0.1, initMs: 0.6 },
      { name: 'dynamodb-client-only', kb: 194.3, initMs: 59.7 },
    ]);
    expect(report.handlers).toEqual([
      { handler: 'messages', kb: 870, ceilingKb: 880, initMs: 140.9, initOverBaselineMs: 81.2 },
      { handler: 'retention-sweep', kb: 409, ceilingKb: 600, initMs: 108.1, initOverBaselineMs: 48.4 },
    ]);
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
    expect(report.handlers[0]).toEqual({ handler: 'messages', kb: 870, ceilingKb: 880, initMs: 140.9 });
  });

  it('fails a bundle above its ceiling', () => {
    const { failures } = assessBundles(
      measurements({ sizesKb: sizes({ empty: 0.1, 'dynamodb-client-only': 194.3, messages: 880.1 }) }),
    );

    expect(failures).toEqual(['bundle messages is 880.1 KB, above its ceiling of 880 KB']);
  });

  it('reports no timing from a single load (--quick): it only checks that each bundle loads', () => {
    const { report, failures } = assessBundles(measurements({ loadsPerBundle: 1 }));

    expect(failures).toEqual([]);
    expect(report.baselines.map((baseline) => baseline.initMs)).toEqual([undefined, undefined]);
    expect(report.handlers.map((handler) => handler.initMs)).toEqual([undefined, undefined]);
  });

  it('prints each handler beside the baselines, with its difference to the DynamoDB-client-only one', () => {
    const lines = formatBundleTable(assessBundles(measurements()).report);

    expect(lines[0]).toMatch(
      /^bundle \(Node\.js v22\.23\.5, median of 9 loads\) +KB +ceiling KB +init ms +− dynamodb-client-only$/,
    );
    expect(lines[1]).toMatch(/^empty \(baseline\) +0\.1 +– +0\.6 +–$/);
    expect(lines[2]).toMatch(/^dynamodb-client-only \(baseline\) +194\.3 +– +59\.7 +–$/);
    expect(lines[3]).toMatch(/^messages +870\.0 +880 +140\.9 +\+81\.2$/);
    expect(lines[4]).toMatch(/^retention-sweep +409\.0 +600 +108\.1 +\+48\.4$/);
  });
});
