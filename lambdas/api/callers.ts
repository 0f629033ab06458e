/**
 * Who is calling: the tenant and the scopes its credentials grant. Deployed, the Cognito authorizer has
 * already checked the token and the method's scopes, and the tenant comes from the app client id; locally,
 * a bearer token is looked up among the seeded tenants.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { RESOURCE_SERVER_ID, SCOPES, type Scope } from './routes';

export interface Caller {
  readonly tenantId: string;
  readonly scopes: readonly Scope[];
  /** Who is calling, recorded as the actor of audited actions: `client:<app client id>` or `local:<tenant>`. */
  readonly principal?: string;
}

/** Returns undefined when the request carries no credentials this resolver accepts. */
export type CallerResolver = (event: APIGatewayProxyEvent) => Caller | undefined;

const scopePrefix = `${RESOURCE_SERVER_ID}/`;

/** Deployed: `client_id` and `scope` claims of a Cognito client-credentials access token. */
export function cognitoClaimsCaller(tenantByClientId: Readonly<Record<string, string>>): CallerResolver {
  return (event) => {
    const claims = event.requestContext.authorizer?.claims as Record<string, unknown> | undefined;
    const clientId = typeof claims?.client_id === 'string' ? claims.client_id : undefined;
    const tenantId = clientId === undefined ? undefined : tenantByClientId[clientId];
    if (!tenantId) return undefined;
    const granted = typeof claims?.scope === 'string' ? claims.scope.split(' ') : [];
    const scopes = SCOPES.filter((scope) => granted.includes(`${scopePrefix}${scope}`));
    return { tenantId, scopes, principal: `client:${clientId}` };
  };
}

/** Local mode: `Authorization: Bearer <token>` checked against the seeded tenants, which hold every scope. */
export function bearerTokenCaller(tenantByToken: Readonly<Record<string, string>>): CallerResolver {
  return (event) => {
    const header = Object.entries(event.headers ?? {}).find(
      ([name]) => name.toLowerCase() === 'authorization',
    )?.[1];
    const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const tenantId = token === undefined ? undefined : tenantByToken[token];
    return tenantId ? { tenantId, scopes: [...SCOPES], principal: `local:${tenantId}` } : undefined;
  };
}
