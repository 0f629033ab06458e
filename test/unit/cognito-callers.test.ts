import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createApiHandler, type RouteAction } from '../../lambdas/api/api-handler';
import { cognitoClaimsCaller } from '../../lambdas/api/callers';
import { ROLE_SCOPES } from '../../lambdas/api/roles';
import { ROUTES, SCOPES, TENANT_SCOPES } from '../../lambdas/api/routes';
import { apiEvent } from './helpers/api-event';

const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });

const CONSOLE_CLIENT = 'console-client';
const callers = cognitoClaimsCaller(
  { 'client-demo': 'demo', 'client-acme': 'acme' },
  { console: CONSOLE_CLIENT },
);

/** Every scope, as a token of a client allowed all of them carries them. */
const ALL_SCOPES = SCOPES.map((scope) => `optline/${scope}`).join(' ');

/** The claims of a console user's access token, as API Gateway's Cognito authorizer passes them. */
const staffClaims = (groups: unknown, scope = `openid ${ALL_SCOPES}`): Record<string, unknown> => ({
  sub: '6b1f0e2c-2d7a-4c1e-9f00-0d3c9a1b2c3d',
  client_id: CONSOLE_CLIENT,
  token_use: 'access',
  scope,
  ...(groups === undefined ? {} : { 'cognito:groups': groups }),
});

const event = (
  claims: Record<string, unknown>,
  overrides: Partial<APIGatewayProxyEvent> = {},
): APIGatewayProxyEvent =>
  apiEvent(
    '/v1/dsr',
    { type: 'erasure', phone: '+447400123456', verification: { method: 'sms_otp', reference: 'ticket-1' } },
    { requestContext: { requestId: 'r-1', authorizer: { claims } } as never, ...overrides },
  );

const resolve = (claims: Record<string, unknown>) => callers(event(claims));

describe('cognitoClaimsCaller: console staff (DESIGN §11)', () => {
  it("resolves a console token to the tenant and role of the user's one group", () => {
    expect(resolve(staffClaims('acme.viewer'))).toEqual({
      tenantId: 'acme',
      role: 'viewer',
      scopes: [...ROLE_SCOPES.viewer],
      principal: 'staff:6b1f0e2c-2d7a-4c1e-9f00-0d3c9a1b2c3d',
    });
    expect(resolve(staffClaims('demo.privacy-officer'))).toMatchObject({
      tenantId: 'demo',
      role: 'privacy-officer',
    });
  });

  it("keeps only the role's scopes, however many scopes the token carries", () => {
    const viewer = resolve(staffClaims('demo.viewer'))!;
    expect(viewer.scopes).not.toContain('dsr.manage');
    expect(viewer.scopes).not.toContain('subscribers.write');
    const officer = resolve(staffClaims('demo.privacy-officer'))!;
    expect([...officer.scopes].sort()).toEqual([...ROLE_SCOPES['privacy-officer']].sort());
    expect(officer.scopes).not.toContain('messages.send');
  });

  it('keeps only the scopes the token carries, however many the role has', () => {
    const officer = resolve(staffClaims('demo.privacy-officer', 'openid optline/dsr.read'))!;
    expect(officer.scopes).toEqual(['dsr.read']);
  });

  it.each([
    ['a bracketed, space-separated list', '[demo.viewer]'],
    ['a real array', ['demo.viewer']],
  ])('reads the group claim given as %s', (_form, groups) => {
    expect(resolve(staffClaims(groups))).toMatchObject({ tenantId: 'demo', role: 'viewer' });
  });

  it.each([
    ['no group', undefined],
    ['an empty group list', '[]'],
    ['two groups of two tenants', '[demo.privacy-officer acme.viewer]'],
    ['two groups of two tenants, comma-separated', 'demo.privacy-officer,acme.viewer'],
    ['two roles of one tenant', ['demo.viewer', 'demo.privacy-officer']],
    ['a group that is no staff group', 'admins'],
    ['an unknown role', 'demo.auditor'],
    ['a tenant of another cell', 'globex.privacy-officer'],
  ])('refuses a console token with %s', (_case, groups) => {
    expect(resolve(staffClaims(groups))).toBeUndefined();
  });

  it('refuses a console token without a subject', () => {
    const { sub: _sub, ...claims } = staffClaims('demo.viewer');
    expect(resolve(claims)).toBeUndefined();
  });

  it('leaves a machine client unchanged: the client id names the tenant, and a group claim changes nothing', () => {
    // Every scope claimed, the operator's too: a tenant's client counts the tenant scopes only.
    expect(resolve({ client_id: 'client-acme', scope: ALL_SCOPES })).toEqual({
      tenantId: 'acme',
      scopes: [...TENANT_SCOPES],
      principal: 'client:client-acme',
    });
    expect(
      resolve({ client_id: 'client-acme', scope: 'optline/dsr.manage', 'cognito:groups': 'demo.viewer' }),
    ).toEqual({ tenantId: 'acme', scopes: ['dsr.manage'], principal: 'client:client-acme' });
    expect(resolve({ client_id: 'client-unknown', scope: ALL_SCOPES })).toBeUndefined();
  });
});

describe('the API enforces the console role, not only the UI', () => {
  const calls: string[] = [];
  const actions = Object.fromEntries(
    ROUTES.filter((route) => route.fn === 'dsr').map((route): [string, RouteAction] => [
      route.operationId,
      async (request) => {
        calls.push(`${route.operationId}:${request.caller.tenantId}`);
        return { statusCode: 202, body: {} };
      },
    ]),
  );
  const dsrApi = createApiHandler({ fn: 'dsr', actions, callers, logger });

  beforeEach(() => calls.splice(0));

  it("refuses a viewer's erasure request with 403, although the token carries dsr.manage", async () => {
    const result = await dsrApi(event(staffClaims('demo.viewer')));
    expect(result.statusCode).toBe(403);
    expect(JSON.parse(result.body)).toMatchObject({ status: 403 });
    expect(calls).toEqual([]);
  });

  it("accepts a privacy officer's erasure request for the officer's own tenant", async () => {
    const result = await dsrApi(event(staffClaims('acme.privacy-officer')));
    expect(result.statusCode).toBe(202);
    expect(calls).toEqual(['createDsr:acme']);
  });

  it('lets a viewer read the DSR queue', async () => {
    const result = await dsrApi(event(staffClaims('demo.viewer'), { httpMethod: 'GET', body: null }));
    expect(result.statusCode).toBe(202);
    expect(calls).toEqual(['listDsrs:demo']);
  });

  it('answers 401 to a user in two tenants’ groups, before any action runs', async () => {
    const result = await dsrApi(event(staffClaims('[demo.privacy-officer acme.privacy-officer]')));
    expect(result.statusCode).toBe(401);
    expect(calls).toEqual([]);
  });
});
