/**
 * Campaign audiences (DESIGN §10), free of any AWS SDK. An audience is the tenant's `active` subscribers who
 * chose a topic or, without a topic, every `active` subscriber. It is kept as an index written in the same
 * transaction as each subscriber change that alters it, so reading one costs in proportion to the audience,
 * never to the table.
 *
 * The index is a hint, not a permission: a profile that expired but is not purged yet, or that changed after
 * the page was read, is still listed. Whoever sends re-reads each recipient's profile, suppressions and consent
 * at dispatch (DESIGN §4), so a stale entry costs a read and never a send.
 */
import type { SubscriberStatus } from '../shared/schemas';

/** What a subscriber is indexed under: nothing, or every audience (`all`) plus one per topic. */
export interface Membership {
  readonly topics: readonly string[];
}

/** Only an `active` subscriber is in an audience: a pending double opt-in joins at YES, a restricted one leaves. */
export function membershipOf(
  profile: { readonly status: SubscriberStatus; readonly topics: readonly string[] } | undefined,
): Membership | undefined {
  return profile?.status === 'active' ? { topics: [...profile.topics] } : undefined;
}

/** One page of an audience: pseudonymous subject ids only, never a phone number. */
export interface AudiencePage {
  readonly subjectIds: readonly string[];
  /** Where the next page starts; absent on the last page. Opaque to the caller. */
  readonly cursor?: string;
}

export interface AudienceReader {
  /**
   * One page of the audience of `topic` (every active subscriber when undefined), at most `pageSize` ids, in a
   * stable order, starting after `cursor`. The cost is that of the page's index entries only.
   */
  readAudience(
    tenantId: string,
    topic: string | undefined,
    cursor: string | undefined,
    pageSize: number,
  ): Promise<AudiencePage>;
}
