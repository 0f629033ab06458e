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
 * Cost: one UpdateItem (1 WCU; the item is far below 1 KB) per reservation, which may cover many messages. A
 * busy schedule (past the caller's deadline) costs the failed conditional write alone; an idle one (its free
 * point in the past) the restart, plus a failed ADD first unless this sender already saw the free point pass; a
 * reservation raced by another sender tries again. No write, no slot: any other error
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
  /** Each schedule's free point as this store last wrote or read it. */
  private readonly seen = new Map<string, number | undefined>();

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
    // When the free point this sender last saw has passed, the schedule is most likely idle: restart it first,
    // which spares a sender that sends now and then the failed ADD (1 WCU) before every restart.
    const lastSeen = this.seen.get(identity);
    let restartFirst = this.seen.has(identity) && (lastSeen === undefined || lastSeen < idleBelow);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (restartFirst) {
        restartFirst = false;
        const restarted = await this.restart(identity, request, spacing);
        if (restarted) return restarted;
        continue;
      }
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
        this.seen.set(identity, decided.toUs);
        return decided;
      }
      if (decided.kind === 'busy') return decided;
      if (before !== undefined && before >= idleBelow) continue; // raced: the free point moved; try again
      const restarted = await this.restart(identity, request, spacing);
      if (restarted) return restarted;
    }
    throw new SendRateError(
      `no slot on ${identity} after ${MAX_ATTEMPTS} attempts: too many concurrent senders`,
    );
  }

  /** Idle or never used: restart from now, unless another sender moved the free point first (undefined). */
  private async restart(
    identity: string,
    request: SlotRequest,
    spacing: number,
  ): Promise<Reservation | undefined> {
    const decided = reserveOn(undefined, request, spacing);
    if (decided.kind !== 'reserved') return undefined;
    const restarted = await this.update(identity, {
      UpdateExpression: 'SET freeUs = :to, expiresAt = :exp',
      ConditionExpression: 'attribute_not_exists(freeUs) OR freeUs < :idleBelow',
      ExpressionAttributeValues: {
        ':to': decided.toUs,
        ':idleBelow': idleBelowUs(request, spacing),
        ':exp': expiryOf(decided.toUs),
      },
    });
    this.seen.set(identity, restarted.kind === 'updated' ? decided.toUs : restarted.current);
    return restarted.kind === 'updated' ? decided : undefined;
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
