import { randomUUID } from 'node:crypto';
import type { DsrQueue } from '../../lambdas/domain/dsr-ports';
import { logger } from '../../lambdas/shared/powertools';
import { randomPhone, startTestServer, type TestServer } from './harness/local-server';

/** DSR routes and the worker log ids and outcomes only: no phone number, no message body, no evidence. */
describe('DSR logs', () => {
  let server: TestServer;
  let failEnqueue = true;
  const written: string[] = [];
  let spies: jest.SpyInstance[];

  beforeAll(async () => {
    server = await startTestServer({
      wrapDsrQueue: (queue): DsrQueue => ({
        enqueue: async (item) => {
          if (failEnqueue) {
            failEnqueue = false;
            throw new Error(`queue down for ${item.requestId}`);
          }
          return queue.enqueue(item);
        },
      }),
    });
    logger.setLogLevel('DEBUG');
    // Warnings and errors go to stderr.
    spies = [process.stdout, process.stderr].map((stream) =>
      jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      }),
    );
  });
  afterAll(async () => {
    for (const spy of spies) spy.mockRestore();
    logger.setLogLevel('SILENT');
    await server.close();
  });

  it('never contain a phone number, a message body or the verification reference', async () => {
    const phone = randomPhone();
    const secretBody = 'body-5c1e-never-logged';
    const reference = 'reference-77aa-never-logged';
    const verification = { method: 'document', reference };
    await server.request('POST', '/v1/subscribers', {
      body: { phone, consent: { source: 'api', noticeVersion: 'v1' } },
    });
    await server.request('POST', '/v1/messages', {
      body: { to: phone, body: secretBody, category: 'transactional' },
      headers: { 'idempotency-key': randomUUID() },
    });
    const ids: string[] = [];
    for (const type of ['access', 'rectification', 'restriction', 'objection', 'erasure']) {
      const accepted = await server.request('POST', '/v1/dsr', {
        body: {
          type,
          phone,
          verification,
          ...(type === 'rectification' ? { changes: { locale: 'de' } } : {}),
        },
      });
      ids.push(accepted.body.requestId as string);
      await server.dsrQueue.idle();
    }
    for (const id of ids) await server.request('GET', `/v1/dsr/${id}`);
    await server.request('POST', `/v1/dsr/${ids[0]}/extend`, { body: { reason: 'closed already' } });
    await server.request('POST', '/v1/dsr', { body: { type: 'access', phone: `${phone}x`, verification } });

    const logs = written.join('');
    expect(logs).toContain('"operationId":"createDsr"');
    expect(logs).toContain('DSR processed');
    expect(logs).toContain('stored but not queued');
    expect(logs).not.toMatch(/(?<![0-9a-f-])\+?\d{9,15}(?![0-9a-f-])/i);
    expect(logs).not.toContain(phone.slice(-6));
    expect(logs).not.toContain(secretBody);
    expect(logs).not.toContain(reference);
  });
});
