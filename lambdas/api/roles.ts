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
