import { randomUUID } from 'node:crypto';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoSlotStore, sendRateKey } from '../../lambdas/adapters/dynamo/send-rate-store';
import { slotSpacingUs, type Reservation, type SlotOutcome } from '../../lambdas/domain/send-rate';
import { testDocumentClient } from './harness/dynamo';

const SECOND_US = 1_000_000;
const TABLES = { Idempotency: 'Idempotency' };

/** The most parts whose slots fall in any half-open window [t, t + 1 s). */
function busiestSecond(starts: ReadonlyArray<{ at: number; parts: number }>): number {
  const sorted = [...starts].sort((a, b) => a.at - b.at);
  let best = 0;
  let end = 0;
  let sum = 0;
  for (let begin = 0; begin < sorted.length; begin++) {
    while (end < sorted.length && sorted[end]!.at < sorted[begin]!.at + SECOND_US)
      sum += sorted[end++]!.parts;
    best = Math.max(best, sum);
    sum -= sorted[begin]!.parts;
  }
  return best;
}

const reserved = (outcome: SlotOutcome): Reservation => {
  if (outcome.kind !== 'reserved') throw new Error(`expected a reservation, got ${JSON.stringify(outcome)}`);
  return outcome;
};

describe('send slots on DynamoDB Local', () => {
  let db: DynamoDBDocumentClient;
  beforeAll(() => {
    db = testDocumentClient();
  });
  afterAll(() => db.destroy());

  it('keeps 40 concurrent reservers of one identity within its rate, on the slots DynamoDB handed out', async () => {
    // GIVEN a 5 MPS identity and 40 senders, each with its own client, asking at the same clock reading
    const identity = `id-${randomUUID()}`;
    const mps = 5;
    const now = Date.now() * 1000;
    const clients = Array.from({ length: 8 }, () => testDocumentClient());
    const stores = clients.map((client) => new DynamoSlotStore(client, TABLES, () => slotSpacingUs(mps)));
    const parts = (i: number) => (i % 7 === 0 ? 3 : 1);
    // WHEN they all reserve at once
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        stores[i % stores.length]!.reserve(identity, {
          parts: [parts(i)],
          nowUs: now,
          latestStartUs: now + 600 * SECOND_US,
        }),
      ),
    );
    await Promise.all(
      stores.map((store) => (store as unknown as { db: DynamoDBDocumentClient }).db.destroy()),
    );
    // THEN every one got a distinct slot, none in the past, and no second of slots holds more than 5 parts
    const starts = outcomes.map((outcome, i) => ({ at: reserved(outcome).startsUs[0]!, parts: parts(i) }));
    expect(new Set(starts.map((s) => s.at)).size).toBe(40);
    expect(Math.min(...starts.map((s) => s.at))).toBe(now);
    expect(busiestSecond(starts)).toBeLessThanOrEqual(mps);
    // AND the schedule's free point is the end of the last reservation
    const { Item } = await db.send(
      new GetCommand({ TableName: 'Idempotency', Key: sendRateKey(identity), ConsistentRead: true }),
    );
    expect(Item?.freeUs).toBe(Math.max(...outcomes.map((o) => reserved(o).toUs)));
    expect(Item?.expiresAt).toBeGreaterThan(Math.floor(now / SECOND_US));
  });

  it('restarts an idle identity from now, refuses a start past the deadline, and gives back the last slots', async () => {
    const identity = `id-${randomUUID()}`;
    const store = new DynamoSlotStore(db, TABLES, () => slotSpacingUs(1));
    const hourAgo = (Date.now() - 3_600_000) * 1000;
    reserved(
      await store.reserve(identity, {
        parts: [1, 1],
        nowUs: hourAgo,
        latestStartUs: hourAgo + 60 * SECOND_US,
      }),
    );
    // GIVEN the identity idle for an hour
    const now = Date.now() * 1000;
    const first = reserved(
      await store.reserve(identity, { parts: [1, 1, 1], nowUs: now, latestStartUs: now + 60 * SECOND_US }),
    );
    // THEN the backlog is not sent in a burst: the first start is now
    expect(first.startsUs).toEqual([now, now + slotSpacingUs(1), now + 2 * slotSpacingUs(1)]);
    // WHEN a sender can wait only 2 s
    const busy = await store.reserve(identity, {
      parts: [1],
      nowUs: now,
      latestStartUs: now + 2 * SECOND_US,
    });
    // THEN it is told when the next slot is, and nothing was taken
    expect(busy).toEqual({ kind: 'busy', firstStartUs: now + 3 * slotSpacingUs(1) });
    const second = reserved(
      await store.reserve(identity, { parts: [2], nowUs: now, latestStartUs: now + 60 * SECOND_US }),
    );
    expect(second.startsUs).toEqual([now + 4 * slotSpacingUs(1)]);
    // AND slots go back only while they are the last ones
    expect(await store.release(identity, first)).toBe(false);
    expect(await store.release(identity, second)).toBe(true);
    const again = reserved(
      await store.reserve(identity, { parts: [1], nowUs: now, latestStartUs: now + 60 * SECOND_US }),
    );
    expect(again.startsUs).toEqual([now + 3 * slotSpacingUs(1)]);
  });

  it('restarts a schedule it saw go idle with one write, and falls back to ADD when another sender moved it', async () => {
    // GIVEN a sender whose last slot on a 1 MPS identity has passed, and a count of the writes it makes
    const identity = `id-${randomUUID()}`;
    const writes: string[] = [];
    const counting = {
      send: (command: { input: { ConditionExpression?: string } }) => {
        writes.push(command.input.ConditionExpression ?? '');
        return db.send(command as never);
      },
    } as unknown as DynamoDBDocumentClient;
    const store = new DynamoSlotStore(counting, TABLES, () => slotSpacingUs(1));
    const other = new DynamoSlotStore(db, TABLES, () => slotSpacingUs(1));
    const t0 = (Date.now() - 60_000) * 1000;
    reserved(await store.reserve(identity, { parts: [1], nowUs: t0, latestStartUs: t0 + SECOND_US }));
    writes.length = 0;
    // WHEN it sends again a minute later
    const now = Date.now() * 1000;
    const idle = reserved(
      await store.reserve(identity, { parts: [1], nowUs: now, latestStartUs: now + 60 * SECOND_US }),
    );
    // THEN one write restarted the schedule at now
    expect(idle.startsUs).toEqual([now]);
    expect(writes).toEqual([expect.stringContaining('attribute_not_exists(freeUs)')]);
    // AND when another sender has taken slots since, the guess is wrong and its ADD follows, still on time
    const later = now + 5 * SECOND_US;
    const taken = reserved(
      await other.reserve(identity, { parts: [1, 1], nowUs: later, latestStartUs: later + 60 * SECOND_US }),
    );
    writes.length = 0;
    const next = reserved(
      await store.reserve(identity, { parts: [1], nowUs: later, latestStartUs: later + 60 * SECOND_US }),
    );
    expect(next.startsUs).toEqual([taken.toUs]);
    expect(writes).toHaveLength(2);
  });

  it('takes no slot when DynamoDB refuses the write', async () => {
    const store = new DynamoSlotStore(db, { Idempotency: `missing-${randomUUID()}` }, () => slotSpacingUs(1));
    const now = Date.now() * 1000;
    await expect(
      store.reserve('main', { parts: [1], nowUs: now, latestStartUs: now + SECOND_US }),
    ).rejects.toThrow(/non-existent table|ResourceNotFound|Cannot do operations/);
  });
});
