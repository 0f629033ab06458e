/**
 * The tenants local mode seeds, with the bearer tokens that stand in for Cognito: each tenant's application
 * token (every tenant scope, as an app client), role tokens for members of the console's staff, and the
 * operator's token, which belongs to no tenant.
 */
import type { LocalCredential } from '../lambdas/api/callers';
import type { Role } from '../lambdas/api/roles';
import type { TenantSettings } from '../lambdas/domain/tenants';

export interface LocalTenant extends TenantSettings {
  readonly token: string;
}

export const LOCAL_TENANTS: readonly LocalTenant[] = [
  {
    tenantId: 'demo',
    token: 'local-demo',
    brand: 'Demo Shop',
    contact: 'support@demo.example',
    channel: { channel: 'outbox' },
  },
  {
    tenantId: 'acme',
    token: 'local-acme',
    brand: 'Acme',
    contact: 'help@acme.example',
    channel: { channel: 'outbox' },
    denyList: ['bit.ly', 'tinyurl.com', 'goo.gl', 'ow.ly', 'is.gd'],
  },
];

/** Role tokens of the console: `local-<tenant>-<officer|viewer>`, each with its role's scopes. */
export const LOCAL_ROLE_TOKENS: Readonly<Record<string, { readonly tenantId: string; readonly role: Role }>> =
  {
    'local-demo-officer': { tenantId: 'demo', role: 'privacy-officer' },
    'local-demo-viewer': { tenantId: 'demo', role: 'viewer' },
    'local-acme-officer': { tenantId: 'acme', role: 'privacy-officer' },
  };

/** The platform operator's token (DESIGN §12): `incidents.manage`, and no tenant. */
export const LOCAL_OPERATOR_TOKEN = 'local-operator';

/** Every local token and what it stands for. */
export const credentialByToken = (): Record<string, LocalCredential> => ({
  ...Object.fromEntries(LOCAL_TENANTS.map((t) => [t.token, { tenantId: t.tenantId }])),
  ...LOCAL_ROLE_TOKENS,
  [LOCAL_OPERATOR_TOKEN]: { operator: true },
});

/** The Tenants item of a local tenant: its settings, without the local token. */
export const tenantItem = ({ token: _token, ...settings }: LocalTenant): TenantSettings => settings;
