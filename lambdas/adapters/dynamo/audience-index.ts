/**
 * The audience index in the Subscribers table (DESIGN §10), written in the same TransactWriteItems as the
 * subscriber change that moves it. In the tenant's partition, beside the profiles (`S#…`):
 *
 * - `A#<subjectId>`: the subject is in the audience "every active subscriber". It also lists the topics the
 *   subject is indexed under and a revision, so a writer that no longer has the profile (the TTL backstop) knows
 *   which entries to delete, and two writers cannot both move the index from the same state.
 * - `M#<topic>#<subjectId>`: the subject is in the audience of that topic. A topic is `[a-z0-9-]`, never `#`, so
 *   the prefix `M#<topic>#` holds that topic's members and nothing else.
 *
 * Keys hold pseudonymous ids only, never a phone number (DESIGN §3). The entries have no `expiresAt` of their
 * own: they live exactly as long as the profile is active and is there. An interaction moves the profile's
 * expiry in one UpdateItem (DESIGN §4) that cannot move theirs, so a TTL on them would drop a live subscriber
 * from its audiences; instead every write that ends the profile (erasure, purge) deletes them in its own
 * transaction, and the TTL backstop deletes them after TTL removed a profile. An expired profile not yet purged
 * stays listed: the dispatcher re-reads the profile and treats it as absent, so that costs a read, never a send.
 * They carry neither `purgeDay` nor `expiresAt`, so the `ByPurgeDay` index and the TTL stream never see them.
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Membership } from '../../domain/audience';
import { failedConditions, type TransactItem, type TransactItems } from './consent-head';
import { tenantPk } from './keys';
import { transactWrite } from './transact-write';

/** Sort-key prefix of the audience of every active subscriber. */
export const ALL_MEMBERS_PREFIX = 'A#';
/** Sort-key prefix of one topic's audience. */
export const topicMembersPrefix = (topic: string): string => `M#${topic}#`;

export const allMembersKey = (tenantId: string, subjectId: string) => ({
  pk: tenantPk(tenantId),
  sk: `${ALL_MEMBERS_PREFIX}${subjectId}`,
});
export const topicMemberKey = (tenantId: string, topic: string, subjectId: string) => ({
  pk: tenantPk(tenantId),
  sk: `${topicMembersPrefix(topic)}${subjectId}`,
});

/** The subject's entries as they stand: the topics of its `A#` item and that item's revision. */
export interface IndexState {
  readonly topics: readonly string[];
  readonly rev: number;
}

/** Times a writer reads the index again after another writer moved it in between. */
const MAX_INDEX_TURNS = 5;

/** The subject's index state, strongly consistent; undefined when it is in no audience. */
export async function readIndex(
  db: DynamoDBDocumentClient,
  table: string,
  tenantId: string,
  subjectId: string,
): Promise<IndexState | undefined> {
  const { Item } = await db.send(
    new GetCommand({
      TableName: table,
      Key: allMembersKey(tenantId, subjectId),
      ConsistentRead: true,
      ProjectionExpression: 'topics, rev',
    }),
  );
  return Item ? { topics: (Item.topics as string[] | undefined) ?? [], rev: Number(Item.rev) } : undefined;
}

/**
 * The transaction items that move the subject's entries from `before` to `after`. The first one holds the
 * transaction to `before` (the `A#` item's revision, or its absence), so a concurrent move makes it fail.
 */
export function indexChanges(
  table: string,
  tenantId: string,
  subjectId: string,
  before: IndexState | undefined,
  after: Membership | undefined,
): TransactItems {
  const key = allMembersKey(tenantId, subjectId);
  const pinned =
    before === undefined
      ? { ConditionExpression: 'attribute_not_exists(pk)' }
      : { ConditionExpression: 'rev = :rev', ExpressionAttributeValues: { ':rev': before.rev } };
  const old = new Set(before?.topics ?? []);
  const now = new Set(after?.topics ?? []);
  const same =
    before !== undefined && after !== undefined && old.size === now.size && [...now].every((t) => old.has(t));
  let head: TransactItem;
  if (after === undefined && before === undefined) {
    head = { ConditionCheck: { TableName: table, Key: key, ...pinned } };
  } else if (after === undefined) {
    head = { Delete: { TableName: table, Key: key, ...pinned } };
  } else if (same) {
    head = { ConditionCheck: { TableName: table, Key: key, ...pinned } };
  } else {
    const item = { ...key, topics: [...now], rev: (before?.rev ?? 0) + 1 };
    head = { Put: { TableName: table, Item: item, ...pinned } };
  }
  return [
    head,
    ...[...now]
      .filter((topic) => !old.has(topic))
      .map((topic): TransactItem => ({
        Put: { TableName: table, Item: topicMemberKey(tenantId, topic, subjectId) },
      })),
    ...[...old]
      .filter((topic) => !now.has(topic))
      .map((topic): TransactItem => ({
        Delete: { TableName: table, Key: topicMemberKey(tenantId, topic, subjectId) },
      })),
  ];
}

export interface IndexedWrite {
  readonly db: DynamoDBDocumentClient;
  /** The Subscribers table. */
  readonly table: string;
  readonly tenantId: string;
  readonly subjectId: string;
  /**
   * Try first as if the subject were in no audience, reading the index only if it is: one read fewer where that
   * is the rule (a new subscriber). @default false
   */
  readonly assumeUnindexed?: boolean;
}

/**
 * Sends the writer's items and the index move they imply in one TransactWriteItems. `build` gets the index
 * state and returns the writer's own items and the membership they leave; the index items go after them, so the
 * writer's item indexes in a cancellation stay its own. When only the index had moved in between, it is read
 * again and the transaction retried; any other failure (a condition of the writer's items included) is thrown
 * for the writer to interpret.
 */
export async function writeWithIndex(
  write: IndexedWrite,
  build: (before: IndexState | undefined) => { items: TransactItems; after: Membership | undefined },
): Promise<void> {
  const { db, table, tenantId, subjectId } = write;
  let known = write.assumeUnindexed === true;
  for (let turn = 0; turn < MAX_INDEX_TURNS; turn += 1) {
    const before = known ? undefined : await readIndex(db, table, tenantId, subjectId);
    known = false;
    const { items, after } = build(before);
    try {
      await transactWrite(db, [...items, ...indexChanges(table, tenantId, subjectId, before, after)]);
      return;
    } catch (error) {
      const failed = failedConditions(error);
      const onlyIndex = failed.length > 0 && failed.every((index) => index >= items.length);
      if (!onlyIndex) throw error;
    }
  }
  throw new Error('The audience index of the subscriber kept changing while it was written');
}
