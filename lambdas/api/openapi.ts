/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the route table and the same zod schemas that
 * validate requests, so the description cannot drift from the behaviour.
 */
import { PROBLEM_CATALOG, PROBLEM_CONTENT_TYPE, type ProblemSlug } from '../shared/problem';
import { problemBody } from '../shared/schemas';
import * as z from '../shared/zod';
import { COMMON_PROBLEMS, RESOURCE_SERVER_ID, ROUTES, SCOPES, type RouteSpec } from './routes';

type JsonObject = Record<string, unknown>;

const jsonSchema = (schema: z.ZodMiniType): JsonObject => {
  // io: 'input' describes what a client sends (optional fields stay optional).
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
  }) as JsonObject;
  return rest;
};

const PATH_PARAMETER_DOCS: Readonly<Record<string, string>> = {
  phone: 'URL-encoded E.164 phone number, such as %2B447400123456',
  id: 'Id of the data-subject request (the requestId of POST /v1/dsr)',
};

function parameters(route: RouteSpec): JsonObject[] {
  return [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    description: PATH_PARAMETER_DOCS[name!] ?? name,
    schema: { type: 'string' },
  }));
}

function problemResponses(route: RouteSpec): Record<string, JsonObject> {
  const byStatus = new Map<number, ProblemSlug[]>();
  for (const slug of [...COMMON_PROBLEMS, ...route.problems]) {
    const { status } = PROBLEM_CATALOG[slug];
    byStatus.set(status, [...(byStatus.get(status) ?? []), slug]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, slugs]) => [
      String(status),
      {
        description: `Problem types: ${slugs.map((s) => `urn:optline:problem:${s}`).join(', ')}`,
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
      },
    ]),
  );
}

function operation(route: RouteSpec): JsonObject {
  const success = Object.fromEntries(
    Object.entries(route.responses).map(([status, response]) => [
      status,
      {
        description: response.description,
        ...(response.body ? { content: { 'application/json': { schema: jsonSchema(response.body) } } } : {}),
      },
    ]),
  );
  return {
    operationId: route.operationId,
    summary: route.summary,
    security: [{ oauth2: [`${RESOURCE_SERVER_ID}/${route.scope}`] }, { localBearer: [] }],
    parameters: parameters(route),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(route.body) } },
          },
        }
      : {}),
    responses: { ...success, ...problemResponses(route) },
  };
}

export function buildOpenApiDocument(serverUrl = 'http://127.0.0.1:3000'): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const route of ROUTES) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'optline API',
      version: '1.0.0',
      description:
        'Privacy-compliant SMS messaging: subscribers, consent, opt-outs, sending and data-subject requests.',
    },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      schemas: { Problem: jsonSchema(problemBody) },
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
