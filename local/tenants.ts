/** The tenants local mode seeds, with the bearer tokens that stand in for Cognito app clients. */
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

export const tenantByToken = (): Record<string, string> =>
  Object.fromEntries(LOCAL_TENANTS.map((t) => [t.token, t.tenantId]));

/** The Tenants item of a local tenant: its settings, without the local token. */
export const tenantItem = ({ token: _token, ...settings }: LocalTenant): TenantSettings => settings;
