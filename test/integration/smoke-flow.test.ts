/**
 * The smoke flow of `npm run smoke`, run against a test server of the local harness, so `npm test` covers the
 * same flow CI runs against `npm start` and a platform engineer runs against a deployed cell.
 */
import { US_SIMULATOR_DESTINATIONS } from '../../lambdas/adapters/sms/simulator-destinations';
import type { SmsSender } from '../../lambdas/domain/sms';
import { runSmokeFlow, SMOKE_STEPS, SmokeStepFailed } from '../../scripts/smoke/flow';
import { startTestServer, type TestServer } from './harness/local-server';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('npm run smoke, against a local server', () => {
  it('passes every step, in order, and can run again on the same data', async () => {
    // GIVEN a local server
    server = await startTestServer();
    const lines: string[] = [];

    // WHEN the flow runs twice (a second run finds what the first one kept: the opt-out, the consent proof)
    await runSmokeFlow(
      { baseUrl: server.url, token: 'local-demo' },
      { log: (l) => lines.push(l), waitMs: 10_000, pollMs: 50 },
    );
    await runSmokeFlow(
      { baseUrl: server.url, token: 'local-demo' },
      { log: (l) => lines.push(l), waitMs: 10_000, pollMs: 50 },
    );

    // THEN each run logged every step once, in order
    const steps = lines.map((line) => line.match(/^ok (\d+)\/9 ([^:]+):/)?.slice(1, 3));
    const once = SMOKE_STEPS.map((step, i) => [String(i + 1), step]);
    expect(steps).toStrictEqual([...once, ...once]);
    // AND the delivery events went through the delivery-status consumer: nothing was dead-lettered
    await server.deliveryEvents.idle();
    expect(server.deliveryEvents.deadLetters).toEqual([]);
    // AND both subscribers are gone again
    for (const phone of Object.values(US_SIMULATOR_DESTINATIONS)) {
      const profile = await server.client().GET('/v1/subscribers/{phone}', { params: { path: { phone } } });
      expect(profile.response.status).toBe(404);
    }
  }, 60_000);

  it('stops at the first step that fails, with what it expected and what came back', async () => {
    // GIVEN a server whose "provider" takes messages to the success number but never reports on them
    const silent = (outbox: SmsSender): SmsSender => ({
      send: async (message, config) =>
        message.to === US_SIMULATOR_DESTINATIONS.success
          ? { channel: 'outbox' }
          : outbox.send(message, config),
    });
    server = await startTestServer({ wrapSender: silent });
    const lines: string[] = [];

    // WHEN the flow runs
    const run = runSmokeFlow(
      { baseUrl: server.url, token: 'local-demo' },
      { log: (l) => lines.push(l), waitMs: 1_000, pollMs: 50 },
    );

    // THEN it fails at "delivered", saying it waited for "delivered" and still saw "sent"
    await expect(run).rejects.toThrow(SmokeStepFailed);
    const failure = (await run.catch((error: unknown) => error)) as SmokeStepFailed;
    expect(failure.step).toBe('delivered');
    expect(failure.expected).toMatch(/status "delivered" within 1 s/);
    expect(failure.received).toMatch(/^still HTTP 200 .*"status":"sent"/);
    // AND no later step ran
    expect(lines).toHaveLength(2);
  }, 30_000);

  it('reports a wrong answer at once, with the status and body it got', async () => {
    server = await startTestServer();

    const run = runSmokeFlow(
      { baseUrl: server.url, token: 'not-a-token' },
      { log: () => undefined, waitMs: 1_000 },
    );

    await expect(run).rejects.toMatchObject({
      step: 'subscribe',
      expected: 'HTTP 201 or 200 with status "active"',
      received: expect.stringMatching(/^HTTP 401 \{"type":"urn:optline:problem:unauthorized"/),
    });
  }, 30_000);
});
