/**
 * Every read treats an item past its `expiresAt` as absent (DESIGN §3): DynamoDB TTL deletes late, so an expired
 * item can still be stored for days. The subscriber, message and consent reads are covered by their own tests;
 * this one covers the data-subject request records, which are kept 5 years after completion.
 */
import { addCalendarMonths } from '../../lambdas/domain/retention';
import { randomPhone, startTestServer, type TestServer } from './harness/local-server';

let now = new Date('2026-04-01T09:00:00.000Z');
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ clock: () => now });
});
afterAll(() => server.close());

describe('a completed data-subject request', () => {
  it('is readable until 5 years after completion, and absent after, before TTL has removed it', async () => {
    const phone = randomPhone();
    expect(
      (
        await server.request('POST', '/v1/subscribers', {
          body: { phone, consent: { source: 'api', noticeVersion: 'v1' } },
        })
      ).status,
    ).toBe(201);
    const opened = await server.request('POST', '/v1/dsr', {
      as: 'demo',
      body: { type: 'restriction', phone, verification: { method: 'sms_otp', reference: 'otp-7' } },
    });
    expect(opened.status).toBe(202);
    await server.dsrQueue.idle();
    const path = `/v1/dsr/${opened.body.requestId as string}`;
    const done = await server.request('GET', path);
    expect(done.body).toMatchObject({ status: 'completed', completedAt: now.toISOString() });

    const completedAt = new Date(done.body.completedAt as string);
    now = new Date(addCalendarMonths(completedAt, 60).getTime() - 86_400_000);
    expect((await server.request('GET', path)).status).toBe(200);

    now = new Date(addCalendarMonths(completedAt, 60).getTime() + 86_400_000);
    const gone = await server.request('GET', path);
    expect(gone.status).toBe(404);
    expect(gone.body.type).toBe('urn:optline:problem:not-found');
  });
});
