/**
 * Issue 7 §6: the 36-month boundary (MASS policy), run through `POST /_local/jobs/purge-inactive` {now} with the
 * server's clock injected. Each test gets tables of its own, so purge watermarks never cross tests.
 */
import { testDocumentClient } from './harness/dynamo';
import { encodePhone, startTestServer, type TestServer } from './harness/local-server';
import { RetentionFixtures, type Fixture } from './helpers/retention-fixtures';

const db = testDocumentClient();
let now: Date;
let server: TestServer;
let fx: RetentionFixtures;

beforeEach(async () => {
  now = new Date('2026-01-15T10:00:00.000Z');
  server = await startTestServer({ clock: () => now });
  fx = new RetentionFixtures(server, db);
});
afterEach(() => server.close());
afterAll(() => db.destroy());

/** Runs the purge at `at`, with the server's clock there too (as EventBridge Scheduler would run it). */
async function purgeAt(at: string): Promise<Record<string, unknown>> {
  now = new Date(at);
  const response = await server.request('POST', '/_local/jobs/purge-inactive', {
    as: null,
    body: { now: at },
  });
  expect(response.status).toBe(200);
  expect(response.body.job).toBe('purge-inactive');
  return response.body.summary as Record<string, unknown>;
}
const readable = async (f: Fixture) =>
  (await server.request('GET', `/v1/subscribers/${encodePhone(f.phone)}`)).status === 200;

describe('the 36-month inactivity boundary', () => {
  it('keeps a subscriber last active at T through a run at T + 36 months - 1 day, and purges it at + 1 day', async () => {
    const f = await fx.subscribe('2026-01-15T10:00:00.000Z');
    await fx.sendMessages(f, 1);

    const before = await purgeAt('2029-01-14T10:00:00.000Z');

    expect(before).toMatchObject({ done: true, purged: 0 });
    expect(await fx.profile(f)).toBeDefined();
    expect(await readable(f)).toBe(true);

    const after = await purgeAt('2029-01-16T10:00:00.000Z');

    expect(after).toMatchObject({ done: true, purged: 1, messagesDeleted: 1 });
    expect(await fx.profile(f)).toBeUndefined();
    expect(await fx.messages(f)).toBe(0);
    expect(await readable(f)).toBe(false);
  });

  it('applies the end-of-month rule: last active on 29 February 2024, gone after 28 February 2027', async () => {
    now = new Date('2024-03-01T09:00:00.000Z');
    const f = await fx.subscribe('2024-02-29T12:00:00.000Z');
    expect(await fx.profile(f)).toMatchObject({ purgeDay: '2027-02-28' });

    expect(await purgeAt('2027-02-27T12:00:00.000Z')).toMatchObject({ purged: 0 });
    expect(await readable(f)).toBe(true);
    // The same day, one hour before the end of the period: still kept.
    expect(await purgeAt('2027-02-28T11:00:00.000Z')).toMatchObject({ purged: 0 });
    expect(await fx.profile(f)).toBeDefined();

    expect(await purgeAt('2027-03-01T12:00:00.000Z')).toMatchObject({ purged: 1 });
    expect(await fx.profile(f)).toBeUndefined();
  });

  it('keeps a held subscriber past the boundary, and purges it once the hold is cleared', async () => {
    const f = await fx.subscribe('2026-01-15T10:00:00.000Z');
    const held = await server.request('PUT', `/v1/subscribers/${encodePhone(f.phone)}/legal-hold`, {
      body: { reason: 'Court order 44/2026' },
    });
    expect(held.status).toBe(200);

    expect(await purgeAt('2029-01-16T10:00:00.000Z')).toMatchObject({ purged: 0 });
    expect(await purgeAt('2029-06-01T10:00:00.000Z')).toMatchObject({ purged: 0 });
    expect(await readable(f)).toBe(true);

    const cleared = await server.request('DELETE', `/v1/subscribers/${encodePhone(f.phone)}/legal-hold`);
    expect(cleared.status).toBe(204);
    // The restored expiry (2029-01-15) lies behind the watermark: the next run walks that bucket again.
    expect(await readable(f)).toBe(false);
    expect(await purgeAt('2029-06-02T03:00:00.000Z')).toMatchObject({ purged: 1 });
    expect(await fx.profile(f)).toBeUndefined();
  });

  it('postpones the purge by an interaction, and an older interaction does not bring it back', async () => {
    const f = await fx.subscribe('2026-01-15T10:00:00.000Z');
    now = new Date('2027-09-15T10:00:00.000Z');
    const interactions = `/v1/subscribers/${encodePhone(f.phone)}/interactions`;
    expect((await server.request('POST', interactions, { body: { type: 'click' } })).status).toBe(204);
    expect(
      (
        await server.request('POST', interactions, {
          body: { type: 'click', at: '2026-06-01T00:00:00.000Z' },
        })
      ).status,
    ).toBe(204);
    expect(await fx.profile(f)).toMatchObject({ purgeDay: '2030-09-15' });

    expect(await purgeAt('2029-01-16T10:00:00.000Z')).toMatchObject({ purged: 0 });
    expect(await purgeAt('2030-09-14T10:00:00.000Z')).toMatchObject({ purged: 0 });
    expect(await fx.profile(f)).toBeDefined();

    expect(await purgeAt('2030-09-16T10:00:00.000Z')).toMatchObject({ purged: 1 });
    expect(await fx.profile(f)).toBeUndefined();
  });
});

describe('POST /_local/jobs/purge-inactive', () => {
  it('refuses a clock that is not a date-time, or an unknown field, with 400 and changes nothing', async () => {
    const f = await fx.subscribe('2026-01-15T10:00:00.000Z');
    const before = await server.snapshot();

    for (const body of [{ now: 'next tuesday' }, { now: '2031-01-01T00:00:00Z', dryRun: true }, { now: 5 }]) {
      const refused = await server.request('POST', '/_local/jobs/purge-inactive', { as: null, body });
      expect({ status: refused.status, type: refused.body.type }).toEqual({
        status: 400,
        type: 'urn:optline:problem:invalid-input',
      });
    }
    expect(await server.snapshot()).toEqual(before);
    expect(await fx.profile(f)).toBeDefined();
  });
});
