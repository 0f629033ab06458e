import type { APIGatewayProxyEvent } from 'aws-lambda';
import { bearerTokenCaller, cognitoClaimsCaller } from '../../lambdas/api/callers';
import { decodeCursor, encodeCursor } from '../../lambdas/api/page-cursor';
import { READ_SCOPES, ROLE_SCOPES } from '../../lambdas/api/roles';
import { OPERATOR_SCOPES, ROUTES, SCOPES, TENANT_SCOPES } from '../../lambdas/api/routes';
import { InvalidInputError } from '../../lambdas/shared/problem';
import * as z from '../../lambdas/shared/zod';
import { credentialByToken } from '../../local/tenants';

const withBearer = (token: string) =>
  ({ headers: { Authorization: `Bearer ${token}` }, requestContext: {} }) as unknown as APIGatewayProxyEvent;

/** Whether a caller with these scopes may call the route (any one of its scopes admits). */
const admits = (scopes: readonly string[], operationId: string) =>
  ROUTES.find((r) => r.operationId === operationId)!.scopes.some((s) => scopes.includes(s));

describe('roles', () => {
  it('gives a viewer the read scopes only: every GET is allowed and no change is', () => {
    const viewer = ROLE_SCOPES.viewer;
    expect([...viewer].sort()).toEqual([...READ_SCOPES].sort());
    // Roles are a tenant's staff: the operator's routes are not theirs to read (below).
    for (const route of ROUTES.filter((r) => r.audience !== 'operator'))
      expect([route.operationId, admits(viewer, route.operationId)]).toEqual([
        route.operationId,
        route.method === 'GET',
      ]);
  });

  it('gives no role an operator scope, and admits only operator scopes on operator routes', () => {
    for (const scopes of Object.values(ROLE_SCOPES))
      expect(scopes.filter((s) => (OPERATOR_SCOPES as readonly string[]).includes(s))).toEqual([]);
    const operatorRoutes = ROUTES.filter((r) => r.audience === 'operator');
    expect(operatorRoutes.map((r) => r.operationId).sort()).toEqual(['getIncident', 'recordIncident']);
    for (const route of operatorRoutes) expect(route.scopes).toEqual(['incidents.manage']);
    for (const route of ROUTES.filter((r) => r.audience !== 'operator'))
      expect([route.operationId, route.scopes.filter((s) => s === 'incidents.manage')]).toEqual([
        route.operationId,
        [],
      ]);
  });

  it('lets a privacy officer handle subscribers, opt-outs, DSRs and legal holds, but not send messages', () => {
    const officer = ROLE_SCOPES['privacy-officer'];
    for (const op of [
      'createDsr',
      'extendDsr',
      'setLegalHold',
      'recordOptOut',
      'patchSubscriber',
      'listDsrs',
    ])
      expect([op, admits(officer, op)]).toEqual([op, true]);
    for (const op of ['sendMessage', 'createCampaign', 'cancelCampaign'])
      expect([op, admits(officer, op)]).toEqual([op, false]);
  });

  it('declares every role scope among the API scopes', () => {
    for (const scopes of Object.values(ROLE_SCOPES))
      expect(SCOPES).toEqual(expect.arrayContaining([...scopes]));
  });
});

describe('callers', () => {
  const local = bearerTokenCaller(credentialByToken());

  it('keeps the application tokens with every tenant scope, and gives role tokens their role', () => {
    expect(local(withBearer('local-demo'))).toEqual({
      tenantId: 'demo',
      scopes: [...TENANT_SCOPES],
      principal: 'local:demo',
    });
    expect(local(withBearer('local-acme'))?.scopes).toEqual([...TENANT_SCOPES]);
    expect(local(withBearer('local-demo-viewer'))).toMatchObject({
      tenantId: 'demo',
      role: 'viewer',
      scopes: ROLE_SCOPES.viewer,
    });
    expect(local(withBearer('local-demo-officer'))).toMatchObject({
      tenantId: 'demo',
      role: 'privacy-officer',
    });
    expect(local(withBearer('local-acme-officer'))).toMatchObject({
      tenantId: 'acme',
      role: 'privacy-officer',
    });
    expect(local(withBearer('local-acme-viewer'))).toBeUndefined();
  });

  it('gives the local operator token the operator scopes and no tenant', () => {
    const operator = local(withBearer('local-operator'));
    expect(operator).toEqual({ kind: 'operator', scopes: ['incidents.manage'], principal: 'local:operator' });
    expect(operator).not.toHaveProperty('tenantId');
  });

  it('resolves the operator app client as the operator, with operator scopes only, and a tenant client never', () => {
    const resolve = cognitoClaimsCaller({ c1: 'demo' }, { operator: 'op' });
    const event = (clientId: string, scope: string) =>
      ({
        requestContext: { authorizer: { claims: { client_id: clientId, scope } } },
      }) as unknown as APIGatewayProxyEvent;
    expect(resolve(event('op', 'optline/incidents.manage optline/dsr.manage'))).toEqual({
      kind: 'operator',
      scopes: ['incidents.manage'],
      principal: 'client:op',
    });
    // A tenant client holding the operator scope by mistake still gets tenant scopes only.
    expect(resolve(event('c1', 'optline/incidents.manage optline/dsr.read'))).toEqual({
      tenantId: 'demo',
      scopes: ['dsr.read'],
      principal: 'client:c1',
    });
    expect(resolve(event('unknown', 'optline/incidents.manage'))).toBeUndefined();
  });

  it('reads the read scopes from a Cognito access token', () => {
    const caller = cognitoClaimsCaller({ c1: 'demo' })({
      requestContext: {
        authorizer: { claims: { client_id: 'c1', scope: 'optline/dsr.read optline/other' } },
      },
    } as unknown as APIGatewayProxyEvent);
    expect(caller?.scopes).toEqual(['dsr.read']);
  });
});

describe('page cursors', () => {
  const schema = z.strictObject({ t: z.string(), k: z.string() });
  const mine = (state: { t: string }) => state.t === 'demo';

  it('reads back what it wrote for the same list', () => {
    expect(decodeCursor(encodeCursor({ t: 'demo', k: 'x' }), schema, mine)).toEqual({ t: 'demo', k: 'x' });
  });

  it.each([
    ['another list', encodeCursor({ t: 'acme', k: 'x' })],
    ['another shape', encodeCursor({ t: 'demo' })],
    ['not JSON', Buffer.from('{').toString('base64url')],
    ['not base64url JSON at all', 'bm9wZQ'],
  ])('refuses a cursor of %s as invalid input on the cursor field', (_label, cursor) => {
    expect(() => decodeCursor(cursor, schema, mine)).toThrow(InvalidInputError);
  });
});
