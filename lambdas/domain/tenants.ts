/** A tenant (data controller) as the sending and reply rules see it. */
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
}

export interface TenantStore {
  get(tenantId: string): Promise<TenantSettings | undefined>;
}
