/**
 * Local mode plays End User Messaging's simulator for its US destination numbers: a send to the success number
 * ends `delivered` and one to the failure number `failed`, each through the delivery-status consumer the
 * deployed queue feeds. Any other number keeps today's behaviour: it stays `sent`.
 */
import { US_SIMULATOR_DESTINATIONS } from '../../lambdas/adapters/sms/simulator-destinations';
import { randomPhone, startTestServer, type TestServer } from './harness/local-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

async function subscribeAndSend(phone: string): Promise<string> {
  const subscribed = await server.request('POST', '/v1/subscribers', {
    body: { phone, consent: { source: 'api', noticeVersion: 'v1' } },
  });
  expect([200, 201]).toContain(subscribed.status);
  const sent = await server.request('POST', '/v1/messages', {
    body: { to: phone, body: 'Your code is 123456', category: 'transactional' },
    headers: { 'idempotency-key': `k-${phone}-${Date.now()}` },
  });
  expect(sent.status).toBe(202);
  expect(sent.body.status).toBe('sent');
  return sent.body.messageId as string;
}

const statusOf = async (messageId: string): Promise<string> =>
  (await server.request('GET', `/v1/messages/${messageId}`)).body.status as string;

/** The stored MessageLog item of a message. */
async function loggedItem(messageId: string): Promise<Record<string, unknown>> {
  const items = (await server.snapshot()).MessageLog!.map(
    (json) => JSON.parse(json as string) as Record<string, unknown>,
  );
  return items.find((item) => item.messageId === messageId)!;
}

describe('local outbox as the End User Messaging simulator', () => {
  it('marks a message to the success number delivered', async () => {
    const messageId = await subscribeAndSend(US_SIMULATOR_DESTINATIONS.success);

    await server.deliveryEvents.idle();

    expect(await statusOf(messageId)).toBe('delivered');
    expect(server.deliveryEvents.deadLetters).toEqual([]);
  });

  it('marks a message to the failure number failed, with the event type the consumer stores', async () => {
    const messageId = await subscribeAndSend(US_SIMULATOR_DESTINATIONS.failure);

    await server.deliveryEvents.idle();

    expect(await statusOf(messageId)).toBe('failed');
    // The consumer's store writes the event type as the failure code.
    expect(await loggedItem(messageId)).toMatchObject({ status: 'failed', failureCode: 'TEXT_UNREACHABLE' });
  });

  it('leaves a message to any other number sent, as before', async () => {
    const messageId = await subscribeAndSend(randomPhone());

    await server.deliveryEvents.idle();

    expect(await statusOf(messageId)).toBe('sent');
    expect(await loggedItem(messageId)).not.toHaveProperty('failureCode');
  });
});
