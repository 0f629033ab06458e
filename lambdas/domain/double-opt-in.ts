/**
 * Double opt-in (DESIGN §4 Subscribe): a subscriber created with `doubleOptIn` stays `pending_confirmation` and
 * gets one "reply YES" SMS; the YES (OUI, SI, JA) is an opt-in keyword that confirms it.
 */
import { sendReplyUnlessOptedOut, type SendDeps } from './messages';
import { doubleOptInRequest } from './replies';
import type { SubscriberRecord } from './subscribers';

/**
 * Sends the request, or nothing to a number that stays opted out (consent older than its opt-out). A client that
 * retries the subscribe while the subscriber is still pending gets the request again: nothing is lost on a crash.
 */
export async function sendDoubleOptInRequest(
  deps: SendDeps,
  subscriber: SubscriberRecord,
): Promise<'sent' | 'suppressed'> {
  const tenant = await deps.tenants.get(subscriber.tenantId);
  if (!tenant) throw new Error(`Tenant ${subscriber.tenantId} has no settings`);
  return sendReplyUnlessOptedOut(
    deps,
    subscriber.tenantId,
    {
      to: subscriber.phone,
      body: doubleOptInRequest(tenant.brand, subscriber.locale),
      category: 'transactional',
    },
    'phone',
  );
}
