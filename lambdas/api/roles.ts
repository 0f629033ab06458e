/**
 * Roles of the privacy console's staff (DESIGN §11): `privacy-officer` does everything a tenant's privacy staff
 * do, `viewer` only reads. A role is nothing but a set of scopes: the API checks scopes, so it enforces a role
 * whether the caller uses the console or not. Deployed, a Cognito group maps each user to a tenant and a role;
 * locally, role tokens stand in for them (local/tenants.ts).
 */
import type { Scope } from './routes';

export const ROLES = ['privacy-officer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** The scopes that only read: each read route accepts its area's read scope (or the area's write scope). */
export const READ_SCOPES = [
  'subscribers.read',
  'dsr.read',
  'messages.read',
  'stats.read',
] as const satisfies readonly Scope[];

/** What each role may do. A privacy officer handles subscribers, opt-outs and DSRs, but sends no messages. */
export const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> = {
  'privacy-officer': [...READ_SCOPES, 'subscribers.write', 'optouts.write', 'dsr.manage'],
  viewer: [...READ_SCOPES],
};

/** Separates the tenant from the role in a staff group's name; tenant ids never contain it. */
const GROUP_SEPARATOR = '.';

/** The Cognito group of a tenant's staff in a role: `<tenant>.<role>`, such as `acme.viewer`. */
export const staffGroupName = (tenantId: string, role: Role): string =>
  `${tenantId}${GROUP_SEPARATOR}${role}`;

/** The tenant and role a staff group stands for, or undefined for a name of any other shape. */
export function parseStaffGroup(name: string): { tenantId: string; role: Role } | undefined {
  const at = name.lastIndexOf(GROUP_SEPARATOR);
  if (at <= 0) return undefined;
  const role = ROLES.find((candidate) => candidate === name.slice(at + 1));
  return role ? { tenantId: name.slice(0, at), role } : undefined;
}
