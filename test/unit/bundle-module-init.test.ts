import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type InitTimes, loadOnce, measureModuleInit, medianMs } from '../../bench/module-init';

/** Writes `source` as index.js in a fresh directory outside the repository, as the bench places a bundle. */
function bundleFile(source: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'optline-init-test-')), 'bundle');
  mkdirSync(dir);
  const file = join(dir, 'index.js');
  writeFileSync(file, source);
  return file;
}

describe('module-init measurement', () => {
  it('times a bundle that loads on its own and exports a handler, in CPU time and wall-clock time', () => {
    // GIVEN a bundle that keeps the CPU busy for 30 ms of its own CPU time while it loads
    const spin = 'const s = process.cpuUsage(); while (process.cpuUsage(s).user < 30_000);';

    const times = loadOnce(process.execPath, bundleFile(`${spin} exports.handler = async () => ({});`));

    expect(times).toEqual({ wallMs: expect.any(Number), cpuMs: expect.any(Number) });
    const { wallMs, cpuMs } = times as InitTimes;
    expect(cpuMs).toBeGreaterThanOrEqual(30);
    expect(wallMs).toBeGreaterThanOrEqual(30);
  });

  it('counts a bundle that waits while it loads in wall-clock time only', () => {
    // GIVEN a bundle that sleeps 60 ms while it loads
    const sleep = 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60);';

    const { wallMs, cpuMs } = loadOnce(
      process.execPath,
      bundleFile(`${sleep} exports.handler = () => 0;`),
    ) as InitTimes;

    expect(wallMs).toBeGreaterThanOrEqual(60);
    expect(cpuMs).toBeLessThan(30);
  });

  it('refuses a bundle that needs a package it left out, even one the repository has installed', () => {
    // esbuild is in the repository's node_modules, but not above the bundle's directory.
    const ms = loadOnce(
      process.execPath,
      bundleFile("require('esbuild'); exports.handler = async () => ({});"),
    );

    expect(ms).toMatch(/Cannot find module 'esbuild'/);
  });

  it('refuses a bundle without a handler export', () => {
    expect(loadOnce(process.execPath, bundleFile('exports.other = 1;'))).toMatch(/no handler export/);
  });

  it('loads as a deployed function starts: its environment, and source maps on', () => {
    const ms = loadOnce(
      process.execPath,
      bundleFile(
        "if (!process.env.TABLE_SUBSCRIBERS) throw new Error('no table configured');" +
          "if (!process.sourceMapsEnabled) throw new Error('source maps off');" +
          'exports.handler = () => 0;',
      ),
    );

    expect(ms).toEqual({ wallMs: expect.any(Number), cpuMs: expect.any(Number) });
  });

  it('takes the median of several loads and stops loading a bundle after its first failure', () => {
    const good = bundleFile('exports.handler = () => 0;');
    const loads = join(mkdtempSync(join(tmpdir(), 'optline-init-test-')), 'loads');
    const bad = bundleFile(
      `require('node:fs').appendFileSync(${JSON.stringify(loads)}, 'x'); throw new Error('broken at init');`,
    );

    const inits = measureModuleInit(
      process.execPath,
      new Map([
        ['good', good],
        ['bad', bad],
      ]),
      3,
    );

    expect(inits.get('good')).toEqual({ wallMs: expect.any(Number), cpuMs: expect.any(Number) });
    expect(inits.get('bad')).toBe('Error: broken at init');
    expect(readFileSync(loads, 'utf8')).toBe('x');
  });

  it('rounds the median to 0.1 ms, averaging the middle pair of an even count', () => {
    expect(medianMs([5, 1, 3])).toBe(3);
    expect(medianMs([4, 1, 2, 3])).toBe(2.5);
    expect(medianMs([1.04, 1.06])).toBe(1.1);
  });
});
