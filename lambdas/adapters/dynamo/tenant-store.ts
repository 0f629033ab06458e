/**
 * DynamoDB implementation of the TenantStore port, with a short in-memory cache: tenant settings change rarely.
 * Settings from the cell configuration, when given, take precedence over the stored item.
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isExpired } from '../../domain/retention';
import {
  mergeTenantSettings,
  type ConfiguredTenant,
  type TenantSettings,
  type TenantStore,
} from '../../domain/tenants';

export class DynamoTenantStore implements TenantStore {
  private readonly cache = new Map<string, { settings: TenantSettings | undefined; until: number }>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly configured: Readonly<Record<string, ConfiguredTenant>> = {},
    private readonly ttlMs = 60_000,
  ) {}

  async get(tenantId: string): Promise<TenantSettings | undefined> {
    const cached = this.cache.get(tenantId);
    if (cached && cached.until > Date.now()) return cached.settings;
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { tenantId } }));
    // An item past its retention is absent, as for every read (DESIGN §3): TTL deletes it late.
    const stored = Item && !isExpired(Item, new Date()) ? (Item as TenantSettings) : undefined;
    const settings = mergeTenantSettings(tenantId, stored, this.configured[tenantId]);
    this.cache.set(tenantId, { settings, until: Date.now() + this.ttlMs });
    return settings;
  }
}
