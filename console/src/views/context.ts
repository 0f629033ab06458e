/** What every page of the console gets: the API and what the signed-in user may do. */
import type { OptlineClient } from '../api';

export interface PageContext {
  readonly api: OptlineClient;
  /** A privacy officer may change things; a viewer only reads, and sees no write action. */
  readonly canManage: boolean;
}
