/**
 * Optimistic ordering of a subject's consent events. Every transaction that appends to the ConsentLedger also
 * moves the subject's head, on the condition that it is still the head the writer read; a writer that lost the
 * race gets 'stale' and decides again. So the ledger's order is the order in which events took effect.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ledgerSortKey } from '../../domain/consent';
import { consentCounter } from '../../domain/daily-stats';
import type { ConsentEvent } from '../../domain/subscribers';
import { countsIn } from './daily-stats';
import { consentStateKey, ledgerKey } from './keys';
import type { TransactItem } from './transact-write';

export type { TransactItem, TransactItems } from './transact-write';

export interface HeadMove {
  /** The head the writer read. @default - none: the subject had no event */
  readonly seen: string | undefined;
  /** Also record that the provider opt-out lists must forget the number. @default false */
  readonly requestProviderRemoval?: boolean;
  /**
   * Also drop a pending removal from the provider lists: the subject opted out of everything again, so the number
   * must stay listed. @default false
   */
  readonly cancelProviderRemoval?: boolean;
}

/** The ledger Put for an event. */
export function ledgerPut(table: string, event: ConsentEvent): TransactItem {
  const key = ledgerKey(event.tenantId, event.subjectId, event.at, event.eventId);
  return {
    Put: { TableName: table, Item: { ...key, ...event }, ConditionExpression: 'attribute_not_exists(pk)' },
  };
}

/**
 * The daily count of a ledger event (an opt-out or an opt-in; nothing for a confirmation), to go in the same
 * transaction as its {@link ledgerPut}, after every item whose index a caller reads in a cancellation.
 */
export const ledgerCount = (dailyStatsTable: string, event: ConsentEvent): TransactItem[] =>
  countsIn(dailyStatsTable, event, consentCounter(event.type));

const headCondition = (seen: string | undefined): string =>
  seen === undefined ? 'attribute_not_exists(head)' : 'head = :seen';

/** Moves the head to the event, kept as long as the event's proof is. */
export function moveHead(table: string, event: ConsentEvent, move: HeadMove): TransactItem {
  const sets = ['head = :head', 'expiresAt = :expiresAt'];
  if (move.requestProviderRemoval) sets.push('providerRemoval = if_not_exists(providerRemoval, :removal)');
  const remove = move.cancelProviderRemoval ? ' REMOVE providerRemoval' : '';
  return {
    Update: {
      TableName: table,
      Key: consentStateKey(event.tenantId, event.subjectId),
      UpdateExpression: `SET ${sets.join(', ')}${remove}`,
      ConditionExpression: headCondition(move.seen),
      ExpressionAttributeValues: {
        ':head': ledgerSortKey(event.at, event.eventId),
        ':expiresAt': event.expiresAt,
        ...(move.seen === undefined ? {} : { ':seen': move.seen }),
        ...(move.requestProviderRemoval ? { ':removal': { requestedAt: event.at, attempts: 0 } } : {}),
      },
    },
  };
}

/** Holds the transaction to the head the writer read, without moving it (an event older than the head). */
export function headUnchanged(
  table: string,
  tenantId: string,
  subjectId: string,
  seen: string | undefined,
): TransactItem {
  return {
    ConditionCheck: {
      TableName: table,
      Key: consentStateKey(tenantId, subjectId),
      ConditionExpression: headCondition(seen),
      ...(seen === undefined ? {} : { ExpressionAttributeValues: { ':seen': seen } }),
    },
  };
}

/** The indexes of the transaction's items whose condition failed; empty for any other failure. */
export function failedConditions(error: unknown): number[] {
  if (!(error instanceof TransactionCanceledException)) return [];
  return (error.CancellationReasons ?? []).flatMap((reason, index) =>
    reason.Code === 'ConditionalCheckFailed' ? [index] : [],
  );
}
