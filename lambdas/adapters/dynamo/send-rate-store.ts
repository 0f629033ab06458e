/**
 * The shared send schedule of each origination identity (lambdas/domain/send-rate.ts), kept as one counter item
 * per identity in the Idempotency table: `id` = `send-rate:<identity>`, `freeUs` = the schedule's free point.
 *
 * Why there: it is short-lived coordination state for sends, like the idempotency records beside it; it holds no
 * personal data; the messages function already writes that table (UpdateItem), so the 1:1 send path needs no new
 * grant, and a dispatch worker needs only the same one. The key cannot collide with a Powertools idempotency
 * record, whose id starts with a Lambda function name (letters, digits, `-` and `_`, never `:`). Like every item it
 * carries `expiresAt`, a day past its free point, so an identity that stops sending leaves nothing behind.
 *
 * Cost: one UpdateItem (1 WCU; the item is far below 1 KB) per reservation, which may cover many messages. An
 * idle schedule (its free point in the past) or a busy one (past the caller's deadline) costs one more failed
 * conditional write; a reservation raced by another sender tries again. No write, no slot: any other error
 * reaches the caller, who must not send.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  advanceUs,
  idleBelowUs,
  latestFromUs,
  reserveOn,
  SendRateError,
  type Reservation,
  type SlotOutcome,
  type SlotRequest,
  type SlotStore,
} from '../../domain/send-rate';

type Tables = { readonly Idempotency: string };

/** Ids of the schedules' items start with it. */
export const SEND_RATE_ID_PREFIX = 'send-rate:';
export const sendRateKey = (identity: string) => ({ id: `${SEND_RATE_ID_PREFIX}${identity}` });

/** A day past the free point, in epoch seconds (the table's TTL attribute). */
const expiryOf = (freeUs: number): number => Math.ceil(freeUs / 1_000_000) + 86_400;

/** Reservations raced by other senders before giving up; each lost race means another sender got its slot. */
const MAX_ATTEMPTS = 8;

export class DynamoSlotStore implements SlotStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Tables,
    /** Slot length of each identity, from its MPS (slotSpacingUs). */
    private readonly spacingOf: (identity: string) => number,
  ) {}

  async reserve(identity: string, request: SlotRequest): Promise<SlotOutcome> {
    const spacing = this.spacingOf(identity);
    const advance = advanceUs(request.parts, spacing);
    const idleBelow = idleBelowUs(request, spacing);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      // The common case: the schedule is in use and its free point is within the caller's deadline. ADD keeps
      // concurrent reservers apart; the condition keeps an idle schedule from sending its backlog in a burst.
      const advanced = await this.update(identity, {
        UpdateExpression: 'ADD freeUs :advance SET expiresAt = :exp',
        ConditionExpression: 'freeUs >= :idleBelow AND freeUs <= :latestFrom',
        ExpressionAttributeValues: {
          ':advance': advance,
          ':idleBelow': idleBelow,
          ':latestFrom': latestFromUs(request, spacing),
          // Expiry only moves forward enough to outlive the free point; a day's slack is plenty.
          ':exp': expiryOf(request.latestStartUs + advance),
        },
      });
      const before = advanced.kind === 'updated' ? advanced.old : advanced.current;
      const decided = reserveOn(before, request, spacing);
      if (advanced.kind === 'updated') {
        if (decided.kind !== 'reserved' || decided.fromUs !== before) {
          throw new SendRateError(`reservation on ${identity} disagrees with its schedule`);
        }
        return decided;
      }
      if (decided.kind === 'busy') return decided;
      if (before !== undefined && before >= idleBelow) continue; // raced: the free point moved; try again
      // Idle or never used: restart from now, unless another sender restarted it first.
      const restarted = await this.update(identity, {
        UpdateExpression: 'SET freeUs = :to, expiresAt = :exp',
        ConditionExpression: 'attribute_not_exists(freeUs) OR freeUs < :idleBelow',
        ExpressionAttributeValues: {
          ':to': decided.toUs,
          ':idleBelow': idleBelow,
          ':exp': expiryOf(decided.toUs),
        },
      });
      if (restarted.kind === 'updated') return decided;
    }
    throw new SendRateError(
      `no slot on ${identity} after ${MAX_ATTEMPTS} attempts: too many concurrent senders`,
    );
  }

  async release(identity: string, reservation: Reservation): Promise<boolean> {
    const outcome = await this.update(identity, {
      UpdateExpression: 'SET freeUs = :from',
      ConditionExpression: 'freeUs = :to',
      ExpressionAttributeValues: { ':from': reservation.fromUs, ':to': reservation.toUs },
    });
    return outcome.kind === 'updated';
  }

  /** One conditional UpdateItem: the free point before it, or as it stood when the condition failed. */
  private async update(
    identity: string,
    update: {
      UpdateExpression: string;
      ConditionExpression: string;
      ExpressionAttributeValues: Record<string, number>;
    },
  ): Promise<
    { kind: 'updated'; old: number | undefined } | { kind: 'refused'; current: number | undefined }
  > {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          ...update,
          TableName: this.tables.Idempotency,
          Key: sendRateKey(identity),
          ReturnValues: 'UPDATED_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { kind: 'updated', old: numberOrUndefined(Attributes?.freeUs) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const item = error.Item ? unmarshall(error.Item) : undefined;
      return { kind: 'refused', current: numberOrUndefined(item?.freeUs) };
    }
  }
}

const numberOrUndefined = (value: unknown): number | undefined =>
  typeof value === 'number' ? value : undefined;
