/**
 * TransactWriteItems, sent again when DynamoDB cancelled it only for conflicts with other transactions in flight
 * on the same items. A cancelled transaction wrote nothing, so sending it again can neither lose nor double a
 * write; its conditions are checked afresh. The SDK never retries a cancellation itself, although DynamoDB calls
 * a conflict safe to retry ("Error handling with DynamoDB",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html). Any other failure,
 * a failed condition included, is thrown at once for the caller to read.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export type TransactItems = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>;
export type TransactItem = TransactItems[number];

/** Waits before each further attempt, jittered below: a conflict clears as soon as the other transaction ends. */
const CONFLICT_RETRY_DELAYS_MS = [10, 30, 90] as const;

/** The reasons a cancelled transaction gives for the items that failed; empty for any other error. */
const cancellationCodes = (error: unknown): string[] =>
  error instanceof TransactionCanceledException
    ? (error.CancellationReasons ?? [])
        .map((reason) => reason.Code)
        .filter((code): code is string => code !== undefined && code !== 'None')
    : [];

const onlyConflicts = (error: unknown): boolean => {
  const codes = cancellationCodes(error);
  return codes.length > 0 && codes.every((code) => code === 'TransactionConflict');
};

/** A transaction cancelled because one of its conditions failed: the state it expected was not there. */
export const cancelledByCondition = (error: unknown): boolean =>
  cancellationCodes(error).includes('ConditionalCheckFailed');

export async function transactWrite(db: DynamoDBDocumentClient, items: TransactItems): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await db.send(new TransactWriteCommand({ TransactItems: items }));
      return;
    } catch (error) {
      const delayMs = CONFLICT_RETRY_DELAYS_MS[attempt];
      if (delayMs === undefined || !onlyConflicts(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs / 2 + Math.random() * (delayMs / 2)));
    }
  }
}
