/**
 * Campaign dispatch (DESIGN §10), in two steps that a queue drives, deployed and locally alike:
 *
 * - **Fan-out, one audience page per message.** Reads a bounded page of the audience (a Query on the
 *   membership index, never a table-wide read), hands its recipients to dispatch in small messages, then advances the
 *   campaign's `pagesDone` and `cursor` with a write conditional on the page it read, and sends the next page's
 *   message. A redelivered or concurrent page message finds the page already done and only makes sure the next
 *   one was sent, so every recipient is counted in `targeted` once.
 * - **Dispatch, a few recipients per message.** Each recipient is claimed with a conditional write before
 *   anything is sent, then goes through the same send path as `POST /v1/messages` (every check of DESIGN §4 at
 *   this moment, so a STOP received mid-campaign is honoured), and the claim and the campaign's counts are
 *   settled in one transaction. A claim that exists is never sent again: a redelivery, a retry or a second
 *   worker skips it. A throttled send (no slot on the identity's send schedule in time, or the provider's own
 *   throttle) releases its claim and puts that recipient and the rest of the message back on the queue, delayed
 *   until about when the schedule frees up. A send interrupted by a fault releases its claim and the message is
 *   delivered again; one interrupted by a crash keeps its claim and stays pending, so nobody gets the campaign
 *   twice.
 *
 * Quiet hours defer a recipient to the start of their window: the claim becomes `deferred` with `retryAt`, and
 * the recipient goes back on the queue with a delay of at most 15 minutes (SQS's limit), hop after hop, until
 * it is due. A cancel is seen before each recipient and each page.
 */
import type { SkipReason } from '../shared/campaign-schemas';
import { ProblemError, type ProblemSlug } from '../shared/problem';
import type { AudienceReader } from './audience';
import type { CampaignRecord, CampaignStore } from './campaigns';
import { QuietHoursError } from './quiet-hours';
import { ProviderThrottledError } from './sms';

/** Recipients per audience page: bounded, so one fan-out step is short whatever the audience. */
export const AUDIENCE_PAGE_SIZE = 100;
/** Recipients per dispatch message. */
export const RECIPIENTS_PER_MESSAGE = 10;
/** SQS's longest delivery delay. */
export const MAX_QUEUE_DELAY_SECONDS = 900;
/**
 * The campaign worker's timeout. A claim older than this was taken by an invocation that has ended without
 * settling it (a crash, a timeout): the redelivery that finds it settles it from the message log instead.
 */
export const CAMPAIGN_WORKER_TIMEOUT_SECONDS = 300;

export type CampaignWork =
  | { readonly kind: 'page'; readonly tenantId: string; readonly campaignId: string; readonly page: number }
  | {
      readonly kind: 'recipients';
      readonly tenantId: string;
      readonly campaignId: string;
      readonly subjectIds: readonly string[];
    };

export interface CampaignQueue {
  /** Queues work, delivered after `delaySeconds` (at most MAX_QUEUE_DELAY_SECONDS). */
  send(work: readonly CampaignWork[], delaySeconds?: number): Promise<void>;
}

/** How a recipient's dispatch ended. */
export type RecipientOutcome =
  | { readonly kind: 'sent'; readonly messageId: string }
  | { readonly kind: 'failed'; readonly messageId?: string }
  | { readonly kind: 'skipped'; readonly reason: SkipReason };

export type ClaimResult =
  /** Ours now; `wasDeferred` when it was a deferred recipient now due. */
  | { readonly kind: 'claimed'; readonly wasDeferred: boolean }
  /** Deferred to `retryAt`, which has not come yet. */
  | { readonly kind: 'not-due'; readonly retryAt: Date }
  /** Sent, failed, skipped, or being handled by another worker: nothing to do. */
  | { readonly kind: 'taken' }
  /**
   * Claimed by an invocation that ended without settling it (older than the worker's timeout): settle it from
   * the message log, never send again.
   */
  | {
      readonly kind: 'stale';
      readonly token: string;
      readonly claimedAt: Date;
      readonly wasDeferred: boolean;
    };

export interface DispatchStore extends Pick<CampaignStore, 'get'> {
  /** Scheduled → dispatching when the start fires; true when it is (now) dispatching. */
  beginDispatch(tenantId: string, campaignId: string, now: Date): Promise<boolean>;
  /**
   * Page `page` done: `pagesDone` from `page` to `page + 1`, the next cursor (or the fan-out finished), and
   * `targeted` and `pending` up by `count`, in one write conditional on `pagesDone = page`. False when another
   * delivery did it first.
   */
  advanceFanOut(
    campaign: CampaignRecord,
    page: number,
    next: string | undefined,
    count: number,
    now: Date,
  ): Promise<boolean>;
  claim(
    tenantId: string,
    campaignId: string,
    subjectId: string,
    token: string,
    now: Date,
  ): Promise<ClaimResult>;
  /** Settles a claimed recipient and the campaign's counts together (conditional on the claim's token). */
  settle(claim: RecipientClaim, outcome: RecipientOutcome, now: Date): Promise<void>;
  /** The claim becomes deferred to `retryAt` (counted in `deferred` the first time). */
  defer(claim: RecipientClaim, retryAt: Date, now: Date): Promise<void>;
  /** Gives a claim back after a fault, so the redelivery takes it again. */
  release(claim: RecipientClaim, now: Date): Promise<void>;
  /** dispatching → completed when the fan-out is done and nobody is pending; nothing otherwise. */
  completeIfDone(tenantId: string, campaignId: string, now: Date): Promise<void>;
}

export interface RecipientClaim {
  readonly tenantId: string;
  readonly campaignId: string;
  readonly subjectId: string;
  readonly token: string;
  readonly wasDeferred: boolean;
}

/**
 * Sends the campaign to one subscriber by subject id, through the 1:1 send path, with the campaign id logged on
 * the message. Throws that path's 422 problems for the checks, and anything else for faults.
 */
export interface CampaignSender {
  send(
    campaign: CampaignRecord,
    subjectId: string,
  ): Promise<{ messageId: string; status: 'sent' | 'failed' }>;
}

/** The message a campaign sent a subject, as logged; what settles a claim its worker left unsettled. */
export interface CampaignMessageLog {
  find(
    tenantId: string,
    subjectId: string,
    campaignId: string,
    since: Date,
  ): Promise<{ messageId: string; status: 'sent' | 'failed' } | undefined>;
}

export interface DispatchDeps {
  readonly store: DispatchStore;
  readonly messageLog: CampaignMessageLog;
  readonly audience: AudienceReader;
  readonly queue: CampaignQueue;
  readonly sender: CampaignSender;
  readonly clock: () => Date;
  readonly newToken: () => string;
}

const SKIPS: Partial<Record<ProblemSlug, SkipReason>> = {
  'recipient-opted-out': 'optedOut',
  'no-consent': 'noConsent',
  'processing-restricted': 'restricted',
  'frequency-cap': 'frequencyCap',
};

/**
 * What a refusal of the send path means for a campaign recipient: a skip with its reason, a deferral to the end
 * of quiet hours, or (any other problem, such as content the tenant's deny list now refuses) a failure.
 * Anything that is not a problem is a fault, and undefined: the caller releases the claim and retries.
 */
export function refusalOutcome(
  error: unknown,
): { kind: 'skip'; reason: SkipReason } | { kind: 'defer'; retryAt: Date } | { kind: 'fail' } | undefined {
  if (error instanceof QuietHoursError) return { kind: 'defer', retryAt: error.retryAt };
  if (!(error instanceof ProblemError)) return undefined;
  const reason = SKIPS[error.slug];
  return reason ? { kind: 'skip', reason } : { kind: 'fail' };
}

/** Seconds to wait before looking at a deferred recipient again: until it is due, at most SQS's limit. */
export const redeliveryDelay = (retryAt: Date, now: Date): number =>
  Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(0, Math.ceil((retryAt.getTime() - now.getTime()) / 1000)));

const dispatchable = (campaign: CampaignRecord | undefined): campaign is CampaignRecord =>
  campaign?.status === 'dispatching';

/** One fan-out step: page `page` of the audience. */
export async function fanOutPage(
  deps: DispatchDeps,
  work: Extract<CampaignWork, { kind: 'page' }>,
): Promise<void> {
  const { tenantId, campaignId, page } = work;
  if (page === 0 && !(await deps.store.beginDispatch(tenantId, campaignId, deps.clock()))) return;
  const campaign = await deps.store.get(tenantId, campaignId, deps.clock());
  if (!dispatchable(campaign)) return;
  if (campaign.pagesDone !== page) {
    // Done by an earlier delivery, which may have stopped before sending the next page's message.
    if (campaign.pagesDone === page + 1 && !campaign.fanOutDone) {
      await deps.queue.send([{ kind: 'page', tenantId, campaignId, page: page + 1 }]);
    }
    return;
  }
  const { subjectIds, cursor } = await deps.audience.readAudience(
    tenantId,
    campaign.topic,
    campaign.cursor,
    AUDIENCE_PAGE_SIZE,
  );
  const batches: CampaignWork[] = [];
  for (let i = 0; i < subjectIds.length; i += RECIPIENTS_PER_MESSAGE) {
    batches.push({
      kind: 'recipients',
      tenantId,
      campaignId,
      subjectIds: subjectIds.slice(i, i + RECIPIENTS_PER_MESSAGE),
    });
  }
  // Recipients first: if this step stops after them, the redelivery hands them out again and their claims
  // keep each one to a single send.
  if (batches.length > 0) await deps.queue.send(batches);
  const advanced = await deps.store.advanceFanOut(campaign, page, cursor, subjectIds.length, deps.clock());
  if (!advanced) return;
  if (cursor !== undefined) await deps.queue.send([{ kind: 'page', tenantId, campaignId, page: page + 1 }]);
  else await deps.store.completeIfDone(tenantId, campaignId, deps.clock());
}

/** One dispatch step: each recipient in turn, while the campaign is dispatching. */
export async function dispatchRecipients(
  deps: DispatchDeps,
  work: Extract<CampaignWork, { kind: 'recipients' }>,
): Promise<void> {
  const { tenantId, campaignId } = work;
  for (const [index, subjectId] of work.subjectIds.entries()) {
    // Read before every recipient, so that a cancel stops dispatch within one send.
    const campaign = await deps.store.get(tenantId, campaignId, deps.clock());
    if (!dispatchable(campaign)) return;
    const throttled = await dispatchOne(deps, campaign, subjectId);
    if (throttled) {
      // The identity's schedule is full for now: this recipient and the rest wait on the queue, not in the worker.
      const rest = work.subjectIds.slice(index);
      const delay = Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(1, throttled.retryAfterSeconds));
      await deps.queue.send([{ kind: 'recipients', tenantId, campaignId, subjectIds: rest }], delay);
      return;
    }
  }
}

/** Dispatches one recipient; a throttled send (no send slot in time, or the provider) gives its claim back. */
async function dispatchOne(
  deps: DispatchDeps,
  campaign: CampaignRecord,
  subjectId: string,
): Promise<ProviderThrottledError | undefined> {
  const { tenantId, campaignId } = campaign;
  const token = deps.newToken();
  const claimed = await deps.store.claim(tenantId, campaignId, subjectId, token, deps.clock());
  if (claimed.kind === 'taken') return undefined;
  if (claimed.kind === 'stale') {
    await settleStale(deps, { tenantId, campaignId, subjectId, ...claimed });
    return undefined;
  }
  if (claimed.kind === 'not-due') {
    const delay = redeliveryDelay(claimed.retryAt, deps.clock());
    await deps.queue.send([{ kind: 'recipients', tenantId, campaignId, subjectIds: [subjectId] }], delay);
    return undefined;
  }
  const claim: RecipientClaim = { tenantId, campaignId, subjectId, token, wasDeferred: claimed.wasDeferred };
  let outcome: RecipientOutcome;
  try {
    const sent = await deps.sender.send(campaign, subjectId);
    outcome =
      sent.status === 'sent'
        ? { kind: 'sent', messageId: sent.messageId }
        : { kind: 'failed', messageId: sent.messageId };
  } catch (error) {
    const refusal = refusalOutcome(error);
    if (refusal === undefined) {
      await deps.store.release(claim, deps.clock());
      if (error instanceof ProviderThrottledError) return error;
      throw error;
    }
    if (refusal.kind === 'defer') {
      await deps.store.defer(claim, refusal.retryAt, deps.clock());
      const delay = redeliveryDelay(refusal.retryAt, deps.clock());
      await deps.queue.send([{ kind: 'recipients', tenantId, campaignId, subjectIds: [subjectId] }], delay);
      return undefined;
    }
    outcome = refusal.kind === 'skip' ? { kind: 'skipped', reason: refusal.reason } : { kind: 'failed' };
  }
  await deps.store.settle(claim, outcome, deps.clock());
  await deps.store.completeIfDone(tenantId, campaignId, deps.clock());
  return undefined;
}

/**
 * A claim whose invocation ended between claim and settle: the message log tells whether the send happened.
 * Logged: settled as it went. Not logged: the worker stopped before the send, or after it but before the log
 * write; a second send could then be the recipient's second copy, so it is settled `failed` and never retried.
 */
async function settleStale(
  deps: DispatchDeps,
  stale: RecipientClaim & { readonly claimedAt: Date },
): Promise<void> {
  const logged = await deps.messageLog.find(
    stale.tenantId,
    stale.subjectId,
    stale.campaignId,
    stale.claimedAt,
  );
  const outcome: RecipientOutcome = logged
    ? { kind: logged.status, messageId: logged.messageId }
    : { kind: 'failed' };
  await deps.store.settle(stale, outcome, deps.clock());
  await deps.store.completeIfDone(stale.tenantId, stale.campaignId, deps.clock());
}

/** The queue's consumer: one message of either kind. */
export async function handleCampaignWork(deps: DispatchDeps, work: CampaignWork): Promise<void> {
  if (work.kind === 'page') await fanOutPage(deps, work);
  else await dispatchRecipients(deps, work);
}
