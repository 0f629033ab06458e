/**
 * client/openapi.d.ts is committed, so applications and the console can use it without running the generator.
 * It must be what `npm run client` makes from the current OpenAPI document: otherwise the typed client, and every
 * test and smoke step that goes through it, would check calls against an API that no longer exists.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildOpenApiDocument } from '../../lambdas/api/openapi';

const root = join(__dirname, '..', '..');

/**
 * The generator runs in a child process: openapi-typescript needs ES modules (change-case) that jest's
 * CommonJS runtime cannot load. It renders the in-memory document to stdout and writes no file.
 */
async function generatedTypes(): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', join(root, 'client', 'generate-types.ts'), '--print'],
    { cwd: root, maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout;
}

/** The first line where two texts differ, to say where the committed file is stale. */
function firstDifference(committed: string, generated: string): string | undefined {
  const a = committed.split('\n');
  const b = generated.split('\n');
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? (a.length === b.length ? -1 : Math.min(a.length, b.length)) : line;
  if (at === -1) return undefined;
  return `line ${at + 1}: committed ${JSON.stringify(a[at])}, generated ${JSON.stringify(b[at])}`;
}

describe('client/openapi.d.ts', () => {
  let generated: string;
  beforeAll(async () => {
    generated = await generatedTypes();
  }, 60_000);

  it('is what npm run client generates from the current OpenAPI document (run it after changing the API)', () => {
    const committed = readFileSync(join(root, 'client', 'openapi.d.ts'), 'utf8');

    expect(firstDifference(committed, generated)).toBeUndefined();
    expect(committed).toBe(generated);
  });

  it('describes every path and operation of the document', () => {
    const document = buildOpenApiDocument() as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    const paths = Object.keys(document.paths);
    const operationIds = Object.values(document.paths).flatMap((item) =>
      Object.values(item).map((operation) => operation.operationId),
    );

    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) expect(generated).toContain(`    "${path}": {\n`);
    for (const id of operationIds) expect(generated).toContain(`    ${id}: {\n`);
  });
});
