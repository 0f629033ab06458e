import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOnce, measureModuleInit, medianMs } from '../../bench/module-init';

/** Writes `source` as index.js in a fresh directory outside the repository, as the bench places a bundle. */
function bundleFile(source: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'optline-init-test-')), 'bundle');
  mkdirSync(dir);
  const file = join(dir, 'index.js');
  writeFileSync(file, source);
  return file;
}

describe('module-init measurement', () => {
  it('times a bundle that loads on its own and exports a handler', () => {
    const ms = loadOnce(process.execPath, bundleFile('exports.handler = async () => ({});'));

    expect(typeof ms).toBe('number');
    expect(ms).toBeGreaterThanOrEqual(0);
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

    expect(ms).toEqual(expect.any(Number));
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

    expect(typeof inits.get('good')).toBe('number');
    expect(inits.get('bad')).toBe('Error: broken at init');
    expect(readFileSync(loads, 'utf8')).toBe('x');
  });

  it('rounds the median to 0.1 ms, averaging the middle pair of an even count', () => {
    expect(medianMs([5, 1, 3])).toBe(3);
    expect(medianMs([4, 1, 2, 3])).toBe(2.5);
    expect(medianMs([1.04, 1.06])).toBe(1.1);
  });
});
