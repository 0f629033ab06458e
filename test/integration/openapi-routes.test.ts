import { Template } from 'aws-cdk-lib/assertions';
import { DEFAULT_CELLS } from '../../lib/config';
import { addCell, newOptlineApp } from '../../lib/optline-app';
import { startTestServer, type TestServer } from './harness/local-server';

type OpenApi = { openapi: string; paths: Record<string, Record<string, { operationId: string }>> };

/**
 * Every `METHOD /path` of the JSON API the API Gateway definition of a cell serves: everything but the privacy
 * console's page, files and code exchange under `/console`, which are no API operations (privacy-console.test.ts).
 */
function gatewayRoutes(): Set<string> {
  // Only the route table matters here: skip bundling the functions.
  const app = newOptlineApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  const template = Template.fromStack(addCell(app, DEFAULT_CELLS[0]!).api).toJSON() as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const resources = template.Resources;
  const pathOf = (id: string): string => {
    const resource = resources[id];
    if (!resource || resource.Type !== 'AWS::ApiGateway::Resource') return '';
    const parent = resource.Properties.ParentId as { Ref?: string };
    return `${parent.Ref ? pathOf(parent.Ref) : ''}/${String(resource.Properties.PathPart)}`;
  };
  return new Set(
    Object.values(resources)
      .filter((r) => r.Type === 'AWS::ApiGateway::Method' && r.Properties.HttpMethod !== 'OPTIONS')
      .map(
        (m) =>
          `${String(m.Properties.HttpMethod)} ${pathOf((m.Properties.ResourceId as { Ref: string }).Ref)}`,
      )
      .filter((route) => !route.split(' ')[1]!.startsWith('/console')),
  );
}

describe('the OpenAPI document', () => {
  let server: TestServer;
  let doc: OpenApi;
  beforeAll(async () => {
    server = await startTestServer();
    doc = (await server.request('GET', '/openapi.json', { as: null })).body as OpenApi;
  });
  afterAll(() => server.close());

  const documented = () =>
    Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );

  it('is OpenAPI 3.1 and documents every route', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(documented()).toEqual(expect.arrayContaining(['POST /v1/subscribers', 'POST /v1/messages']));
  });

  it('describes exactly the routes the API Gateway definition serves', () => {
    expect(new Set(documented())).toEqual(gatewayRoutes());
  });

  it('describes only routes the local server serves: each one asks for credentials instead of 404', async () => {
    for (const route of documented()) {
      const [method, path] = route.split(' ') as [string, string];
      const concrete = path.replace('{phone}', '%2B447400123456').replace(/\{\w+\}/g, 'any-id');
      const response = await server.request(method, concrete, {
        as: null,
        body: method === 'GET' ? undefined : {},
      });
      expect({ route, status: response.status }).toEqual({ route, status: 401 });
    }
  });
});
