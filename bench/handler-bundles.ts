/**
 * The bundle part of `npm run bench`: every handler bundled as deployed, held to its ceiling, loaded on its own
 * on Node.js 22, and (full run) its module-init beside two baselines bundled the same way, an empty handler and
 * one that only creates a DynamoDB client. What a handler costs at cold start is its figure minus the second.
 */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASELINES, bundleHandler, handlerNames } from './bundle';
import { bundleBudgetProblem, ceilingKb } from './bundle-budget';
import { measureModuleInit } from './module-init';
import type { Node22 } from './node22';

/** The baseline a handler's module-init is compared with. */
export const COMPARED_BASELINE = 'dynamodb-client-only';

export interface BaselineFigures {
  readonly name: string;
  readonly kb: number;
  readonly initMs?: number;
}

export interface HandlerFigures {
  readonly handler: string;
  readonly kb: number;
  readonly ceilingKb: number;
  readonly initMs?: number;
  /** `initMs` minus the DynamoDB-client-only baseline's. */
  readonly initOverBaselineMs?: number;
}

export interface BundleReport {
  /** The Node.js that loaded the bundles. */
  readonly node: string;
  /** Fresh processes per bundle; module-init is their median (1: load check only, no timing). */
  readonly loadsPerBundle: number;
  readonly baselines: readonly BaselineFigures[];
  readonly handlers: readonly HandlerFigures[];
}

export interface BundleMeasurements {
  readonly node: string;
  readonly loadsPerBundle: number;
  /** Minified size of each bundle (handlers and baselines), KB. */
  readonly sizesKb: ReadonlyMap<string, number>;
  /** Module-init of each bundle, ms, or why it did not load. */
  readonly inits: ReadonlyMap<string, number | string>;
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
  const initOf = (name: string): number | undefined => {
    const init = measured.inits.get(name);
    if (typeof init === 'string') failures.push(`bundle ${name} does not load on its own: ${init}`);
    if (init === undefined) failures.push(`bundle ${name} was not loaded`);
    return timed && typeof init === 'number' ? init : undefined;
  };
  const baselines = BASELINES.map((name) => {
    const initMs = initOf(name);
    return { name, kb: measured.sizesKb.get(name)!, ...(initMs === undefined ? {} : { initMs }) };
  });
  const baselineMs = baselines.find((baseline) => baseline.name === COMPARED_BASELINE)?.initMs;
  const handlers = [...measured.sizesKb.keys()]
    .filter((name) => !(BASELINES as readonly string[]).includes(name))
    .map((handler): HandlerFigures => {
      const kb = measured.sizesKb.get(handler)!;
      const overBudget = bundleBudgetProblem(handler, kb);
      if (overBudget) failures.push(overBudget);
      const initMs = initOf(handler);
      return {
        handler,
        kb,
        ceilingKb: ceilingKb(handler),
        ...(initMs === undefined ? {} : { initMs }),
        ...(initMs === undefined || baselineMs === undefined
          ? {}
          : { initOverBaselineMs: round1(initMs - baselineMs) }),
      };
    });
  return {
    report: { node: measured.node, loadsPerBundle: measured.loadsPerBundle, baselines, handlers },
    failures,
  };
}

/** The report as a table: each handler's size, ceiling and module-init beside the baselines. */
export function formatBundleTable(report: BundleReport): string[] {
  const timing = report.loadsPerBundle > 1 ? `median of ${report.loadsPerBundle} loads` : 'load check only';
  const header = [
    `bundle (Node.js ${report.node}, ${timing})`,
    'KB',
    'ceiling KB',
    'init ms',
    `− ${COMPARED_BASELINE}`,
  ];
  const cell = (value: number | undefined, sign = false): string =>
    value === undefined ? '–' : `${sign && value >= 0 ? '+' : ''}${value.toFixed(1)}`;
  const lines = [
    ...report.baselines.map((b) => [`${b.name} (baseline)`, cell(b.kb), '–', cell(b.initMs), '–']),
    ...report.handlers.map((h) => [
      h.handler,
      cell(h.kb),
      String(h.ceilingKb),
      cell(h.initMs),
      cell(h.initOverBaselineMs, true),
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
  return assessBundles({
    node: node.version,
    loadsPerBundle: rounds,
    sizesKb,
    inits: measureModuleInit(node.path, paths, rounds),
  });
}
