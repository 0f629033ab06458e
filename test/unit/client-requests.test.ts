/** What createOptlineClient puts on the wire: the URL with its encoded path parameters, the token, the body. */
import { createOptlineClient } from '../../client';

/** A fetch that records each request and answers with `answer`. */
function recordingFetch(answer: () => Response) {
  const requests: Request[] = [];
  const fetch = jest.fn(async (request: Request) => {
    requests.push(request);
    return answer();
  });
  return { fetch, requests };
}

const json = (status: number, body: unknown, type = 'application/json'): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });

describe('createOptlineClient', () => {
  it('percent-encodes an E.164 path parameter, so + travels as %2B', async () => {
    // GIVEN a client whose fetch records what it is asked
    const { fetch, requests } = recordingFetch(() => json(200, { suppressed: false, scopes: [] }));
    const api = createOptlineClient({ baseUrl: 'https://api.example.test/prod/', token: 't', fetch });

    // WHEN a path takes a phone number as given to the API
    await api.GET('/v1/opt-outs/{phone}', { params: { path: { phone: '+447400123456' } } });

    // THEN the URL carries it encoded, under the base URL's stage path
    expect(requests.map((r) => r.url)).toEqual(['https://api.example.test/prod/v1/opt-outs/%2B447400123456']);
  });

  it('sends the bearer token and a JSON body with its content type', async () => {
    const { fetch, requests } = recordingFetch(() => json(200, { suppressed: true, since: '2026-01-01' }));
    const api = createOptlineClient({ baseUrl: 'http://127.0.0.1:3000', token: 'local-demo', fetch });

    const { data } = await api.POST('/v1/opt-outs', { body: { phone: '+447400123456' } });

    const [request] = requests;
    expect(request?.method).toBe('POST');
    expect(request?.headers.get('authorization')).toBe('Bearer local-demo');
    expect(request?.headers.get('content-type')).toBe('application/json');
    expect(await request?.json()).toEqual({ phone: '+447400123456' });
    expect(data).toEqual({ suppressed: true, since: '2026-01-01' });
  });

  it('asks a token function for the token on every call, so an expired token is replaced', async () => {
    const { fetch, requests } = recordingFetch(() => json(200, { suppressed: false, scopes: [] }));
    let issued = 0;
    const api = createOptlineClient({
      baseUrl: 'http://127.0.0.1:3000',
      token: async () => `token-${++issued}`,
      fetch,
    });

    await api.GET('/v1/opt-outs/{phone}', { params: { path: { phone: '+447400123456' } } });
    await api.GET('/v1/opt-outs/{phone}', { params: { path: { phone: '+447400123456' } } });

    expect(requests.map((r) => r.headers.get('authorization'))).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('gives a problem+json answer as `error`, with no data', async () => {
    const problem = {
      type: 'urn:optline:problem:not-found',
      title: 'Not found',
      status: 404,
      detail: 'No such subscriber',
      errors: [],
    };
    const { fetch } = recordingFetch(() => json(404, problem, 'application/problem+json'));
    const api = createOptlineClient({ baseUrl: 'http://127.0.0.1:3000', token: 't', fetch });

    const { data, error, response } = await api.GET('/v1/subscribers/{phone}', {
      params: { path: { phone: '+447400123456' } },
    });

    expect(response.status).toBe(404);
    expect(data).toBeUndefined();
    expect(error).toEqual(problem);
  });
});
