/**
 * Who is calling: the tenant and the scopes its credentials grant, or the platform operator, who has no tenant
 * (DESIGN §12). Deployed, the Cognito authorizer has already checked the token and the method's scopes, and the
 * tenant (or the operator) comes from the app client id; locally, a bearer token is looked up among the seeded
 * tokens.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ROLE_SCOPES, type Role } from './roles';
import { OPERATOR_SCOPES, RESOURCE_SERVER_ID, TENANT_SCOPES, type Scope } from './routes';

export interface Caller {
  readonly tenantId: string;
  readonly scopes: readonly Scope[];
  /** The role of a member of staff (the console); applications have none. @default - no role */
  readonly role?: Role;
  /** Who is calling, recorded as the actor of audited actions: `client:<app client id>`, `local:<tenant>` or `local:<tenant>:<role>`. */
  readonly principal?: string;
}

/**
 * The platform operator: it records incidents for the whole cell and belongs to no tenant, so it has no tenant id
 * for a tenant route to act on; the API handler admits it to operator routes only.
 */
export interface OperatorCaller {
  readonly kind: 'operator';
  readonly scopes: readonly Scope[];
  /** Recorded as the actor: `client:<operator app client id>` or `local:operator`. */
  readonly principal: string;
}

export const isOperator = (caller: Caller | OperatorCaller): caller is OperatorCaller =>
  'kind' in caller && caller.kind === 'operator';

/** Returns undefined when the request carries no credentials this resolver accepts. */
export type CallerResolver = (event: APIGatewayProxyEvent) => Caller | OperatorCaller | undefined;

/** The scopes of a token's `scope` claim among `allowed`. */
const grantedScopes = (claim: unknown, allowed: readonly Scope[]): Scope[] => {
  const granted = typeof claim === 'string' ? claim.split(' ') : [];
  return allowed.filter((scope) => granted.includes(`${scopePrefix}${scope}`));
};

const scopePrefix = `${RESOURCE_SERVER_ID}/`;

/**
 * Deployed: `client_id` and `scope` claims of a Cognito client-credentials access token. A tenant's client
 * counts with tenant scopes only, the operator's client (`operatorClientId`) with operator scopes only, so a
 * scope granted by mistake to the wrong client still admits nothing.
 */
export function cognitoClaimsCaller(
  tenantByClientId: Readonly<Record<string, string>>,
  operatorClientId?: string,
): CallerResolver {
  return (event) => {
    const claims = event.requestContext.authorizer?.claims as Record<string, unknown> | undefined;
    const clientId = typeof claims?.client_id === 'string' ? claims.client_id : undefined;
    if (clientId === undefined) return undefined;
    if (operatorClientId !== undefined && clientId === operatorClientId) {
      return {
        kind: 'operator',
        scopes: grantedScopes(claims?.scope, OPERATOR_SCOPES),
        principal: `client:${clientId}`,
      };
    }
    const tenantId = tenantByClientId[clientId];
    if (!tenantId) return undefined;
    return { tenantId, scopes: grantedScopes(claims?.scope, TENANT_SCOPES), principal: `client:${clientId}` };
  };
}

/**
 * What a local bearer token stands for: a tenant's application (every tenant scope), a member of its staff, or
 * the operator (`{operator: true}`, with the operator scopes and no tenant).
 */
export type LocalCredential =
  | {
      readonly tenantId: string;
      /** @default - an application, with every tenant scope */
      readonly role?: Role;
    }
  | { readonly operator: true };

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
    if ('operator' in credential) {
      return { kind: 'operator', scopes: [...OPERATOR_SCOPES], principal: 'local:operator' };
    }
    const { tenantId, role } = credential;
    return role
      ? { tenantId, role, scopes: [...ROLE_SCOPES[role]], principal: `local:${tenantId}:${role}` }
      : { tenantId, scopes: [...TENANT_SCOPES], principal: `local:${tenantId}` };
  };
}
