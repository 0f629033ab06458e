/**
 * `npx tsx bench/bundle-composition.ts <handler>`: what a handler bundle is made of, in minified KB per npm
 * package (and per folder of optline's own code), largest first. The figures behind docs/bundles.md.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleHandler, handlerNames } from './bundle';

const handler = process.argv[2];
if (!handler || !handlerNames().includes(handler)) {
  console.error(`usage: npx tsx bench/bundle-composition.ts <${handlerNames().join('|')}>`);
  process.exit(2);
}

const metafile = bundleHandler(handler, join(mkdtempSync(join(tmpdir(), 'optline-bundle-')), 'index.js'));
const output = Object.values(metafile.outputs).find((entry) => entry.entryPoint !== undefined)!;
const bytesByPart = new Map<string, number>();
for (const [file, input] of Object.entries(output.inputs)) {
  // The innermost package a file belongs to, or the first two folders of optline's own code.
  const packages = [...file.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
  const part = packages.at(-1)?.[1] ?? file.split('/').slice(0, 2).join('/');
  bytesByPart.set(part, (bytesByPart.get(part) ?? 0) + input.bytesInOutput);
}
const kb = (bytes: number): string => (bytes / 1024).toFixed(1).padStart(7);
console.log(`${kb(output.bytes)}  ${handler} (whole bundle)`);
for (const [part, bytes] of [...bytesByPart].sort((a, b) => b[1] - a[1])) {
  if (bytes >= 1024) console.log(`${kb(bytes)}  ${part}`);
}
