import { buildOpenApiDocument } from '../../lambdas/api/openapi';
import { ROUTES } from '../../lambdas/api/routes';
import { PROBLEM_CATALOG } from '../../lambdas/shared/problem';
import { TIME_ZONES } from '../../lambdas/shared/schemas';

// The document is untyped JSON; the tests index into it freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const doc = buildOpenApiDocument() as Json;
const operationOf = (method: string, path: string): Json => doc.paths[path][method.toLowerCase()];
const bodySchema = (method: string, path: string): Json =>
  operationOf(method, path).requestBody.content['application/json'].schema;

/** Every subschema of a schema, for "somewhere in this body" assertions. */
function* subschemas(node: Json): Generator<Json> {
  if (Array.isArray(node)) for (const item of node) yield* subschemas(item);
  else if (node && typeof node === 'object') {
    yield node;
    for (const value of Object.values(node)) yield* subschemas(value);
  }
}

describe('the OpenAPI document states what the server enforces', () => {
  it('gives every phone field a phone format: `phone` in bodies, `e164` in paths, never a bare string', () => {
    for (const route of ROUTES) {
      const operation = operationOf(route.method, route.path);
      for (const parameter of operation.parameters.filter((p: Json) => p.name === 'phone'))
        expect(parameter.schema).toMatchObject({ type: 'string', format: 'e164', maxLength: 16 });
      if (!route.body) continue;
      // `to` is a recipient at the top of a body; nested, it can be a time (an incident's window.to).
      const body = bodySchema(route.method, route.path);
      const phoneFields = [
        ...[...subschemas(body)].flatMap((s) =>
          Object.entries((s.properties ?? {}) as Record<string, Json>).filter(([name]) => name === 'phone'),
        ),
        ...Object.entries((body.properties ?? {}) as Record<string, Json>).filter(([name]) => name === 'to'),
      ];
      for (const [, schema] of phoneFields) expect(schema).toMatchObject({ type: 'string', format: 'phone' });
    }
  });

  it('lists the IANA zones the server accepts as one TimeZone enum, and the runtime knows each of them', () => {
    expect(doc.components.schemas.TimeZone.enum).toEqual(TIME_ZONES);
    expect(TIME_ZONES).toEqual(expect.arrayContaining(['Europe/Paris', 'America/New_York', 'UTC']));
    expect(TIME_ZONES).not.toContain('Mars/Olympus');
    for (const zone of TIME_ZONES)
      expect(() => new Intl.DateTimeFormat('en', { timeZone: zone })).not.toThrow();
    expect(bodySchema('PATCH', '/v1/subscribers/{phone}').properties.timeZone).toEqual({
      $ref: '#/components/schemas/TimeZone',
    });
  });

  it('declares uniqueItems on topics, minProperties on a patch, and changes only with a rectification', () => {
    const patch = bodySchema('PATCH', '/v1/subscribers/{phone}');
    expect(patch.minProperties).toBe(1);
    expect(patch.properties.topics.uniqueItems).toBe(true);
    const dsr = bodySchema('POST', '/v1/dsr');
    expect(dsr.if).toEqual({ properties: { type: { const: 'rectification' } }, required: ['type'] });
    expect(dsr.then).toEqual({ required: ['changes'] });
    expect(dsr.else).toEqual({ not: { required: ['changes'] } });
    expect(dsr.properties.changes.minProperties).toBe(1);
  });

  it('counts lengths as sent: a reason must hold a non-blank character within its maxLength', () => {
    const reason = bodySchema('POST', '/v1/dsr/{id}/extend').properties.reason;
    expect(reason).toMatchObject({ type: 'string', minLength: 1, maxLength: 500, pattern: '\\S' });
  });

  it('requires the Idempotency-Key header where the server does, with its pattern', () => {
    for (const route of ROUTES) {
      const headers = operationOf(route.method, route.path).parameters.filter((p: Json) => p.in === 'header');
      expect(headers.map((h: Json) => h.name)).toEqual(route.headers ?? []);
    }
    const [key] = operationOf('POST', '/v1/messages').parameters.filter((p: Json) => p.in === 'header');
    expect(key).toMatchObject({
      required: true,
      schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
    });
  });

  it('declares the date rules as 422 timestamp-out-of-range where a client timestamp is accepted', () => {
    for (const [method, path] of [
      ['POST', '/v1/subscribers'],
      ['POST', '/v1/subscribers/{phone}/interactions'],
    ] as const) {
      const refusal = operationOf(method, path).responses['422'];
      expect(refusal.description).toContain('urn:optline:problem:timestamp-out-of-range');
      expect(
        refusal.content['application/problem+json'].examples['timestamp-out-of-range'].value.status,
      ).toBe(422);
    }
  });
});

describe('the OpenAPI document declares every answer', () => {
  it.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s: its successes, 400, 401 with WWW-Authenticate, 403, 429 and 503 with Retry-After, and its own problems',
    (_label, route) => {
      const responses = operationOf(route.method, route.path).responses;
      for (const status of Object.keys(route.responses)) {
        expect(responses[status].headers['Cache-Control']).toEqual({
          $ref: '#/components/headers/CacheControl',
        });
      }
      for (const status of ['400', '401', '403', '429', '503'])
        expect(responses[status].content['application/problem+json'].schema).toEqual({
          $ref: '#/components/schemas/Problem',
        });
      expect(responses['401'].headers['WWW-Authenticate']).toBeDefined();
      expect(responses['429'].headers['Retry-After']).toBeDefined();
      expect(responses['503'].headers['Retry-After']).toBeDefined();
      // Only a route that reads a body can refuse one for its size or media type.
      expect(responses['413'] !== undefined).toBe(route.body !== undefined);
      expect(responses['415'] !== undefined).toBe(route.body !== undefined);
      for (const slug of route.problems)
        expect(responses[String(PROBLEM_CATALOG[slug].status)].description).toContain(
          `urn:optline:problem:${slug}`,
        );
    },
  );
});

describe('the OpenAPI document shows how to use it', () => {
  it.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s: its request body and every response body have examples that the server schemas accept',
    (_label, route) => {
      const operation = operationOf(route.method, route.path);
      if (route.body) {
        const { examples } = bodySchema(route.method, route.path);
        expect(examples.length).toBeGreaterThan(0);
        for (const example of examples) expect(route.body.safeParse(example).error).toBeUndefined();
      }
      for (const [status, response] of Object.entries(route.responses)) {
        if (!response.body) continue;
        const { examples } = operation.responses[status].content['application/json'].schema;
        expect(examples.length).toBeGreaterThan(0);
        for (const example of examples) expect(response.body.safeParse(example).error).toBeUndefined();
      }
      for (const parameter of operation.parameters)
        expect(parameter.schema.examples?.length).toBeGreaterThan(0);
    },
  );

  it('links a created subscriber, message and request to the operations that read and change them', () => {
    const created = operationOf('POST', '/v1/subscribers').responses['201'].links;
    expect(created.GetSubscriber).toEqual(
      expect.objectContaining({
        operationId: 'getSubscriber',
        parameters: { phone: '$response.body#/phone' },
      }),
    );
    expect(created.SendMessage.requestBody).toEqual({ to: '$response.body#/phone' });
    expect(operationOf('POST', '/v1/messages').responses['202'].links.GetMessage.parameters).toEqual({
      messageId: '$response.body#/messageId',
    });
    expect(operationOf('POST', '/v1/dsr').responses['202'].links.ExtendDsr.parameters).toEqual({
      id: '$response.body#/requestId',
    });
    // Every link names an operation of the document.
    const operationIds = new Set(ROUTES.map((r) => r.operationId));
    for (const route of ROUTES)
      for (const link of Object.values(route.links ?? {})) expect(operationIds).toContain(link.operationId);
  });

  it('keeps every shared schema in components, with no reference the document cannot resolve', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map(([, ref]) => ref!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of new Set(refs)) {
      const target = ref
        .slice(2)
        .split('/')
        .reduce((node: Json, key) => node?.[key], doc);
      expect([ref, target]).toEqual([ref, expect.anything()]);
    }
  });
});
