import type { APIGatewayProxyEvent } from 'aws-lambda';
import { bearerTokenCaller, cognitoClaimsCaller } from '../../lambdas/api/callers';
import { decodeCursor, encodeCursor } from '../../lambdas/api/page-cursor';
import { READ_SCOPES, ROLE_SCOPES } from '../../lambdas/api/roles';
import { ROUTES, SCOPES } from '../../lambdas/api/routes';
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
    for (const route of ROUTES)
      expect([route.operationId, admits(viewer, route.operationId)]).toEqual([
        route.operationId,
        route.method === 'GET',
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

  it('keeps the application tokens with every scope, and gives role tokens their role', () => {
    expect(local(withBearer('local-demo'))).toEqual({
      tenantId: 'demo',
      scopes: [...SCOPES],
      principal: 'local:demo',
    });
    expect(local(withBearer('local-acme'))?.scopes).toEqual([...SCOPES]);
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
