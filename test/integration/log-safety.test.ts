import { logger } from '../../lambdas/shared/powertools';
import { encodePhone, randomPhone, startTestServer, type TestServer } from './harness/local-server';

/** Handler logs carry ids and outcomes only: no phone number (in any format) and no body text. */
describe('handler logs', () => {
  let server: TestServer;
  const written: string[] = [];
  let spy: jest.SpyInstance;

  beforeAll(async () => {
    server = await startTestServer();
    logger.setLogLevel('DEBUG');
    spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  });
  afterAll(async () => {
    spy.mockRestore();
    logger.setLogLevel('SILENT');
    await server.close();
  });

  it('never contain a phone number or a request body, whatever the outcome', async () => {
    const phone = randomPhone();
    const national = `0${phone.slice(3)}`;
    const secretNotice = 'notice-7f3a-never-logged';
    const path = `/v1/subscribers/${encodePhone(phone)}`;

    await server.request('POST', '/v1/subscribers', {
      body: {
        phone,
        consent: { source: 'api', noticeVersion: secretNotice, userAgent: 'agent-x9-never-logged' },
      },
    });
    await server.request('POST', '/v1/subscribers', {
      body: { phone, consent: { source: 'api', noticeVersion: secretNotice } },
    });
    await server.request('GET', path);
    await server.request('PATCH', path, { body: { timeZone: 'Europe/London' } });
    await server.request('POST', `${path}/interactions`, { body: { type: 'click' } });
    await server.request('GET', `/v1/subscribers/${encodePhone(randomPhone())}`);
    await server.request('POST', '/v1/subscribers', {
      body: { phone: national, consent: { source: 'api', noticeVersion: secretNotice } },
    });
    await server.request('POST', '/v1/subscribers', { rawBody: `{"phone":"${phone}", broken` });
    await server.request('GET', path, { as: null });
    // Sends: accepted, refused by the content policy, refused for an unknown recipient, and after STOP.
    const secretBody = 'body-5c1e-never-logged';
    const sendAs = (to: string, body: string) =>
      server.request('POST', '/v1/messages', {
        body: { to, body, category: 'transactional' },
        headers: { 'idempotency-key': `k-${Math.random()}` },
      });
    const accepted = await sendAs(phone, secretBody);
    expect(accepted.status).toBe(202);
    await sendAs(phone, `${secretBody} ${'x'.repeat(2000)}`);
    await sendAs(randomPhone(), secretBody);
    await server.request('GET', `/v1/messages/${accepted.body.messageId as string}`);
    await server.request('POST', '/_local/inbound', { as: null, body: { from: phone, body: 'HELP me now' } });
    await server.request('POST', '/_local/inbound', { as: null, body: { from: phone, body: 'STOP' } });
    await sendAs(phone, secretBody);

    const logs = written.join('');
    expect(logs).toContain('"operationId":"createSubscriber"');
    expect(logs).toContain('"operationId":"sendMessage"');
    expect(logs).toContain('"problem":"content-rejected"');
    expect(logs).toContain('"problem":"recipient-opted-out"');
    expect(logs).toContain('"problem":"not-found"');
    // A run of 9+ digits that is not part of a request id (UUID segments sit between dashes).
    expect(logs).not.toMatch(/(?<![0-9a-f-])\+?\d{9,15}(?![0-9a-f-])/i);
    expect(logs).not.toContain(phone.slice(-6));
    expect(logs).not.toContain(national);
    expect(logs).not.toContain(secretNotice);
    expect(logs).not.toContain('agent-x9-never-logged');
    expect(logs).not.toContain('Europe/London');
    expect(logs).not.toContain(secretBody);
    expect(logs).not.toContain('HELP me now');
  });
});
