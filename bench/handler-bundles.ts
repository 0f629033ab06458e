/**
 * The bundle part of `npm run bench`: every handler bundled as deployed, held to its ceiling, loaded on its own
 * on Node.js 22, and (full run) its module-init beside two baselines bundled the same way, an empty handler and
 * one that only creates a DynamoDB client. What a handler costs at cold start is its figure minus the second.
 */
import { mkdtempSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASELINES, bundleHandler, handlerNames } from './bundle';
import { bundleBudgetProblem, ceilingKb } from './bundle-budget';
import { type InitTimes, measureModuleInit } from './module-init';
import type { Node22 } from './node22';

/** The baseline a handler's module-init is compared with. */
export const COMPARED_BASELINE = 'dynamodb-client-only';

export interface BaselineFigures {
  readonly name: string;
  readonly kb: number;
  readonly initMs?: number;
  readonly initCpuMs?: number;
}

export interface HandlerFigures {
  readonly handler: string;
  readonly kb: number;
  readonly ceilingKb: number;
  readonly initMs?: number;
  readonly initCpuMs?: number;
  /** `initMs` minus the DynamoDB-client-only baseline's. */
  readonly initOverBaselineMs?: number;
  /** `initCpuMs` minus the DynamoDB-client-only baseline's. */
  readonly initCpuOverBaselineMs?: number;
}

export interface BundleReport {
  /** The Node.js that loaded the bundles. */
  readonly node: string;
  /** Fresh processes per bundle; module-init is their median (1: load check only, no timing). */
  readonly loadsPerBundle: number;
  /** The machine's 1-minute load average and cores when the loads began: wall-clock times grow with load. */
  readonly machine?: { readonly loadAverage: number; readonly cores: number };
  readonly baselines: readonly BaselineFigures[];
  readonly handlers: readonly HandlerFigures[];
}

export interface BundleMeasurements {
  readonly node: string;
  readonly loadsPerBundle: number;
  readonly machine?: BundleReport['machine'];
  /** Minified size of each bundle (handlers and baselines), KB. */
  readonly sizesKb: ReadonlyMap<string, number>;
  /** Module-init of each bundle, or why it did not load. */
  readonly inits: ReadonlyMap<string, InitTimes | string>;
}

const round1 = (value: number): number => Math.round(value * 10) / 10;

/**
 * Turns measurements into the report and the structural failures: a bundle above its ceiling (or one whose
 * ceiling is stale), or any bundle that does not load on its own. Timings are reported only when
 * `loadsPerBundle` > 1; a single load is a check, not a measurement.
 */
export function assessBundles(measured: BundleMeasurements): { report: BundleReport; failures: string[] } {
  const failures: string[] = [];
  const timed = measured.loadsPerBundle > 1;
  const initOf = (name: string): { initMs: number; initCpuMs: number } | undefined => {
    const init = measured.inits.get(name);
    if (typeof init === 'string') failures.push(`bundle ${name} does not load on its own: ${init}`);
    if (init === undefined) failures.push(`bundle ${name} was not loaded`);
    return timed && typeof init === 'object' ? { initMs: init.wallMs, initCpuMs: init.cpuMs } : undefined;
  };
  const baselines = BASELINES.map((name) => ({ name, kb: measured.sizesKb.get(name)!, ...initOf(name) }));
  const baseline = baselines.find((entry) => entry.name === COMPARED_BASELINE);
  const handlers = [...measured.sizesKb.keys()]
    .filter((name) => !(BASELINES as readonly string[]).includes(name))
    .map((handler): HandlerFigures => {
      const kb = measured.sizesKb.get(handler)!;
      const overBudget = bundleBudgetProblem(handler, kb);
      if (overBudget) failures.push(overBudget);
      const init = initOf(handler);
      return {
        handler,
        kb,
        ceilingKb: ceilingKb(handler),
        ...init,
        ...(init && baseline?.initMs !== undefined && baseline.initCpuMs !== undefined
          ? {
              initOverBaselineMs: round1(init.initMs - baseline.initMs),
              initCpuOverBaselineMs: round1(init.initCpuMs - baseline.initCpuMs),
            }
          : {}),
      };
    });
  return {
    report: {
      node: measured.node,
      loadsPerBundle: measured.loadsPerBundle,
      ...(measured.machine ? { machine: measured.machine } : {}),
      baselines,
      handlers,
    },
    failures,
  };
}

/** The report as a table: each handler's size, ceiling and module-init beside the baselines. */
export function formatBundleTable(report: BundleReport): string[] {
  const timing = report.loadsPerBundle > 1 ? `median of ${report.loadsPerBundle} loads` : 'load check only';
  const load = report.machine ? `, load ${report.machine.loadAverage} on ${report.machine.cores} cores` : '';
  const header = [
    `bundle (Node.js ${report.node}, ${timing}${load})`,
    'KB',
    'ceiling KB',
    'init ms',
    `− ${COMPARED_BASELINE}`,
    'CPU ms',
    `− ${COMPARED_BASELINE}`,
  ];
  const cell = (value: number | undefined, sign = false): string =>
    value === undefined ? '–' : `${sign && value >= 0 ? '+' : ''}${value.toFixed(1)}`;
  const lines = [
    ...report.baselines.map((b) => [
      `${b.name} (baseline)`,
      cell(b.kb),
      '–',
      cell(b.initMs),
      '–',
      cell(b.initCpuMs),
      '–',
    ]),
    ...report.handlers.map((h) => [
      h.handler,
      cell(h.kb),
      String(h.ceilingKb),
      cell(h.initMs),
      cell(h.initOverBaselineMs, true),
      cell(h.initCpuMs),
      cell(h.initCpuOverBaselineMs, true),
    ]),
  ];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => line[column]!.length)),
  );
  const render = (line: readonly string[]): string =>
    line
      .map((text, column) => (column === 0 ? text.padEnd(widths[0]!) : text.padStart(widths[column]!)))
      .join('  ');
  return [render(header), ...lines.map(render)];
}

/**
 * Bundles every handler and both baselines into a fresh temporary directory, which has no node_modules above it,
 * and loads each with `node`: once (`quick`, a check that it loads on its own), or `rounds` times for module-init.
 */
export function measureBundles(node: Node22, rounds: number): { report: BundleReport; failures: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'optline-bundles-'));
  const sizesKb = new Map<string, number>();
  const paths = new Map<string, string>();
  for (const name of [...BASELINES, ...handlerNames()]) {
    const outfile = join(dir, name, 'index.js');
    bundleHandler(name, outfile);
    sizesKb.set(name, round1(statSync(outfile).size / 1024));
    paths.set(name, outfile);
  }
  const machine = { loadAverage: round1(loadavg()[0]!), cores: cpus().length };
  return assessBundles({
    node: node.version,
    loadsPerBundle: rounds,
    ...(rounds > 1 ? { machine } : {}),
    sizesKb,
    inits: measureModuleInit(node.path, paths, rounds),
  });
}
