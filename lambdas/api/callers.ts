/**
 * Who is calling: the tenant and the scopes its credentials grant, or the platform operator, who has no tenant
 * (DESIGN §12). Deployed, the Cognito authorizer has already checked the token and the method's scopes; the
 * tenant (or the operator) comes from the app client id, or, for a member of staff signed in to the privacy
 * console, from their group. Locally, a bearer token is looked up among the seeded tokens.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { parseStaffGroup, ROLE_SCOPES, type Role } from './roles';
import { OPERATOR_SCOPES, RESOURCE_SERVER_ID, TENANT_SCOPES, type Scope } from './routes';

export interface Caller {
  readonly tenantId: string;
  readonly scopes: readonly Scope[];
  /** The role of a member of staff (the console); applications have none. @default - no role */
  readonly role?: Role;
  /**
   * Who is calling, recorded as the actor of audited actions: `client:<app client id>`, `staff:<Cognito user
   * sub>` (a random id, never a name or an address), `local:<tenant>` or `local:<tenant>:<role>`.
   */
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
 * Deployed: the claims of a Cognito access token, as the authorizer passes them (every value a string).
 * - A tenant's machine client (client credentials): `client_id` names the tenant, `scope` the scopes, of which
 *   tenant scopes only count.
 * - The operator's client (`clients.operator`): operator scopes only, so a scope granted by mistake to the wrong
 *   client still admits nothing.
 * - The privacy console's public client (`clients.console`): the user's one group names the tenant and the role
 *   (`<tenant>.<role>`, lambdas/api/roles.ts), and the scopes are the role's, narrowed to those the token carries.
 *   Cognito grants a user every scope the console client may ask for, whatever their group, so the role is what
 *   keeps a viewer from erasing, whatever scopes API Gateway let through. No group, more than one, or one
 *   that is not a staff group of a tenant of this cell: no caller.
 */
export function cognitoClaimsCaller(
  tenantByClientId: Readonly<Record<string, string>>,
  clients: { readonly console?: string; readonly operator?: string } = {},
): CallerResolver {
  const cellTenants = new Set(Object.values(tenantByClientId));
  return (event) => {
    const claims = event.requestContext.authorizer?.claims as Record<string, unknown> | undefined;
    const clientId = typeof claims?.client_id === 'string' ? claims.client_id : undefined;
    if (clientId === undefined) return undefined;
    if (clients.operator !== undefined && clientId === clients.operator) {
      return {
        kind: 'operator',
        scopes: grantedScopes(claims?.scope, OPERATOR_SCOPES),
        principal: `client:${clientId}`,
      };
    }
    const scopes = grantedScopes(claims?.scope, TENANT_SCOPES);
    if (clients.console !== undefined && clientId === clients.console) {
      const staff = staffOf(claims!, cellTenants);
      if (!staff) return undefined;
      return {
        tenantId: staff.tenantId,
        role: staff.role,
        scopes: scopes.filter((scope) => ROLE_SCOPES[staff.role].includes(scope)),
        principal: `staff:${staff.sub}`,
      };
    }
    const tenantId = tenantByClientId[clientId];
    if (!tenantId) return undefined;
    return { tenantId, scopes, principal: `client:${clientId}` };
  };
}

/**
 * The tenant and role of a console user: their one group must be a staff group of a tenant of the cell.
 * API Gateway's Cognito authorizer hands the Lambda proxy integration every claim as a string
 * (`requestContext.authorizer.claims`): a single group arrives as its bare name (`acme.viewer`), not as the JSON
 * array the token holds, and several are flattened into one string, seen as `[a b]` and as `a,b`. Every form is
 * read, and a real array too; staff group names hold no space, comma or bracket, so none is split wrongly, and
 * any other group makes the token unusable rather than ignored.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-integrate-with-cognito.html
 * https://repost.aws/questions/QUFJRBaEJRSmmqarNrvCWoQA/aws-cognito-group
 */
function staffOf(
  claims: Record<string, unknown>,
  cellTenants: ReadonlySet<string>,
): { tenantId: string; role: Role; sub: string } | undefined {
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub === '') return undefined;
  const groups = groupsOf(claims['cognito:groups']);
  if (groups.length !== 1) return undefined;
  const staff = parseStaffGroup(groups[0]!);
  return staff && cellTenants.has(staff.tenantId) ? { ...staff, sub } : undefined;
}

function groupsOf(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((group): group is string => typeof group === 'string');
  if (typeof claim !== 'string') return [];
  return claim
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter((group) => group !== '');
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
