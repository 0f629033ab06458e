import { connect } from 'node:net';
import { startTestServer, type TestServer } from './harness/local-server';

/**
 * Requests the local server cannot take apart: a request line or header node:http refuses (answered from its
 * `clientError` event, before any handler runs), a target URL cannot read, and an export key that is not
 * percent-encoding. Each gets a 4xx problem+json, never a 500 or node's bare 400, and nothing stored changes.
 */
let server: TestServer;
let before: Record<string, unknown[]>;

beforeAll(async () => {
  server = await startTestServer();
  before = await server.snapshot();
});
afterAll(() => server.close());

interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Sends bytes as they are, which fetch cannot, and reads until the server closes the connection. */
function exchange(request: string): Promise<RawResponse> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname, () => socket.write(request));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const split = raw.indexOf('\r\n\r\n');
      const [statusLine = '', ...headerLines] = raw.slice(0, split).split('\r\n');
      resolve({
        status: Number(statusLine.split(' ')[1]),
        headers: Object.fromEntries(
          headerLines.map((line) => {
            const colon = line.indexOf(':');
            return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
          }),
        ),
        body: raw.slice(split + 4),
      });
    });
  });
}

function expectProblem(response: RawResponse, status: number, slug: string, field?: string): void {
  expect({ status: response.status, contentType: response.headers['content-type'] }).toEqual({
    status,
    contentType: 'application/problem+json',
  });
  expect(JSON.parse(response.body)).toEqual({
    type: `urn:optline:problem:${slug}`,
    title: expect.any(String),
    status,
    detail: expect.any(String),
    errors: field === undefined ? [] : [{ field, message: expect.any(String) }],
  });
}

/** Written to the socket by the `clientError` listener: framed by its length, then the connection closes. */
function expectParseFailure(response: RawResponse, status: number, slug: string, field?: string): void {
  expectProblem(response, status, slug, field);
  expect({
    contentLength: Number(response.headers['content-length']),
    connection: response.headers.connection,
  }).toEqual({ contentLength: Buffer.byteLength(response.body), connection: 'close' });
}

const HOST = 'Host: 127.0.0.1\r\n';

describe('a request node:http cannot parse', () => {
  it.each([
    ['a space inside the target', 'GET /v1/subscribers/+44 7400 123456 HTTP/1.1'],
    ['a method that is not a token', 'G@T /v1/subscribers HTTP/1.1'],
    ['an HTTP version that does not exist', 'GET /openapi.json HTTP/9.9'],
    ['a control character in the target', 'GET /v1/\u0001 HTTP/1.1'],
    ['no request line at all', 'STOP'],
  ])('gets 400 problem+json for %s, and the connection closed', async (_label, requestLine) => {
    const response = await exchange(`${requestLine}\r\n${HOST}\r\n`);

    expectParseFailure(response, 400, 'invalid-input', '(request)');
  });

  it('gets 400 problem+json for a header name with a space in it', async () => {
    expectParseFailure(
      await exchange(`GET /openapi.json HTTP/1.1\r\n${HOST}Bad Header: x\r\n\r\n`),
      400,
      'invalid-input',
      '(request)',
    );
  });

  it('gets 400 problem+json for a chunked body with a broken chunk size, without the handler answering too', async () => {
    const response = await exchange(
      `POST /_local/inbound HTTP/1.1\r\n${HOST}Content-Type: application/json\r\n` +
        'Transfer-Encoding: chunked\r\n\r\nZZ\r\n',
    );

    expectParseFailure(response, 400, 'invalid-input', '(request)');
  });

  it('gets 413 problem+json for chunk extensions beyond what node accepts', async () => {
    const response = await exchange(
      `POST /_local/inbound HTTP/1.1\r\n${HOST}Content-Type: application/json\r\n` +
        `Transfer-Encoding: chunked\r\n\r\n1;${'x'.repeat(20_000)}\r\n{\r\n0\r\n\r\n`,
    );

    expectParseFailure(response, 413, 'payload-too-large');
  });

  it('never echoes the request: a phone number in a malformed line stays out of the answer', async () => {
    const response = await exchange(`GET /v1/subscribers/+44 7400 123456 HTTP/1.1\r\n${HOST}\r\n`);

    expect(response.body).not.toMatch(/7400|123456/);
  });

  it("keeps node's own 431 for headers beyond node's limit: the catalog has no problem type for it", async () => {
    const response = await exchange(
      `GET /openapi.json HTTP/1.1\r\n${HOST}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );

    expect({ status: response.status, body: response.body, connection: response.headers.connection }).toEqual(
      {
        status: 431,
        body: '',
        connection: 'close',
      },
    );
  });

  it('leaves the server serving the next request', async () => {
    await exchange(`G@T / HTTP/1.1\r\n${HOST}\r\n`);

    expect((await server.request('GET', '/openapi.json')).status).toBe(200);
  });
});

describe('a request node:http passes on but the server cannot read', () => {
  it('gets 400 problem+json for a target that is not a URL (//[), instead of a 500', async () => {
    // HTTP/1.0: the answer comes unchunked, and the server closes the connection after it.
    const response = await exchange(`GET //[ HTTP/1.0\r\n${HOST}\r\n`);

    expectProblem(response, 400, 'invalid-input', '(url)');
  });

  it('gets 400 problem+json for GET /_local/exports/%ZZ, instead of a 500', async () => {
    const response = await server.request('GET', '/_local/exports/%ZZ', { as: null });

    expect({ status: response.status, contentType: response.contentType }).toEqual({
      status: 400,
      contentType: 'application/problem+json',
    });
    expect(response.body).toEqual(
      expect.objectContaining({
        type: 'urn:optline:problem:invalid-input',
        errors: [{ field: 'key', message: 'is not valid percent-encoding' }],
      }),
    );
  });

  it('still refuses a well-encoded key without a valid signature with 403', async () => {
    const response = await server.request('GET', '/_local/exports/%41bc', { as: null });

    expect({ status: response.status, type: response.body?.type }).toEqual({
      status: 403,
      type: 'urn:optline:problem:forbidden',
    });
  });
});

describe('after every request above', () => {
  it('nothing stored has changed', async () => {
    expect(await server.snapshot()).toEqual(before);
  });
});
