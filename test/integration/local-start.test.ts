/**
 * `npm start` in its default, persistent mode: it must start in a directory that has never held data (a fresh
 * clone), keep its data across a restart, and, when DynamoDB Local cannot start, say why in Java's own words.
 * These tests start their own DynamoDB Local, as `npm start` does, instead of the shared one of the harness.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalServer } from '../../local/server';

const PHONE = '+447400900123';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'optline-start-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test inspects arbitrary JSON
async function call(url: string, method: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method,
    headers: {
      authorization: 'Bearer local-demo',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

describe('npm start (persistent mode)', () => {
  it('starts in a directory that has never held data and keeps its data across a restart', async () => {
    // GIVEN a data directory that does not exist yet, as on a fresh clone
    const dataDir = join(root, '.optline', 'eu');
    expect(existsSync(dataDir)).toBe(false);

    // WHEN the server starts there and a subscriber is added
    const first = await startLocalServer({ port: 0, dataDir });
    let subscriberId: string;
    try {
      const created = await call(`${first.url}/v1/subscribers`, 'POST', {
        phone: PHONE,
        consent: { source: 'api', noticeVersion: 'v1' },
      });
      expect(created.status).toBe(201);
      subscriberId = created.body.subscriberId;
    } finally {
      await first.close();
    }

    // THEN the database lives in the data directory, and a restarted server still knows the subscriber
    expect(existsSync(join(dataDir, 'dynamodb'))).toBe(true);
    const second = await startLocalServer({ port: 0, dataDir });
    try {
      const profile = await call(`${second.url}/v1/subscribers/${encodeURIComponent(PHONE)}`, 'GET');
      expect(profile.status).toBe(200);
      expect(profile.body).toMatchObject({ subscriberId, phone: PHONE, status: 'active' });
    } finally {
      await second.close();
    }
  }, 180_000);

  it("reports DynamoDB Local's own message when it cannot start", async () => {
    // GIVEN a data directory whose database path is a regular file
    const dataDir = join(root, '.optline', 'eu');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'dynamodb'), 'not a directory');

    // WHEN the server starts THEN it fails with what Java said, not a guess about the Java version
    const failure = startLocalServer({ port: 0, dataDir });
    await expect(failure).rejects.toThrow(/DynamoDB Local exited .*during start-up/);
    await expect(failure).rejects.toThrow(/Invalid directory for database creation/);
    await expect(failure).rejects.not.toThrow(/Java 17/);
  }, 60_000);
});
