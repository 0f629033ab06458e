/** A tenant (data controller) as the sending and reply rules see it. */
import type { FrequencyCap } from './frequency-cap';
import type { ChannelConfig } from './sms';

export interface TenantSettings {
  readonly tenantId: string;
  readonly brand: string;
  /** Support contact for HELP replies, such as an e-mail address or URL. */
  readonly contact: string;
  /** HELP reply text; when absent one is composed from brand and contact. @default - composed */
  readonly helpText?: string;
  readonly channel: ChannelConfig;
  /** Terms refused in message bodies (for example URL shorteners). @default - the platform's default list */
  readonly denyList?: readonly string[];
  /**
   * Marketing messages one recipient may get in a window of days (DESIGN §10; frequency-cap.ts).
   * @default - no cap
   */
  readonly frequencyCap?: FrequencyCap;
}

export interface TenantStore {
  get(tenantId: string): Promise<TenantSettings | undefined>;
}

/**
 * A tenant's settings as the cell configuration states them (its brand and contact, and the channel derived from
 * the origination identities provisioned for it). They take precedence over its item in the Tenants table, which
 * then only needs what the configuration leaves out.
 */
export type ConfiguredTenant = Pick<TenantSettings, 'brand' | 'contact'> &
  Partial<Pick<TenantSettings, 'helpText' | 'channel' | 'frequencyCap'>>;

/** The settings of a tenant: its stored item overlaid with its configuration; absent when neither can send. */
export function mergeTenantSettings(
  tenantId: string,
  stored: TenantSettings | undefined,
  configured: ConfiguredTenant | undefined,
): TenantSettings | undefined {
  if (!configured) return stored;
  const channel = configured.channel ?? stored?.channel;
  if (!channel) return undefined;
  return { ...stored, ...configured, tenantId, channel };
}
