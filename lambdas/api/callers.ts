/**
 * Who is calling: the tenant and the scopes its credentials grant. Deployed, the Cognito authorizer has
 * already checked the token and the method's scopes, and the tenant comes from the app client id; locally,
 * a bearer token is looked up among the seeded tenants.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ROLE_SCOPES, type Role } from './roles';
import { RESOURCE_SERVER_ID, SCOPES, type Scope } from './routes';

export interface Caller {
  readonly tenantId: string;
  readonly scopes: readonly Scope[];
  /** The role of a member of staff (the console); applications have none. @default - no role */
  readonly role?: Role;
  /** Who is calling, recorded as the actor of audited actions: `client:<app client id>`, `local:<tenant>` or `local:<tenant>:<role>`. */
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

/** What a local bearer token stands for: a tenant's application (every scope), or a member of its staff. */
export interface LocalCredential {
  readonly tenantId: string;
  /** @default - an application, with every scope */
  readonly role?: Role;
}

/**
 * Local mode: `Authorization: Bearer <token>` checked against the seeded tokens. An application token holds
 * every scope; a role token holds its role's scopes.
 */
export function bearerTokenCaller(
  credentialByToken: Readonly<Record<string, LocalCredential>>,
): CallerResolver {
  return (event) => {
    const header = Object.entries(event.headers ?? {}).find(
      ([name]) => name.toLowerCase() === 'authorization',
    )?.[1];
    const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const credential = token === undefined ? undefined : credentialByToken[token];
    if (!credential) return undefined;
    const { tenantId, role } = credential;
    return role
      ? { tenantId, role, scopes: [...ROLE_SCOPES[role]], principal: `local:${tenantId}:${role}` }
      : { tenantId, scopes: [...SCOPES], principal: `local:${tenantId}` };
  };
}
