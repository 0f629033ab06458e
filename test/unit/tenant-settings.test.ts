import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoTenantStore } from '../../lambdas/adapters/dynamo/tenant-store';
import {
  mergeTenantSettings,
  type ConfiguredTenant,
  type TenantSettings,
} from '../../lambdas/domain/tenants';

const poolChannel = {
  channel: 'end-user-messaging',
  originationIdentity: 'arn:aws:sms-voice:us-east-1:111122223333:pool/pool-acme',
  configurationSetName: 'optline-us',
} as const;
const simulatorChannel = {
  channel: 'end-user-messaging',
  originationIdentity: 'arn:aws:sms-voice:us-east-1:111122223333:phone-number/phone-demo',
  configurationSetName: 'optline-us',
} as const;

/** A tenant item as an operator stored it before the cell configuration described the tenant. */
const storedAcme: TenantSettings = {
  tenantId: 'acme',
  brand: 'Acme Old Brand',
  contact: 'old@acme.example',
  helpText: 'Acme: stored help text. Reply STOP to opt out.',
  channel: { channel: 'sns' },
  denyList: ['bit.ly'],
};

describe('mergeTenantSettings: the cell configuration over the Tenants item', () => {
  it('lets each configured field win over the stored one and keeps the stored fields the configuration leaves out', () => {
    // GIVEN a configured brand, contact and channel, and no configured help text
    const configured: ConfiguredTenant = {
      brand: 'Acme',
      contact: 'help@acme.example',
      channel: poolChannel,
    };
    // WHEN merged with the stored item
    const settings = mergeTenantSettings('acme', storedAcme, configured);
    // THEN the configured fields replace the stored ones, the rest is kept
    expect(settings).toEqual({
      tenantId: 'acme',
      brand: 'Acme',
      contact: 'help@acme.example',
      helpText: storedAcme.helpText,
      channel: poolChannel,
      denyList: ['bit.ly'],
    });
  });

  it('lets a configured help text win over the stored one', () => {
    const configured: ConfiguredTenant = {
      brand: 'Acme',
      contact: 'help@acme.example',
      helpText: 'Acme: call us.',
    };
    expect(mergeTenantSettings('acme', storedAcme, configured)?.helpText).toBe('Acme: call us.');
  });

  it('keeps the stored channel when the configuration gives none (a tenant with no provisioned identity)', () => {
    const configured: ConfiguredTenant = { brand: 'Acme', contact: 'help@acme.example' };
    expect(mergeTenantSettings('acme', storedAcme, configured)).toEqual({
      ...storedAcme,
      brand: 'Acme',
      contact: 'help@acme.example',
    });
  });

  it('makes a complete tenant of a configured one with a channel and no stored item', () => {
    const configured: ConfiguredTenant = {
      brand: 'Demo',
      contact: 'help@demo.example',
      channel: simulatorChannel,
    };
    expect(mergeTenantSettings('demo', undefined, configured)).toEqual({
      tenantId: 'demo',
      brand: 'Demo',
      contact: 'help@demo.example',
      channel: simulatorChannel,
    });
  });

  it('finds no tenant when it is configured without a channel and has no stored item: it cannot send', () => {
    expect(
      mergeTenantSettings('demo', undefined, { brand: 'Demo', contact: 'help@demo.example' }),
    ).toBeUndefined();
  });

  it('takes an unconfigured tenant as stored, and finds none when nothing is stored', () => {
    expect(mergeTenantSettings('acme', storedAcme, undefined)).toBe(storedAcme);
    expect(mergeTenantSettings('acme', undefined, undefined)).toBeUndefined();
  });

  it('names the tenant by the id asked for, whatever the stored item says', () => {
    const configured: ConfiguredTenant = { brand: 'Acme', contact: 'help@acme.example' };
    expect(mergeTenantSettings('acme', { ...storedAcme, tenantId: 'other' }, configured)?.tenantId).toBe(
      'acme',
    );
  });
});

describe('DynamoTenantStore with tenants from the cell configuration', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const configured: Record<string, ConfiguredTenant> = {
    acme: { brand: 'Acme', contact: 'help@acme.example', channel: poolChannel },
    demo: { brand: 'Demo', contact: 'help@demo.example', channel: simulatorChannel },
    bare: { brand: 'Bare', contact: 'help@bare.example' },
  };
  const storedLegacy: TenantSettings = {
    tenantId: 'legacy',
    brand: 'Legacy',
    contact: 'help@legacy.example',
    channel: { channel: 'sns' },
  };

  beforeEach(() => {
    // GIVEN a Tenants table holding acme and legacy only
    ddb.on(GetCommand).resolves({});
    ddb.on(GetCommand, { TableName: 'Tenants', Key: { tenantId: 'acme' } }).resolves({ Item: storedAcme });
    ddb
      .on(GetCommand, { TableName: 'Tenants', Key: { tenantId: 'legacy' } })
      .resolves({ Item: storedLegacy });
  });
  afterEach(() => ddb.reset());
  afterAll(() => ddb.restore());

  it('overlays the configured settings on the stored item, field by field', async () => {
    const store = new DynamoTenantStore(db, 'Tenants', configured);
    await expect(store.get('acme')).resolves.toEqual({
      tenantId: 'acme',
      brand: 'Acme',
      contact: 'help@acme.example',
      helpText: storedAcme.helpText,
      channel: poolChannel,
      denyList: ['bit.ly'],
    });
    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input).toEqual({
      TableName: 'Tenants',
      Key: { tenantId: 'acme' },
    });
  });

  it('serves a configured tenant with a channel and no stored item as complete', async () => {
    const store = new DynamoTenantStore(db, 'Tenants', configured);
    await expect(store.get('demo')).resolves.toEqual({ tenantId: 'demo', ...configured.demo });
  });

  it('finds no configured tenant without a channel and without an item', async () => {
    const store = new DynamoTenantStore(db, 'Tenants', configured);
    await expect(store.get('bare')).resolves.toBeUndefined();
  });

  it('serves an unconfigured tenant exactly as stored, and an unknown one as absent', async () => {
    const store = new DynamoTenantStore(db, 'Tenants', configured);
    await expect(store.get('legacy')).resolves.toEqual(storedLegacy);
    await expect(store.get('nobody')).resolves.toBeUndefined();
  });

  it('serves the stored items as they are when the cell configures no tenant', async () => {
    const store = new DynamoTenantStore(db, 'Tenants');
    await expect(store.get('acme')).resolves.toEqual(storedAcme);
    await expect(store.get('demo')).resolves.toBeUndefined();
  });

  it('treats a stored item past its retention as absent, as every read does (DESIGN §3)', async () => {
    const past = Math.floor(Date.now() / 1000) - 60;
    ddb
      .on(GetCommand, { TableName: 'Tenants', Key: { tenantId: 'legacy' } })
      .resolves({ Item: { ...storedLegacy, expiresAt: past } });
    await expect(new DynamoTenantStore(db, 'Tenants', configured).get('legacy')).resolves.toBeUndefined();
    // A configured tenant with a channel does not need its expired item.
    ddb
      .on(GetCommand, { TableName: 'Tenants', Key: { tenantId: 'acme' } })
      .resolves({ Item: { ...storedAcme, expiresAt: past } });
    await expect(new DynamoTenantStore(db, 'Tenants', configured).get('acme')).resolves.toEqual({
      tenantId: 'acme',
      ...configured.acme,
    });
  });

  it('caches the merged settings: a second read within the cache period does not reach the table', async () => {
    const store = new DynamoTenantStore(db, 'Tenants', configured);
    const first = await store.get('acme');
    const second = await store.get('acme');
    expect(second).toEqual(first);
    expect(second?.brand).toBe('Acme');
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
  });
});
