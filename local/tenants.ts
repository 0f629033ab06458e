/** The tenants local mode seeds, with the bearer tokens that stand in for Cognito app clients. */
export interface LocalTenant {
  readonly tenantId: string;
  readonly token: string;
  readonly brand: string;
  readonly helpText: string;
}

export const LOCAL_TENANTS: readonly LocalTenant[] = [
  {
    tenantId: 'demo',
    token: 'local-demo',
    brand: 'Demo Shop',
    helpText: 'Demo Shop: help at support@demo.example. Reply STOP to opt out. Msg&data rates may apply.',
  },
  {
    tenantId: 'acme',
    token: 'local-acme',
    brand: 'Acme',
    helpText: 'Acme: help at help@acme.example. Reply STOP to opt out. Msg&data rates may apply.',
  },
];

export const tenantByToken = (): Record<string, string> =>
  Object.fromEntries(LOCAL_TENANTS.map((t) => [t.token, t.tenantId]));
