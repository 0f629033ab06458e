/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the route table and the same zod schemas that
 * validate requests, so the description cannot drift from the behaviour: what the server enforces is in the
 * document (formats, enums, `uniqueItems`, `minProperties`, `if`/`then`), and every status a route can answer
 * is declared with its problem types and headers.
 */
import {
  PROBLEM_CATALOG,
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPE_PREFIX,
  type ProblemSlug,
} from '../shared/problem';
import { idempotencyKey, phoneInPath, problemBody } from '../shared/schemas';
import * as z from '../shared/zod';
import { COMMON_PROBLEMS, RESOURCE_SERVER_ID, ROUTES, SCOPES, type RouteSpec } from './routes';

type JsonObject = Record<string, unknown>;

const COMPONENT_SCHEMAS = '#/components/schemas/';

/**
 * A zod schema as an OpenAPI 3.1 schema (JSON Schema 2020-12). Schemas with an `id` (TimeZone, Problem) come
 * out in `$defs`; they are moved to `components.schemas`, since `#/$defs/…` inside an OpenAPI document would
 * point at the document's root.
 */
function jsonSchema(schema: z.ZodMiniType, components: Record<string, JsonObject>): JsonObject {
  // io: 'input' describes what a client sends (optional fields stay optional).
  const converted = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }) as JsonObject;
  const {
    $schema: _dialect,
    $defs,
    ...rest
  } = converted as JsonObject & { $defs?: Record<string, JsonObject> };
  for (const [id, definition] of Object.entries($defs ?? {})) components[id] = definition;
  if (typeof rest.id === 'string') {
    // The schema itself carries an id: it is the component.
    const { id, ...component } = rest;
    components[id] = component;
    return { $ref: `${COMPONENT_SCHEMAS}${id}` };
  }
  return JSON.parse(JSON.stringify(rest).replaceAll('"#/$defs/', `"${COMPONENT_SCHEMAS}`)) as JsonObject;
}

/** Path parameters: what each is, and the schema its handler enforces. */
const PATH_PARAMETERS: Readonly<Record<string, { description: string; schema: z.ZodMiniType }>> = {
  phone: { description: 'The subscriber, by phone number', schema: phoneInPath },
  id: {
    description:
      'Id of the data-subject request (the requestId of POST /v1/dsr); any other value is answered 404',
    schema: z.uuid().check(z.meta({ examples: ['5f549cda-0933-4893-be65-18c927b09952'] })),
  },
  'campaigns.id': {
    description: 'Id of the campaign (the campaignId of POST /v1/campaigns); any other value is answered 404',
    schema: z.uuid().check(z.meta({ examples: ['3f0c2a7e-8d41-4b6a-9c55-0e2b7d1a4f90'] })),
  },
  messageId: {
    description: 'Id of the message (the messageId of POST /v1/messages); any other value is answered 404',
    schema: z.string().check(z.meta({ examples: ['b48408d7-d54b-4338-8063-db296b7869be'] })),
  },
};

/** Response headers, in `components.headers`. */
const HEADERS: Readonly<Record<string, JsonObject>> = {
  CacheControl: {
    description: 'Every answer may carry personal data: no cache may keep it',
    required: true,
    schema: { type: 'string', const: 'no-store' },
  },
  RetryAfter: {
    description: 'Seconds to wait before retrying; a send is retried with the same Idempotency-Key',
    required: true,
    schema: { type: 'string', pattern: '^[0-9]+$', examples: ['2'] },
  },
  WwwAuthenticate: {
    description: 'The authentication scheme the API expects (RFC 9110 §11.6.1)',
    required: true,
    schema: { type: 'string', examples: ['Bearer'] },
  },
};
const header = (name: keyof typeof HEADERS): JsonObject => ({ $ref: `#/components/headers/${name}` });

/** Headers of a problem by status: API Gateway's own answers (401, 429) come from the gateway responses. */
const PROBLEM_HEADERS: Readonly<Record<number, JsonObject>> = {
  401: { 'WWW-Authenticate': header('WwwAuthenticate') },
  429: { 'Retry-After': header('RetryAfter') },
  503: { 'Retry-After': header('RetryAfter') },
};

/** Deployed only: the WAF rate rule and the method throttle answer 429 before a handler runs. */
const DEPLOYED_ONLY: readonly ProblemSlug[] = ['too-many-requests'];

function problemExample(slug: ProblemSlug): JsonObject {
  const { status, title } = PROBLEM_CATALOG[slug];
  return {
    type: `${PROBLEM_TYPE_PREFIX}${slug}`,
    title,
    status,
    detail: title,
    errors:
      status === 400 ? [{ field: 'phone', message: 'is not a valid phone number for its country' }] : [],
  };
}

function routeProblems(route: RouteSpec): ProblemSlug[] {
  // A route without a body never reads one, so it cannot refuse one.
  const common = route.body
    ? COMMON_PROBLEMS
    : COMMON_PROBLEMS.filter((s) => s !== 'payload-too-large' && s !== 'unsupported-media-type');
  return [...new Set([...common, ...DEPLOYED_ONLY, ...route.problems])];
}

function problemResponses(route: RouteSpec): Record<string, JsonObject> {
  const byStatus = new Map<number, ProblemSlug[]>();
  for (const slug of routeProblems(route)) {
    const { status } = PROBLEM_CATALOG[slug];
    byStatus.set(status, [...(byStatus.get(status) ?? []), slug]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, slugs]) => [
      String(status),
      {
        description: slugs
          .map((s) => `${PROBLEM_TYPE_PREFIX}${s}${DEPLOYED_ONLY.includes(s) ? ' (deployed API only)' : ''}`)
          .join(', '),
        ...(PROBLEM_HEADERS[status] ? { headers: PROBLEM_HEADERS[status] } : {}),
        content: {
          [PROBLEM_CONTENT_TYPE]: {
            schema: { $ref: `${COMPONENT_SCHEMAS}Problem` },
            examples: Object.fromEntries(slugs.map((s) => [s, { value: problemExample(s) }])),
          },
        },
      },
    ]),
  );
}

function parameters(route: RouteSpec, components: Record<string, JsonObject>): JsonObject[] {
  const path = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => {
    // A name may mean another thing under another resource: `/v1/campaigns/{id}` is not a DSR's id.
    const resource = route.path.split('/')[2];
    const parameter = PATH_PARAMETERS[`${resource}.${name}`] ?? PATH_PARAMETERS[name!];
    if (!parameter) throw new Error(`No description of the path parameter ${name} of ${route.path}`);
    return {
      name,
      in: 'path',
      required: true,
      description: parameter.description,
      schema: jsonSchema(parameter.schema, components),
    };
  });
  const headers = (route.headers ?? []).map((name) => {
    if (name !== 'Idempotency-Key') throw new Error(`No schema for the request header ${name}`);
    return { name, in: 'header', required: true, schema: jsonSchema(idempotencyKey, components) };
  });
  return [...path, ...queryParameters(route, components), ...headers];
}

/** Query parameters, from the route's query object: each property is one parameter. */
function queryParameters(route: RouteSpec, components: Record<string, JsonObject>): JsonObject[] {
  if (!route.query) return [];
  const object = jsonSchema(route.query, components) as {
    properties?: Record<string, JsonObject>;
    required?: string[];
  };
  return Object.entries(object.properties ?? {}).map(([name, { description, ...schema }]) => ({
    name,
    in: 'query',
    required: object.required?.includes(name) ?? false,
    ...(description === undefined ? {} : { description }),
    schema,
  }));
}

function links(route: RouteSpec): JsonObject | undefined {
  if (!route.links) return undefined;
  return Object.fromEntries(
    Object.entries(route.links).map(([name, link]) => [
      name,
      {
        operationId: link.operationId,
        description: link.description,
        ...(link.parameters ? { parameters: link.parameters } : {}),
        ...(link.requestBody ? { requestBody: link.requestBody } : {}),
      },
    ]),
  );
}

function operation(route: RouteSpec, components: Record<string, JsonObject>): JsonObject {
  const routeLinks = links(route);
  const success = Object.fromEntries(
    Object.entries(route.responses).map(([status, response]) => [
      status,
      {
        description: response.description,
        headers: { 'Cache-Control': header('CacheControl') },
        ...(response.body
          ? { content: { 'application/json': { schema: jsonSchema(response.body, components) } } }
          : {}),
        ...(response.body && routeLinks ? { links: routeLinks } : {}),
      },
    ]),
  );
  return {
    operationId: route.operationId,
    summary: route.summary,
    // Alternatives: any one of the route's scopes admits (scopes listed in one requirement would all be needed).
    security: [
      ...route.scopes.map((scope) => ({ oauth2: [`${RESOURCE_SERVER_ID}/${scope}`] })),
      { localBearer: [] },
    ],
    parameters: parameters(route, components),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(route.body, components) } },
          },
        }
      : {}),
    responses: { ...success, ...problemResponses(route) },
  };
}

export function buildOpenApiDocument(serverUrl = 'http://127.0.0.1:3000'): JsonObject {
  const schemas: Record<string, JsonObject> = {};
  jsonSchema(problemBody, schemas);
  const paths: Record<string, JsonObject> = {};
  for (const route of ROUTES) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route, schemas) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'optline API',
      version: '1.0.0',
      description:
        'Privacy-compliant SMS messaging: subscribers, consent, opt-outs, sending and data-subject requests. ' +
        'Errors are RFC 9457 problem details whose `type` is `urn:optline:problem:<slug>`.',
    },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
      headers: HEADERS,
      securitySchemes: {
        oauth2: {
          type: 'oauth2',
          description: 'Cognito client credentials; the app client id decides the tenant.',
          flows: {
            clientCredentials: {
              tokenUrl: 'https://<cognito-domain>/oauth2/token',
              scopes: Object.fromEntries(SCOPES.map((s) => [`${RESOURCE_SERVER_ID}/${s}`, s])),
            },
          },
        },
        localBearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'Local mode: a seeded tenant token such as local-demo',
        },
      },
    },
  };
}
