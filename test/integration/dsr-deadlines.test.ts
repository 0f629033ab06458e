import type { DsrQueue } from '../../lambdas/domain/dsr-ports';
import { randomPhone, startTestServer, type TestServer } from './harness/local-server';

/** The daily dsr-deadlines job, run through `POST /_local/jobs/dsr-deadlines` against DynamoDB Local. */
const START = new Date('2026-11-24T12:00:00Z');
const DAY = 86_400_000;
const verification = { method: 'email', reference: 'ticket-1' };
let server: TestServer;
let delivering = false;

beforeAll(async () => {
  server = await startTestServer({
    clock: () => START,
    // Until a test lets it deliver, the queue drops every message: requests stay open, as after a lost send.
    wrapDsrQueue: (queue): DsrQueue => ({
      enqueue: async (item) => (delivering ? queue.enqueue(item) : undefined),
    }),
  });
});
afterAll(() => server.close());

const runJob = async (now: Date) => {
  const response = await server.request('POST', '/_local/jobs/dsr-deadlines', {
    as: null,
    body: { now: now.toISOString() },
  });
  expect(response.status).toBe(200);
  expect(response.body.job).toBe('dsr-deadlines');
  return response.body.summary as Record<string, number>;
};

describe('the dsr-deadlines job', () => {
  let requestId: string;
  let extendedId: string;

  beforeAll(async () => {
    const opened = await server.request('POST', '/v1/dsr', {
      body: { type: 'access', phone: randomPhone(), verification },
    });
    requestId = opened.body.requestId as string;
    const other = await server.request('POST', '/v1/dsr', {
      body: { type: 'erasure', phone: randomPhone(), verification },
    });
    extendedId = other.body.requestId as string;
    const extended = await server.request('POST', `/v1/dsr/${extendedId}/extend`, {
      body: { reason: 'Many systems to search' },
    });
    expect(extended.status).toBe(200);
  });

  it('counts nothing due while the deadlines are far away, and publishes the zeros', async () => {
    const summary = await runJob(new Date(START.getTime() + DAY));

    expect(summary).toMatchObject({ received: 2, dueSoon: 0, overdue: 0 });
    expect(server.metrics.last('DsrDueSoon')).toBe(0);
    expect(server.metrics.last('DsrOverdue')).toBe(0);
  });

  it('counts a request 3 days before its deadline as due soon, but not the extended one', async () => {
    const summary = await runJob(new Date(Date.parse('2026-12-24T12:00:00Z') - 3 * DAY));

    expect(summary).toMatchObject({ dueSoon: 1, overdue: 0 });
    expect(server.metrics.last('DsrDueSoon')).toBe(1);
  });

  it('counts it overdue a day after its deadline, while the extended one is still in time', async () => {
    const summary = await runJob(new Date(Date.parse('2026-12-24T12:00:00Z') + DAY));

    expect(summary).toMatchObject({ dueSoon: 0, overdue: 1 });
    expect(server.metrics.last('DsrOverdue')).toBe(1);
  });

  it('counts the extended one overdue only after its extended deadline', async () => {
    const summary = await runJob(new Date(Date.parse('2027-01-24T12:00:00Z') + 1));

    expect(summary).toMatchObject({ overdue: 2 });
  });

  it('puts requests that never reached the queue back on it, and the worker completes them', async () => {
    delivering = true;
    const summary = await runJob(new Date(START.getTime() + 10 * 60_000));
    await server.dsrQueue.idle();

    expect(summary).toMatchObject({ requeued: 2, requeueFailed: 0 });
    expect((await server.request('GET', `/v1/dsr/${requestId}`)).body.status).toBe('completed');
    expect((await server.request('GET', `/v1/dsr/${extendedId}`)).body.status).toBe('completed');
    const after = await runJob(new Date(START.getTime() + 20 * 60_000));
    expect(after).toMatchObject({ received: 0, requeued: 0, dueSoon: 0, overdue: 0 });
  });
});
