/**
 * Campaigns (DESIGN §10): one body to every consenting subscriber of a topic, with every check of §4 run per
 * recipient at dispatch. This module holds the campaign record, its life cycle and the store port; the dispatch
 * steps are in campaign-dispatch.ts. Free of any AWS SDK.
 *
 * Life cycle: `scheduled` (sendAt ahead) → `dispatching` (the fan-out reads the audience page by page) →
 * `completed` once the fan-out has read the last page and no recipient is pending; `cancelled` from either of
 * the first two, which stops further dispatch (each step reads the status first).
 */
import { createHash } from 'node:crypto';
import type {
  CampaignCounts,
  CampaignStatus,
  CampaignView,
  CreateCampaignRequest,
} from '../shared/campaign-schemas';
import { ConflictError, NotFoundError, TimestampOutOfRangeError } from '../shared/problem';
import { checkContent } from './content-policy';
import { expiresAt } from './retention';
import type { MessageCategory } from './sms';
import type { TenantStore } from './tenants';

/** A campaign may be scheduled at most this far ahead. */
export const MAX_SCHEDULE_DAYS = 365;

export interface CampaignRecord {
  readonly tenantId: string;
  readonly campaignId: string;
  readonly name?: string;
  readonly topic?: string;
  readonly body: string;
  readonly category: Extract<MessageCategory, 'marketing' | 'transactional'>;
  readonly status: CampaignStatus;
  readonly sendAt: string;
  readonly createdAt: string;
  readonly completedAt?: string;
  readonly cancelledAt?: string;
  readonly counts: CampaignCounts;
  /** Recipients read from the audience and not yet sent, failed or skipped (deferred ones included). */
  readonly pending: number;
  /** Audience pages read and handed to dispatch; the fan-out's progress, advanced conditionally. */
  readonly pagesDone: number;
  /** Where the next audience page starts; absent once the last page has been read. */
  readonly cursor?: string;
  readonly fanOutDone: boolean;
  /** The idempotency key's hash and the request's, to answer a retry and refuse a reuse. */
  readonly requestHash: string;
  readonly expiresAt: number;
}

export interface CampaignStore {
  /**
   * Stores a new campaign under its idempotency key, in one transaction. 'exists' with the stored campaign when
   * the key was used before (whatever its body).
   */
  create(
    record: CampaignRecord,
    keyHash: string,
  ): Promise<{ outcome: 'created' | 'exists'; record: CampaignRecord }>;
  get(tenantId: string, campaignId: string, now: Date): Promise<CampaignRecord | undefined>;
  /** Sets `cancelled` unless completed; returns the record as it now stands, or undefined when absent. */
  cancel(tenantId: string, campaignId: string, now: Date): Promise<CampaignRecord | undefined>;
}

/** How dispatch begins: now (a fan-out message) or at `sendAt` (a one-time schedule). Both are idempotent. */
export interface CampaignStarter {
  start(record: Pick<CampaignRecord, 'tenantId' | 'campaignId' | 'sendAt'>, now: Date): Promise<void>;
}

export interface CampaignDeps {
  readonly campaigns: CampaignStore;
  readonly starter: CampaignStarter;
  readonly tenants: TenantStore;
  readonly clock: () => Date;
  readonly newId: () => string;
}

export const zeroCounts = (): CampaignCounts => ({
  targeted: 0,
  sent: 0,
  failed: 0,
  deferred: 0,
  skipped: { optedOut: 0, noConsent: 0, restricted: 0, frequencyCap: 0 },
});

const sha256 = (text: string): string => createHash('sha256').update(text).digest('base64url');

/** The request as the idempotency key must find it again: a retry must carry the same body. */
const requestHashOf = (request: CreateCampaignRequest): string =>
  sha256(JSON.stringify([request.name, request.topic, request.body, request.category, request.sendAt]));

/** The stored form of an idempotency key: tenants choose keys, so they are hashed, never stored as sent. */
export const keyHashOf = (tenantId: string, key: string): string => sha256(`${tenantId}:${key}`);

function sendAtOf(request: CreateCampaignRequest, now: Date): Date {
  if (request.sendAt === undefined) return now;
  const at = new Date(request.sendAt);
  if (at.getTime() > now.getTime() + MAX_SCHEDULE_DAYS * 86_400_000) {
    throw new TimestampOutOfRangeError('sendAt', `must be at most ${MAX_SCHEDULE_DAYS} days ahead`);
  }
  return at.getTime() < now.getTime() ? now : at;
}

/**
 * Creates a campaign and starts it, or answers a retry with the campaign the key created (starting it again,
 * which is harmless, in case the first attempt stopped between storing and starting). The same key with
 * another request is 409. The body is checked by the content policy here, once, not per recipient.
 */
export async function createCampaign(
  deps: CampaignDeps,
  tenantId: string,
  key: string,
  request: CreateCampaignRequest,
): Promise<CampaignRecord> {
  const now = deps.clock();
  const tenant = await deps.tenants.get(tenantId);
  if (!tenant) throw new Error(`Tenant ${tenantId} has no settings`);
  checkContent(request.body, { denyPatterns: tenant.denyList });
  const sendAt = sendAtOf(request, now);
  const requestHash = requestHashOf(request);
  const record: CampaignRecord = {
    tenantId,
    campaignId: deps.newId(),
    ...(request.name !== undefined ? { name: request.name } : {}),
    ...(request.topic !== undefined ? { topic: request.topic } : {}),
    body: request.body,
    category: request.category ?? 'marketing',
    status: sendAt.getTime() > now.getTime() ? 'scheduled' : 'dispatching',
    sendAt: sendAt.toISOString(),
    createdAt: now.toISOString(),
    counts: zeroCounts(),
    pending: 0,
    pagesDone: 0,
    fanOutDone: false,
    requestHash,
    expiresAt: expiresAt('campaignRecords', sendAt),
  };
  const { outcome, record: stored } = await deps.campaigns.create(record, keyHashOf(tenantId, key));
  if (outcome === 'exists' && stored.requestHash !== requestHash) {
    throw new ConflictError({
      detail: 'This Idempotency-Key was used for another campaign request; use a new key for a new campaign.',
    });
  }
  if (stored.status === 'scheduled' || stored.status === 'dispatching') await deps.starter.start(stored, now);
  return stored;
}

const notFound = () => new NotFoundError({ detail: 'No campaign with this id.' });

export async function viewCampaign(
  deps: CampaignDeps,
  tenantId: string,
  campaignId: string,
): Promise<CampaignView> {
  const record = await deps.campaigns.get(tenantId, campaignId, deps.clock());
  if (!record) throw notFound();
  return toCampaignView(record);
}

/** Cancels; a repeat answers the same. A completed campaign cannot be cancelled (409). */
export async function cancelCampaign(
  deps: CampaignDeps,
  tenantId: string,
  campaignId: string,
): Promise<void> {
  const record = await deps.campaigns.cancel(tenantId, campaignId, deps.clock());
  if (!record) throw notFound();
  if (record.status === 'completed') {
    throw new ConflictError({ detail: 'The campaign has completed; there is nothing left to cancel.' });
  }
}

export function toCampaignView(record: CampaignRecord): CampaignView {
  return {
    campaignId: record.campaignId,
    ...(record.name !== undefined ? { name: record.name } : {}),
    ...(record.topic !== undefined ? { topic: record.topic } : {}),
    category: record.category,
    status: record.status,
    sendAt: record.sendAt,
    createdAt: record.createdAt,
    ...(record.completedAt !== undefined ? { completedAt: record.completedAt } : {}),
    ...(record.cancelledAt !== undefined ? { cancelledAt: record.cancelledAt } : {}),
    counts: inSchemaOrder(record.counts),
  };
}

/** The counts in the order the schema lists them: DynamoDB keeps a map's members in no particular order. */
function inSchemaOrder(counts: CampaignCounts): CampaignCounts {
  const { skipped } = counts;
  return {
    targeted: counts.targeted,
    sent: counts.sent,
    failed: counts.failed,
    deferred: counts.deferred,
    skipped: {
      optedOut: skipped.optedOut,
      noConsent: skipped.noConsent,
      restricted: skipped.restricted,
      frequencyCap: skipped.frequencyCap,
    },
  };
}
