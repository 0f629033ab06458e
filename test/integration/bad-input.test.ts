import fc from 'fast-check';
import {
  encodePhone,
  randomPhone,
  startTestServer,
  type TestResponse,
  type TestServer,
} from './harness/local-server';

/**
 * Every bad request gets a 4xx problem+json and changes nothing stored. Each case runs against a server
 * with tables of its own, so the before/after snapshots see only what these requests could have written.
 */
let server: TestServer;
const consent = { source: 'api', noticeVersion: 'v1' };
const valid = { phone: '+447400123456', consent };

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

function expectProblem(response: TestResponse, status: number, slug: string): void {
  expect({ status: response.status, contentType: response.contentType, type: response.body?.type }).toEqual({
    status,
    contentType: 'application/problem+json',
    type: `urn:optline:problem:${slug}`,
  });
  expect(response.body).toEqual(
    expect.objectContaining({
      title: expect.any(String),
      detail: expect.any(String),
      errors: expect.any(Array),
    }),
  );
}

describe('bad input never reaches storage', () => {
  let before: Record<string, unknown[]>;
  beforeAll(async () => {
    before = await server.snapshot();
  });

  it.each([
    ['no Authorization header', { as: null }],
    ['an unknown token', { as: null, headers: { authorization: 'Bearer local-nobody' } }],
    ['another scheme', { as: null, headers: { authorization: 'Basic bG9jYWwtZGVtbzo=' } }],
  ])('refuses %s with 401', async (_label, options) => {
    expectProblem(
      await server.request('POST', '/v1/subscribers', { ...options, body: valid }),
      401,
      'unauthorized',
    );
    expectProblem(
      await server.request('GET', `/v1/subscribers/${encodePhone(valid.phone)}`, options),
      401,
      'unauthorized',
    );
  });

  it('refuses malformed JSON, an empty body and a non-JSON media type', async () => {
    expectProblem(
      await server.request('POST', '/v1/subscribers', { rawBody: '{"phone": "+44' }),
      400,
      'invalid-input',
    );
    expectProblem(await server.request('POST', '/v1/subscribers', { rawBody: '' }), 400, 'invalid-input');
    expectProblem(
      await server.request('POST', '/v1/subscribers', {
        rawBody: JSON.stringify(valid),
        headers: { 'content-type': 'text/plain' },
      }),
      415,
      'unsupported-media-type',
    );
  });

  it('refuses a 1 MB body with 413', async () => {
    const huge = JSON.stringify({ ...valid, padding: 'x'.repeat(1024 * 1024) });
    expectProblem(
      await server.request('POST', '/v1/subscribers', { rawBody: huge }),
      413,
      'payload-too-large',
    );
  });

  it.each([
    ['phone as a number', { ...valid, phone: 447400123456 }, 'phone'],
    ['phone that is not a number', { ...valid, phone: 'call me' }, 'phone'],
    ['phone without a country', { ...valid, phone: '07400 123456' }, 'phone'],
    ['phone that is too short', { ...valid, phone: '+44 12' }, 'phone'],
    ['consent as a string', { ...valid, consent: 'yes' }, 'consent'],
    ['consent without noticeVersion', { ...valid, consent: { source: 'api' } }, 'consent.noticeVersion'],
    [
      'an internal consent source',
      { ...valid, consent: { ...consent, source: 'provider_reconcile' } },
      'consent.source',
    ],
    [
      'capturedAt that is not a date',
      { ...valid, consent: { ...consent, capturedAt: 'yesterday' } },
      'consent.capturedAt',
    ],
    ['an IP address that is not one', { ...valid, consent: { ...consent, ip: '999.1.1.1' } }, 'consent.ip'],
    ['topics as a string', { ...valid, topics: 'offers' }, 'topics'],
    ['a repeated topic', { ...valid, topics: ['a', 'a'] }, 'topics'],
    ['doubleOptIn as a string', { ...valid, doubleOptIn: 'true' }, 'doubleOptIn'],
    ['birthDate in another format', { ...valid, birthDate: '01/02/2000' }, 'birthDate'],
    ['an unknown time zone', { ...valid, timeZone: 'Europe/Atlantis' }, 'timeZone'],
    ['a malformed locale', { ...valid, locale: 'english' }, 'locale'],
    ['an unknown field', { ...valid, admin: true }, '(body)'],
    ['an array', [valid], '(body)'],
    ['null', null, '(body)'],
  ])('refuses a subscriber with %s, naming the field', async (_label, body, field) => {
    const response = await server.request('POST', '/v1/subscribers', { rawBody: JSON.stringify(body) });
    expectProblem(response, 400, 'invalid-input');
    expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  // Well-formed date-times the document cannot rule out, since they depend on the clock: 422, not 400.
  it.each([
    ['in the future', '2999-01-01T00:00:00Z'],
    ['older than 36 months', '2001-01-01T00:00:00Z'],
  ])(
    'refuses a subscriber with capturedAt %s with 422 timestamp-out-of-range',
    async (_label, capturedAt) => {
      const body = { ...valid, consent: { ...consent, capturedAt } };
      const response = await server.request('POST', '/v1/subscribers', { body });
      expectProblem(response, 422, 'timestamp-out-of-range');
      expect(response.body.errors).toEqual([{ field: 'consent.capturedAt', message: expect.any(String) }]);
    },
  );

  it.each(['abc', '%2B44', '447400123456', '%2B44%207400%20123456', '%2B4407400123456', '%E0%A4%A'])(
    'refuses the path number %s with 400',
    async (segment) => {
      expectProblem(await server.request('GET', `/v1/subscribers/${segment}`), 400, 'invalid-input');
      expectProblem(
        await server.request('POST', `/v1/subscribers/${segment}/interactions`, { body: { type: 'click' } }),
        400,
        'invalid-input',
      );
    },
  );

  it('refuses wrong types in patches and interactions', async () => {
    const path = `/v1/subscribers/${encodePhone(randomPhone())}`;
    expectProblem(await server.request('PATCH', path, { body: { topics: [1, 2] } }), 400, 'invalid-input');
    expectProblem(await server.request('PATCH', path, { body: { status: 'active' } }), 400, 'invalid-input');
    expectProblem(
      await server.request('POST', `${path}/interactions`, { body: { type: 'telepathy' } }),
      400,
      'invalid-input',
    );
    expectProblem(
      await server.request('POST', `${path}/interactions`, { body: { type: 'click', at: 5 } }),
      400,
      'invalid-input',
    );
  });

  it('answers 405 for a method the path does not have, and 404 for an unknown path', async () => {
    const notAllowed = await server.request('DELETE', '/v1/subscribers');
    expectProblem(notAllowed, 405, 'method-not-allowed');
    expectProblem(await server.request('GET', '/v1/nothing-here'), 404, 'not-found');
  });

  it('answers every generated JSON body with a 4xx problem', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue(),
          fc.record(
            { phone: fc.oneof(fc.string(), fc.integer()), consent: fc.jsonValue(), topics: fc.jsonValue() },
            { requiredKeys: [] },
          ),
        ),
        async (body) => {
          const response = await server.request('POST', '/v1/subscribers', { rawBody: JSON.stringify(body) });
          expect(response.status).toBeGreaterThanOrEqual(400);
          expect(response.status).toBeLessThan(500);
          expect(response.contentType).toBe('application/problem+json');
        },
      ),
      { numRuns: 150 },
    );
  });

  // Runs last: every request above was refused, so the tables hold exactly what they held before.
  it('leaves every table exactly as it was', async () => {
    expect(await server.snapshot()).toEqual(before);
  });
});
