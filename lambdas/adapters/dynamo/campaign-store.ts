/**
 * DynamoDB implementation of the campaign ports, in the Campaigns table:
 * - the campaign: `T#<tenant>` / `C#<campaignId>`, with its counts and fan-out progress;
 * - its idempotency key: `T#<tenant>` / `K#<hash of tenant and key>` → campaignId, written in the same
 *   transaction as the campaign and kept as long as idempotency records (24 hours);
 * - one claim per recipient: `T#<tenant>#C#<campaignId>` / `S#<subjectId>`, whose state moves
 *   (absent | released | due deferred) → claimed → sent | failed | skipped | deferred | released, each move
 *   conditional on the claim's token, and settled in one transaction with the campaign's counts. A claim still
 *   `claimed` after the worker's timeout is reported stale, with its token, for the redelivery to settle.
 * No phone number is stored: recipients are pseudonymous subject ids (DESIGN §3).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  CAMPAIGN_WORKER_TIMEOUT_SECONDS,
  type ClaimResult,
  type DispatchStore,
  type RecipientClaim,
  type RecipientOutcome,
} from '../../domain/campaign-dispatch';
import type { CampaignRecord, CampaignStore } from '../../domain/campaigns';
import { expiresAt, isExpired } from '../../domain/retention';
import { tenantPk } from './keys';
import { QueryOnlyDb } from './query-only';
import { cancelledByCondition } from './transact-write';

type Tables = { readonly Campaigns: string };
type Item = Record<string, unknown>;

export const campaignKey = (tenantId: string, campaignId: string) => ({
  pk: tenantPk(tenantId),
  sk: `C#${campaignId}`,
});
const idempotencyKey = (tenantId: string, keyHash: string) => ({
  pk: tenantPk(tenantId),
  sk: `K#${keyHash}`,
});
export const claimKey = (tenantId: string, campaignId: string, subjectId: string) => ({
  pk: `T#${tenantId}#C#${campaignId}`,
  sk: `S#${subjectId}`,
});

function toRecord(item: Item): CampaignRecord {
  const { pk: _pk, sk: _sk, ...record } = item;
  return record as unknown as CampaignRecord;
}

export class DynamoCampaignStore implements CampaignStore, DispatchStore {
  private readonly db: QueryOnlyDb<'Campaigns'>;

  constructor(
    db: DynamoDBDocumentClient,
    private readonly names: Tables,
  ) {
    this.db = new QueryOnlyDb(db, { Campaigns: names.Campaigns });
  }

  private get table() {
    return this.db.tables.Campaigns;
  }

  async create(
    record: CampaignRecord,
    keyHash: string,
  ): Promise<{ outcome: 'created' | 'exists'; record: CampaignRecord }> {
    const key = idempotencyKey(record.tenantId, keyHash);
    try {
      await this.db.transactWrite([
        {
          Put: {
            TableName: this.names.Campaigns,
            Item: {
              ...key,
              campaignId: record.campaignId,
              expiresAt: expiresAt('idempotencyRecords', new Date(record.createdAt)),
            },
            // An expired key may linger until TTL removes it: it no longer counts.
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
            ExpressionAttributeValues: { ':now': Math.floor(Date.parse(record.createdAt) / 1000) },
          },
        },
        {
          Put: {
            TableName: this.names.Campaigns,
            Item: { ...campaignKey(record.tenantId, record.campaignId), ...record },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ]);
      return { outcome: 'created', record };
    } catch (error) {
      if (!cancelledByCondition(error)) throw error;
    }
    const stored = await this.table.get(key);
    const existing =
      stored && (await this.table.get(campaignKey(record.tenantId, String(stored.campaignId))));
    if (!existing) throw new Error('campaign idempotency key without its campaign');
    return { outcome: 'exists', record: toRecord(existing) };
  }

  async get(tenantId: string, campaignId: string, now: Date): Promise<CampaignRecord | undefined> {
    const item = await this.table.get(campaignKey(tenantId, campaignId));
    return item && !isExpired(item, now) ? toRecord(item) : undefined;
  }

  async cancel(tenantId: string, campaignId: string, now: Date): Promise<CampaignRecord | undefined> {
    try {
      const attributes = await this.table.update(campaignKey(tenantId, campaignId), {
        UpdateExpression: 'SET #status = :cancelled, cancelledAt = if_not_exists(cancelledAt, :now)',
        ConditionExpression: 'attribute_exists(pk) AND #status IN (:scheduled, :dispatching, :cancelled)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':cancelled': 'cancelled',
          ':scheduled': 'scheduled',
          ':dispatching': 'dispatching',
          ':now': now.toISOString(),
        },
        ReturnValues: 'ALL_NEW',
      });
      return attributes && toRecord(attributes);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // Absent, or completed: the caller tells them apart.
      return this.get(tenantId, campaignId, now);
    }
  }

  async beginDispatch(tenantId: string, campaignId: string, _now: Date): Promise<boolean> {
    try {
      await this.table.update(campaignKey(tenantId, campaignId), {
        UpdateExpression: 'SET #status = :dispatching',
        ConditionExpression: '#status IN (:scheduled, :dispatching)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':scheduled': 'scheduled', ':dispatching': 'dispatching' },
      });
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async advanceFanOut(
    campaign: CampaignRecord,
    page: number,
    next: string | undefined,
    count: number,
    _now: Date,
  ): Promise<boolean> {
    try {
      await this.table.update(campaignKey(campaign.tenantId, campaign.campaignId), {
        UpdateExpression:
          `SET pagesDone = :next, fanOutDone = :done ${next === undefined ? 'REMOVE #cursor' : ', #cursor = :cursor'} ` +
          'ADD #counts.targeted :count, pending :count',
        ConditionExpression: 'pagesDone = :page AND #status = :dispatching',
        ExpressionAttributeNames: { '#cursor': 'cursor', '#status': 'status', '#counts': 'counts' },
        ExpressionAttributeValues: {
          ':next': page + 1,
          ':page': page,
          ':done': next === undefined,
          ':count': count,
          ':dispatching': 'dispatching',
          ...(next === undefined ? {} : { ':cursor': next }),
        },
      });
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async claim(
    tenantId: string,
    campaignId: string,
    subjectId: string,
    token: string,
    now: Date,
  ): Promise<ClaimResult> {
    try {
      const old = await this.table.update(claimKey(tenantId, campaignId, subjectId), {
        UpdateExpression: 'SET #state = :claimed, #token = :token, claimedAt = :at, expiresAt = :exp',
        ConditionExpression:
          'attribute_not_exists(#state) OR #state = :released OR (#state = :deferred AND retryAt <= :at)',
        ExpressionAttributeNames: { '#state': 'state', '#token': 'token' },
        ExpressionAttributeValues: {
          ':claimed': 'claimed',
          ':released': 'released',
          ':deferred': 'deferred',
          ':token': token,
          ':at': now.toISOString(),
          ':exp': expiresAt('campaignRecords', now),
        },
        ReturnValues: 'ALL_OLD',
      });
      return { kind: 'claimed', wasDeferred: old?.state === 'deferred' || old?.deferredOnce === true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = await this.table.get(claimKey(tenantId, campaignId, subjectId));
      if (current?.state === 'deferred')
        return { kind: 'not-due', retryAt: new Date(String(current.retryAt)) };
      const claimedAt = new Date(String(current?.claimedAt));
      if (
        current?.state === 'claimed' &&
        now.getTime() - claimedAt.getTime() > CAMPAIGN_WORKER_TIMEOUT_SECONDS * 1000
      ) {
        return {
          kind: 'stale',
          token: String(current.token),
          claimedAt,
          wasDeferred: current.deferredOnce === true,
        };
      }
      return { kind: 'taken' };
    }
  }

  private claimUpdate(claim: RecipientClaim, set: string, values: Item, remove = '') {
    return {
      TableName: this.names.Campaigns,
      Key: claimKey(claim.tenantId, claim.campaignId, claim.subjectId),
      UpdateExpression: `SET ${set}${remove}`,
      ConditionExpression: '#state = :claimed AND #token = :token',
      ExpressionAttributeNames: { '#state': 'state', '#token': 'token' },
      ExpressionAttributeValues: { ':claimed': 'claimed', ':token': claim.token, ...values },
    };
  }

  async settle(claim: RecipientClaim, outcome: RecipientOutcome, now: Date): Promise<void> {
    // Counter paths through attribute names: several of the words (`deferred`, …) are DynamoDB reserved words.
    const counter = outcome.kind === 'skipped' ? '#counts.#skipped.#counter' : '#counts.#counter';
    const counterNames = {
      '#counts': 'counts',
      '#counter': outcome.kind === 'skipped' ? outcome.reason : outcome.kind,
      ...(outcome.kind === 'skipped' ? { '#skipped': 'skipped' } : {}),
      ...(claim.wasDeferred ? { '#deferred': 'deferred' } : {}),
    };
    await this.db.transactWrite([
      {
        Update: this.claimUpdate(
          claim,
          '#state = :final, settledAt = :at' +
            ('messageId' in outcome && outcome.messageId ? ', messageId = :messageId' : '') +
            (outcome.kind === 'skipped' ? ', skipReason = :reason' : ''),
          {
            ':final': outcome.kind,
            ':at': now.toISOString(),
            ...('messageId' in outcome && outcome.messageId ? { ':messageId': outcome.messageId } : {}),
            ...(outcome.kind === 'skipped' ? { ':reason': outcome.reason } : {}),
          },
          ' REMOVE retryAt',
        ),
      },
      {
        Update: {
          TableName: this.names.Campaigns,
          Key: campaignKey(claim.tenantId, claim.campaignId),
          UpdateExpression: `ADD ${counter} :one, pending :minusOne${claim.wasDeferred ? ', #counts.#deferred :minusOne' : ''}`,
          ExpressionAttributeNames: counterNames,
          ExpressionAttributeValues: { ':one': 1, ':minusOne': -1 },
        },
      },
    ]);
  }

  async defer(claim: RecipientClaim, retryAt: Date, now: Date): Promise<void> {
    const claimUpdate = this.claimUpdate(
      claim,
      '#state = :deferred, retryAt = :retryAt, deferredOnce = :true, deferredAt = :at',
      {
        ':deferred': 'deferred',
        ':retryAt': retryAt.toISOString(),
        ':true': true,
        ':at': now.toISOString(),
      },
    );
    if (claim.wasDeferred) {
      // Already counted in `deferred`: only the claim changes.
      await this.db.transactWrite([{ Update: claimUpdate }]);
      return;
    }
    await this.db.transactWrite([
      { Update: claimUpdate },
      {
        Update: {
          TableName: this.names.Campaigns,
          Key: campaignKey(claim.tenantId, claim.campaignId),
          UpdateExpression: 'ADD #counts.#deferred :one',
          ExpressionAttributeNames: { '#counts': 'counts', '#deferred': 'deferred' },
          ExpressionAttributeValues: { ':one': 1 },
        },
      },
    ]);
  }

  async release(claim: RecipientClaim, now: Date): Promise<void> {
    // A deferred recipient goes back to deferred and due, so that its redelivery takes it again at once.
    const back = claim.wasDeferred ? 'deferred' : 'released';
    try {
      await this.table.update(claimKey(claim.tenantId, claim.campaignId, claim.subjectId), {
        UpdateExpression: 'SET #state = :back, retryAt = :at',
        ConditionExpression: '#state = :claimed AND #token = :token',
        ExpressionAttributeNames: { '#state': 'state', '#token': 'token' },
        ExpressionAttributeValues: {
          ':back': back,
          ':claimed': 'claimed',
          ':token': claim.token,
          ':at': now.toISOString(),
        },
      });
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async completeIfDone(tenantId: string, campaignId: string, now: Date): Promise<void> {
    try {
      await this.table.update(campaignKey(tenantId, campaignId), {
        UpdateExpression: 'SET #status = :completed, completedAt = :at',
        ConditionExpression: '#status = :dispatching AND fanOutDone = :true AND pending = :zero',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':completed': 'completed',
          ':dispatching': 'dispatching',
          ':true': true,
          ':zero': 0,
          ':at': now.toISOString(),
        },
      });
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
