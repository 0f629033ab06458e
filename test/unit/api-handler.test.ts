import { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createApiHandler, type OperatorRouteAction, type RouteAction } from '../../lambdas/api/api-handler';
import { bearerTokenCaller, cognitoClaimsCaller } from '../../lambdas/api/callers';
import { apiEvent } from './helpers/api-event';

const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });

function event(
  overrides: Partial<APIGatewayProxyEvent> & { claims?: Record<string, string> },
): APIGatewayProxyEvent {
  const { claims, ...rest } = overrides;
  return apiEvent(
    '/v1/subscribers',
    { phone: '+447400123456', consent: { source: 'api', noticeVersion: 'v1' } },
    { requestContext: { requestId: 'r-1', authorizer: claims ? { claims } : undefined } as never, ...rest },
  );
}

describe('createApiHandler', () => {
  const calls: string[] = [];
  const ok: RouteAction = async (request) => {
    calls.push(request.route.operationId);
    return { statusCode: 201, body: { tenant: request.caller.tenantId } };
  };
  const actions = {
    createSubscriber: ok,
    getSubscriber: ok,
    patchSubscriber: ok,
    recordInteraction: ok,
    setLegalHold: ok,
    clearLegalHold: ok,
    listConsentEvents: ok,
    listSubscriberMessages: ok,
    getMe: ok,
  };
  const deployed = createApiHandler({
    fn: 'subscribers',
    actions,
    logger,
    callers: cognitoClaimsCaller({ 'client-demo': 'demo' }),
  });

  beforeEach(() => calls.splice(0));

  it('resolves the tenant from the app client id and passes the parsed body to the action', async () => {
    const result = await deployed(
      event({
        claims: { client_id: 'client-demo', scope: 'optline/subscribers.write optline/messages.send' },
      }),
    );
    expect(result.statusCode).toBe(201);
    expect(JSON.parse(result.body)).toEqual({ tenant: 'demo' });
    expect(calls).toEqual(['createSubscriber']);
  });

  it('names the calling app client as the principal, which audited actions record as their actor', async () => {
    const principals: Array<string | undefined> = [];
    const handler = createApiHandler({
      fn: 'subscribers',
      actions: {
        ...actions,
        clearLegalHold: async (request) => {
          principals.push(request.caller.principal);
          return { statusCode: 204 };
        },
      },
      logger,
      callers: cognitoClaimsCaller({ 'client-demo': 'demo' }),
    });

    const result = await handler(
      event({
        httpMethod: 'DELETE',
        resource: '/v1/subscribers/{phone}/legal-hold',
        body: null,
        pathParameters: { phone: '%2B447400123456' },
        claims: { client_id: 'client-demo', scope: 'optline/dsr.manage' },
      }),
    );

    expect(result.statusCode).toBe(204);
    expect(principals).toEqual(['client:client-demo']);
  });

  it.each([
    ['the read scope', 'optline/subscribers.read'],
    ['the write scope', 'optline/subscribers.write'],
  ])('lets a read route through with %s, any one of its scopes', async (_label, scope) => {
    const result = await deployed(
      event({
        httpMethod: 'GET',
        resource: '/v1/subscribers/{phone}/consent-events',
        body: null,
        pathParameters: { phone: '%2B447400123456' },
        claims: { client_id: 'client-demo', scope },
      }),
    );
    expect(result.statusCode).toBe(201);
    expect(calls).toEqual(['listConsentEvents']);
  });

  it('refuses a write route to a token that holds only read scopes, naming the scopes it needs', async () => {
    const result = await deployed(
      event({ claims: { client_id: 'client-demo', scope: 'optline/subscribers.read optline/dsr.read' } }),
    );
    expect(result.statusCode).toBe(403);
    expect(JSON.parse(result.body).detail).toContain('subscribers.write');
    expect(calls).toEqual([]);
  });

  it('parses the query of a route that has one, and refuses a bad or unknown parameter before the action', async () => {
    const queries: unknown[] = [];
    const handler = createApiHandler({
      fn: 'subscribers',
      actions: {
        ...actions,
        listSubscriberMessages: async (request) => {
          queries.push(request.query);
          return { statusCode: 200, body: {} };
        },
      },
      logger,
      callers: bearerTokenCaller({ t: { tenantId: 'demo', role: 'viewer' } }),
    });
    const get = (queryStringParameters: Record<string, string> | null) =>
      handler(
        event({
          httpMethod: 'GET',
          resource: '/v1/subscribers/{phone}/messages',
          body: null,
          headers: { Authorization: 'Bearer t' },
          pathParameters: { phone: '%2B447400123456' },
          queryStringParameters,
        }),
      );

    expect((await get({ limit: '5' })).statusCode).toBe(200);
    expect((await get(null)).statusCode).toBe(200);
    const unknown = await get({ order: 'asc' });
    expect(unknown.statusCode).toBe(400);
    expect(JSON.parse(unknown.body).errors[0].field).toBe('(query)');
    const badLimit = await get({ limit: '1000' });
    expect(JSON.parse(badLimit.body).errors[0].field).toBe('limit');
    expect(queries).toEqual([{ limit: 5 }, {}]);
  });

  it('refuses the legal-hold routes to a client without the dsr.manage scope', async () => {
    const result = await deployed(
      event({
        httpMethod: 'PUT',
        resource: '/v1/subscribers/{phone}/legal-hold',
        body: JSON.stringify({ reason: 'Case 1' }),
        pathParameters: { phone: '%2B447400123456' },
        claims: { client_id: 'client-demo', scope: 'optline/subscribers.write' },
      }),
    );

    expect(result.statusCode).toBe(403);
    expect(calls).toEqual([]);
  });

  it('answers 401 for an app client that belongs to no tenant', async () => {
    const result = await deployed(
      event({ claims: { client_id: 'client-unknown', scope: 'optline/subscribers.write' } }),
    );
    expect(result.statusCode).toBe(401);
    expect(calls).toEqual([]);
  });

  it('answers 403 when the token lacks the route scope, before reading the body', async () => {
    const result = await deployed(
      event({ body: '{not json', claims: { client_id: 'client-demo', scope: 'optline/messages.send' } }),
    );
    expect(result.statusCode).toBe(403);
    expect(JSON.parse(result.body)).toMatchObject({ type: 'urn:optline:problem:forbidden' });
    expect(result.headers?.['content-type']).toBe('application/problem+json');
    expect(calls).toEqual([]);
  });

  it('does not accept a scope of another resource server', async () => {
    const result = await deployed(
      event({ claims: { client_id: 'client-demo', scope: 'other/subscribers.write' } }),
    );
    expect(result.statusCode).toBe(403);
  });

  it('decodes a base64 body as API Gateway may send it', async () => {
    const body = Buffer.from(event({}).body!).toString('base64');
    const result = await deployed(
      event({
        body,
        isBase64Encoded: true,
        claims: { client_id: 'client-demo', scope: 'optline/subscribers.write' },
      }),
    );
    expect(result.statusCode).toBe(201);
  });

  it('turns an unexpected failure into a bare 500 that does not leak the message', async () => {
    const failing = createApiHandler({
      fn: 'subscribers',
      logger,
      callers: bearerTokenCaller({ t: { tenantId: 'demo' } }),
      actions: {
        ...actions,
        createSubscriber: async () => {
          throw new Error('secret +447400123456 in a driver message');
        },
      },
    });
    const result = await failing(
      event({ headers: { authorization: 'Bearer t', 'content-type': 'application/json' } }),
    );
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('447400123456');
    expect(JSON.parse(result.body)).toMatchObject({ type: 'urn:optline:problem:internal', status: 500 });
  });

  it('refuses to start when a route of the function has no action', () => {
    expect(() =>
      createApiHandler({
        fn: 'subscribers',
        logger,
        callers: () => undefined,
        actions: { createSubscriber: ok },
      }),
    ).toThrow(/No action for getSubscriber, patchSubscriber, recordInteraction/);
  });

  it('counts served and refused requests per operation when given metrics', async () => {
    const recorded: string[] = [];
    const metrics = {
      singleMetric: () => {
        let operation = '';
        return {
          addDimension: (_name: string, value: string) => (operation = value),
          addMetric: (name: string) => recorded.push(`${operation}:${name}`),
        };
      },
    } as unknown as Metrics;
    const counted = createApiHandler({
      fn: 'subscribers',
      actions,
      logger,
      metrics,
      callers: cognitoClaimsCaller({ 'client-demo': 'demo' }),
    });

    await counted(event({ claims: { client_id: 'client-demo', scope: 'optline/subscribers.write' } }));
    await counted(event({ claims: { client_id: 'client-demo', scope: 'optline/messages.send' } }));

    expect(recorded).toEqual(['createSubscriber:RequestServed', 'createSubscriber:RequestRefused']);
  });
});

describe('createApiHandler: the operator and tenants (DESIGN §12)', () => {
  const reached: string[] = [];
  const tenantAction: RouteAction = async (request) => {
    reached.push(`tenant:${request.caller.tenantId}`);
    return { statusCode: 200, body: {} };
  };
  const operatorAction: OperatorRouteAction = async (request) => {
    reached.push(`operator:${request.caller.principal}`);
    return { statusCode: 200, body: {} };
  };
  const handler = createApiHandler({
    fn: 'incidents',
    actions: {
      listIncidentNotifications: tenantAction,
      getIncidentNotification: tenantAction,
      acknowledgeIncidentNotification: tenantAction,
    },
    operatorActions: { recordIncident: operatorAction, getIncident: operatorAction },
    logger,
    callers: cognitoClaimsCaller({ 'client-demo': 'demo' }, { operator: 'client-operator' }),
  });
  const get = (resource: string, claims: Record<string, string>) =>
    handler(event({ resource, path: resource, httpMethod: 'GET', body: null, claims }));
  const OPERATOR = { client_id: 'client-operator', scope: 'optline/incidents.manage' };
  const TENANT = { client_id: 'client-demo', scope: 'optline/dsr.read optline/incidents.manage' };

  beforeEach(() => reached.splice(0));

  it('hands an operator route the operator, without a tenant', async () => {
    expect((await get('/v1/incidents/{id}', OPERATOR)).statusCode).toBe(200);
    expect(reached).toEqual(['operator:client:client-operator']);
  });

  it('refuses the operator a tenant route with 403 before any action runs', async () => {
    const result = await get('/v1/incident-notifications', OPERATOR);
    expect(result.statusCode).toBe(403);
    expect(JSON.parse(result.body).detail).toMatch(/operator has no tenant/);
    expect(reached).toEqual([]);
  });

  it('refuses a tenant an operator route with 403, even with the operator scope in its token', async () => {
    const result = await get('/v1/incidents/{id}', TENANT);
    expect(result.statusCode).toBe(403);
    expect(reached).toEqual([]);
    expect((await get('/v1/incident-notifications', TENANT)).statusCode).toBe(200);
    expect(reached).toEqual(['tenant:demo']);
  });
});
