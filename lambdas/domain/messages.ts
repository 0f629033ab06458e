/**
 * Sending one SMS (DESIGN §4 Send): the checks in their contract order, each with its own 422 problem type,
 * then the tenant's channel, then the message log. Free of any AWS SDK: stores and sender are ports.
 */
import { ProblemError } from '../shared/problem';
import type { MessageStatus } from '../shared/schemas';
import { checkContent, countSegments } from './content-policy';
import {
  FrequencyCapError,
  frequencyCapOf,
  hasReachedFrequencyCap,
  isCapped,
  type MarketingHistory,
} from './frequency-cap';
import { normalizeE164 } from './phone';
import { quietHoursCheck, QuietHoursError } from './quiet-hours';
import { expiresAt } from './retention';
import {
  ProviderRejectedError,
  SUPPRESSION_EXEMPT_CATEGORIES,
  type Channel,
  type MessageCategory,
  type SmsSender,
} from './sms';
import type { SubjectIdDeriver } from './subject-id';
import type { SubscriberRecord } from './subscribers';
import type { TenantStore } from './tenants';

/** What the checks need to know about a recipient, read in one strongly consistent request. */
export interface RecipientState {
  readonly subscriber?: SubscriberRecord;
  /** Scopes with a standing suppression: `all` and/or topics. */
  readonly suppressedScopes: readonly string[];
}

export interface MessageRecord {
  readonly tenantId: string;
  readonly subjectId: string;
  readonly messageId: string;
  readonly direction: 'outbound' | 'inbound';
  readonly category: MessageCategory;
  readonly topic?: string;
  /** The campaign this message was sent for (DESIGN §10); absent for a 1:1 send. */
  readonly campaignId?: string;
  /** The counterpart's number (E.164): only ever an attribute, never a key. */
  readonly phone: string;
  readonly body: string;
  readonly channel: Channel;
  readonly providerMessageId?: string;
  readonly status: MessageStatus | 'received';
  readonly failureCode?: string;
  readonly segments: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly expiresAt: number;
}

export interface MessageStore {
  recipientState(tenantId: string, subjectId: string, topic?: string): Promise<RecipientState>;
  /** Appends a message; 'duplicate' (nothing written) when the same message was logged before. */
  log(record: MessageRecord): Promise<'logged' | 'duplicate'>;
  /** The tenant's message, or undefined for an unknown id, another tenant's id, or an expired message. */
  findById(tenantId: string, messageId: string, now: Date): Promise<MessageRecord | undefined>;
}

export interface SendDeps {
  readonly messages: MessageStore;
  /** Counts a recipient's recent marketing messages for the tenant's frequency cap. */
  readonly marketingHistory: MarketingHistory;
  readonly tenants: TenantStore;
  readonly subjectIds: SubjectIdDeriver;
  readonly sender: SmsSender;
  readonly clock: () => Date;
  readonly newId: () => string;
  /**
   * Reports a message the provider took but the message log could not record. The send counts as done all the
   * same, since a retry would send it again; this is how an operator learns of the missing log item.
   */
  readonly onNotLogged: (messageId: string) => void;
}

export interface SendRequest {
  readonly to: string;
  readonly body: string;
  readonly category: MessageCategory;
  readonly topic?: string;
}

export interface SendOptions {
  /**
   * Sent by optline itself (opt-out confirmations, HELP replies, double opt-in requests): only these may reach a
   * suppressed number, and they need no prior consent. Never set from an API request.
   * @default false
   */
  readonly internal?: boolean;
  /** Field name for errors about the recipient. @default 'to' */
  readonly field?: string;
  /** The campaign the message is dispatched for, logged with it. @default - a 1:1 send */
  readonly campaignId?: string;
}

export interface SendOutcome {
  readonly messageId: string;
  readonly status: MessageStatus;
  readonly subjectId: string;
}

/**
 * The recipient checks of DESIGN §4 that need no more than the recipient's state, in contract order; the frequency
 * cap (marketing only) and then the content check follow them.
 */
export function checkRecipient(
  state: RecipientState,
  request: SendRequest & { e164: string },
  now: Date,
  internal: boolean,
): void {
  const exempt = internal && SUPPRESSION_EXEMPT_CATEGORIES.includes(request.category);
  if (!exempt) {
    const scopes = ['all', ...(request.topic ? [request.topic] : [])];
    if (scopes.some((scope) => state.suppressedScopes.includes(scope))) {
      throw new ProblemError('recipient-opted-out', {
        detail: request.topic
          ? `The recipient opted out of all messages or of the topic ${request.topic}; do not send again unless they opt back in.`
          : 'The recipient opted out; do not send again unless they opt back in.',
      });
    }
  }
  if (internal) return;
  const { subscriber } = state;
  if (!subscriber || subscriber.status === 'pending_confirmation') {
    throw new ProblemError('no-consent', {
      detail: subscriber
        ? 'The recipient has not yet confirmed the double opt-in; send after they reply YES.'
        : 'There is no consent on record for this recipient; subscribe them with consent evidence first.',
    });
  }
  if (subscriber.status === 'restricted') {
    throw new ProblemError('processing-restricted', {
      detail: 'Processing of this recipient is restricted by a data-subject request; nothing may be sent.',
    });
  }
  const quiet = quietHoursCheck({
    now,
    category: request.category,
    timeZone: subscriber.timeZone,
    e164: request.e164,
  });
  if (!quiet.allowed) throw new QuietHoursError(quiet, { now });
}

export async function sendMessage(
  deps: SendDeps,
  tenantId: string,
  request: SendRequest,
  options: SendOptions = {},
): Promise<SendOutcome> {
  const now = deps.clock();
  const e164 = normalizeE164(request.to, { field: options.field ?? 'to' });
  const tenant = await deps.tenants.get(tenantId);
  if (!tenant) throw new Error(`Tenant ${tenantId} has no settings`);
  const subjectId = await deps.subjectIds.derive(tenantId, e164);
  const state = await deps.messages.recipientState(tenantId, subjectId, request.topic);
  checkRecipient(state, { ...request, e164 }, now, options.internal ?? false);
  // After quiet hours, before content (DESIGN §4 and §10): marketing only, one bounded read of the log.
  if (isCapped(request.category) && !options.internal) {
    const cap = frequencyCapOf(tenantId, tenant.frequencyCap);
    if (cap && (await hasReachedFrequencyCap(deps.marketingHistory, cap, { tenantId, subjectId }, now)))
      throw new FrequencyCapError(cap);
  }
  checkContent(request.body, { denyPatterns: tenant.denyList });

  const messageId = deps.newId();
  let status: MessageStatus = 'sent';
  let providerMessageId: string | undefined;
  let failureCode: string | undefined;
  try {
    const receipt = await deps.sender.send(
      { messageId, tenantId, to: e164, body: request.body, category: request.category },
      tenant.channel,
    );
    providerMessageId = receipt.providerMessageId;
  } catch (error) {
    // Throttling propagates: nothing is logged, so a retry with the same key sends and logs exactly once.
    if (!(error instanceof ProviderRejectedError)) throw error;
    status = 'failed';
    failureCode = error.code;
  }
  const sentAt = deps.clock();
  const record: MessageRecord = {
    tenantId,
    subjectId,
    messageId,
    direction: 'outbound',
    category: request.category,
    topic: request.topic,
    ...(options.campaignId !== undefined ? { campaignId: options.campaignId } : {}),
    phone: e164,
    body: request.body,
    channel: tenant.channel.channel,
    providerMessageId,
    status,
    failureCode,
    segments: countSegments(request.body).segments,
    createdAt: sentAt.toISOString(),
    updatedAt: sentAt.toISOString(),
    expiresAt: expiresAt('messageTraffic', sentAt),
  };
  try {
    await deps.messages.log(record);
  } catch (error) {
    // Nothing went out yet unless the provider took the message: only then would a retry send it twice.
    if (status !== 'sent') throw error;
    deps.onNotLogged(messageId);
  }
  return { messageId, status, subjectId };
}

/**
 * Sends one of optline's own replies (a confirmation, a "reply YES" request), or nothing when the recipient is
 * opted out by now: a later opt-out supersedes whatever the reply was about, and sending nothing is then the
 * answer, not a failure to retry.
 */
export async function sendReplyUnlessOptedOut(
  deps: SendDeps,
  tenantId: string,
  request: SendRequest,
  field: string,
): Promise<'sent' | 'suppressed'> {
  try {
    await sendMessage(deps, tenantId, request, { internal: true, field });
    return 'sent';
  } catch (error) {
    if (error instanceof ProblemError && error.slug === 'recipient-opted-out') return 'suppressed';
    throw error;
  }
}
