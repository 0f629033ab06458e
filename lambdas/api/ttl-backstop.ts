/**
 * The TTL backstop (DESIGN §4 Purge), without its Lambda wiring: DynamoDB TTL deletes a subscriber profile the
 * purge did not reach (it deletes late, but it does delete) → the Subscribers stream → this, which does the same
 * cascade as the purge (marketing item, MessageLog and audience index entries; ConsentLedger and Suppressions
 * are kept) and audits it.
 *
 * The event source mapping lets through only TTL deletes (`eventName` REMOVE by the service principal
 * `dynamodb.amazonaws.com`); the same test is repeated here so a wider filter could never make a user delete
 * cascade. The stream is KEYS_ONLY: no profile data reaches the function. Logs carry counts, never keys.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { profileOfKey } from '../adapters/dynamo/purge-store';
import { CountsByTenant, type AuditLog } from '../domain/audit';
import type { PurgeStore } from '../domain/purge';

export const TTL_PRINCIPAL = 'dynamodb.amazonaws.com';
export const TTL_BACKSTOP_ACTOR = 'ttl-backstop';
export const TTL_CASCADE_ACTION = 'ttl_cascade';

export interface TtlBackstopDeps {
  readonly store: Pick<PurgeStore, 'cascade' | 'hasLiveProfile' | 'leaveAudiences'>;
  readonly audit: AuditLog;
  readonly clock: () => Date;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
}

/** How one record was handled; a record that throws is reported in `batchItemFailures` instead. */
export type BackstopOutcome = 'cascaded' | 'resubscribed' | 'ignored';

/** A stream record of a delete made by DynamoDB TTL itself (not by optline or anyone else). */
export const isTtlDelete = (record: DynamoDBRecord): boolean =>
  record.eventName === 'REMOVE' &&
  record.userIdentity?.type === 'Service' &&
  record.userIdentity?.principalId === TTL_PRINCIPAL;

interface Counts {
  profiles: number;
  resubscribed: number;
  marketingDeleted: number;
  messagesDeleted: number;
}

export function ttlBackstopHandler(
  deps: TtlBackstopDeps,
): (event: DynamoDBStreamEvent, context?: Context) => Promise<DynamoDBBatchResponse> {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);

  return async (event, context) => {
    const now = deps.clock();
    const byTenant = new CountsByTenant<Counts>(() => ({
      profiles: 0,
      resubscribed: 0,
      marketingDeleted: 0,
      messagesDeleted: 0,
    }));

    const processRecord = async (record: DynamoDBRecord): Promise<BackstopOutcome> => {
      if (!isTtlDelete(record)) return 'ignored';
      const keys = unmarshall((record.dynamodb?.Keys ?? {}) as Record<string, AttributeValue>);
      const subscriber = profileOfKey(keys.pk, keys.sk);
      // The marketing item has a TTL of its own; only a profile's deletion cascades.
      if (!subscriber) return 'ignored';
      const counts = byTenant.of(subscriber.tenantId);
      // The ended life is what was logged before TTL deleted the profile. Whoever subscribed again since keeps
      // what the new subscription wrote, and the cascade still takes what the old one left.
      const deletedAt = record.dynamodb?.ApproximateCreationDateTime;
      const endedAt = deletedAt === undefined ? now : new Date(deletedAt * 1000);
      const resubscribed = await deps.store.hasLiveProfile(subscriber, now);
      const cascaded = await deps.store.cascade(subscriber, endedAt);
      // TTL deleted the profile alone: its audience index entries (which have no TTL) go now.
      await deps.store.leaveAudiences(subscriber);
      if (resubscribed) counts.resubscribed += 1;
      else counts.profiles += 1;
      counts.marketingDeleted += cascaded.marketingDeleted;
      counts.messagesDeleted += cascaded.messagesDeleted;
      return resubscribed ? 'resubscribed' : 'cascaded';
    };

    const response = await processPartialResponse(
      event,
      processRecord,
      processor,
      context === undefined ? {} : { context },
    );
    await byTenant.audit(
      deps.audit,
      {
        actor: TTL_BACKSTOP_ACTOR,
        action: TTL_CASCADE_ACTION,
        outcome: response.batchItemFailures.length === 0 ? 'completed' : 'partial',
      },
      now,
    );
    deps.logger.info('TTL deletes cascaded', {
      records: event.Records.length,
      failed: response.batchItemFailures.length,
      tenants: byTenant.tenants,
    });
    return response;
  };
}
