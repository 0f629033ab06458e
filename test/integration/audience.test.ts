/**
 * The audience index (DESIGN §10) against DynamoDB Local: every subscriber change that alters who is in an
 * audience moves the index in its own transaction, a failed transaction leaves neither, and the reader pages
 * through an audience with a Query on its prefix.
 */
import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoAudienceReader } from '../../lambdas/adapters/dynamo/audience-store';
import { DynamoConsentStore } from '../../lambdas/adapters/dynamo/consent-store';
import { DynamoPurgeStore } from '../../lambdas/adapters/dynamo/purge-store';
import { DynamoSubjectDataStore } from '../../lambdas/adapters/dynamo/subject-data-store';
import { DynamoSubscriberStore } from '../../lambdas/adapters/dynamo/subscriber-store';
import { expiresAt, purgeDayOf } from '../../lambdas/domain/retention';
import type { ConsentEvent, SubscriberRecord } from '../../lambdas/domain/subscribers';
import type { TableId } from '../../lambdas/shared/env';
import { TABLE_IDS } from '../../lib/stacks/data-stack';
import { ensureTables } from '../../local/dynamodb-local';
import { localTableDefinitions } from '../../local/table-definitions';
import { testDocumentClient } from './harness/dynamo';

const prefix = `aud${randomUUID().slice(0, 6)}_`;
const tables = Object.fromEntries(TABLE_IDS.map((id) => [id, `${prefix}${id}`])) as Record<TableId, string>;
const db = testDocumentClient();
const subscribers = new DynamoSubscriberStore(db, tables);
const consent = new DynamoConsentStore(db, tables);
const subjects = new DynamoSubjectDataStore(db, tables);
const purge = new DynamoPurgeStore(db, tables);
const reader = new DynamoAudienceReader(db, tables.Subscribers);
const now = new Date('2026-05-04T10:00:00.000Z');
const TENANT = 'demo';

let serial = 0;
const newSubject = () => `sub${String((serial += 1)).padStart(5, '0')}${randomUUID().replace(/-/g, '')}`;

function recordOf(subjectId: string, status: SubscriberRecord['status'], topics: string[], at = now) {
  const ttl = expiresAt('subscriberProfile', at);
  return {
    tenantId: TENANT,
    subjectId,
    phone: '+447400000000',
    status,
    topics,
    createdAt: at.toISOString(),
    lastInteractionAt: at.toISOString(),
    expiresAt: ttl,
    purgeDay: purgeDayOf(ttl),
  } satisfies SubscriberRecord;
}

function eventOf(subjectId: string, type: ConsentEvent['type'], at = now): ConsentEvent {
  return {
    tenantId: TENANT,
    subjectId,
    eventId: randomUUID(),
    type,
    at: at.toISOString(),
    channel: 'sms',
    source: 'api',
    scope: 'all',
    evidence: { noticeVersion: 'v1' },
    expiresAt: expiresAt('consentProof', at),
  };
}

const ordering = { head: undefined, advance: true, clearSuppression: false, requestProviderRemoval: false };

async function subscribe(status: SubscriberRecord['status'], topics: string[], at = now): Promise<string> {
  const subjectId = newSubject();
  expect(
    await subscribers.create(
      recordOf(subjectId, status, topics, at),
      eventOf(subjectId, 'opt_in', at),
      now,
      ordering,
    ),
  ).toBe('created');
  return subjectId;
}

/** The subject's index entries, as `all` and topic names, sorted. */
async function entriesOf(subjectId: string): Promise<string[]> {
  const { Items = [] } = await db.send(
    new QueryCommand({
      TableName: tables.Subscribers,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `T#${TENANT}` },
      ConsistentRead: true,
    }),
  );
  return Items.flatMap((item) => {
    const sk = String(item.sk);
    if (sk === `A#${subjectId}`) return ['all'];
    const match = /^M#([^#]+)#(.+)$/.exec(sk);
    return match && match[2] === subjectId ? [match[1]!] : [];
  }).sort();
}

async function readAll(topic: string | undefined, pageSize: number) {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await reader.readAudience(TENANT, topic, cursor, pageSize);
    pages.push([...page.subjectIds]);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return pages;
}

beforeAll(async () => {
  await ensureTables(process.env.OPTLINE_DYNAMODB_ENDPOINT!, localTableDefinitions('eu', prefix));
});
afterAll(() => db.destroy());

describe('the audience index', () => {
  it('lists an active subscriber under every audience and its topics from the subscribe transaction on', async () => {
    const subjectId = await subscribe('active', ['offers', 'news']);
    expect(await entriesOf(subjectId)).toEqual(['all', 'news', 'offers']);
  });

  it('lists a double opt-in only once YES confirms it, under the topics it has then', async () => {
    const subjectId = await subscribe('pending_confirmation', ['offers']);
    expect(await entriesOf(subjectId)).toEqual([]);
    // A change of topics while pending moves nothing into an audience.
    await subscribers.update(TENANT, subjectId, { topics: ['news'] }, now);
    expect(await entriesOf(subjectId)).toEqual([]);

    const { head } = await consent.state(TENANT, subjectId, now);
    const yes = await consent.optIn(
      eventOf(subjectId, 'opt_in_confirmed', new Date(now.getTime() + 1000)),
      { confirmSubscriber: true, clearSuppression: false, requestProviderRemoval: false },
      head,
    );
    expect(yes).toBe('recorded');
    expect(await entriesOf(subjectId)).toEqual(['all', 'news']);
  });

  it('moves entries with a PATCH of topics and a DSR rectification of topics, and not with other changes', async () => {
    const subjectId = await subscribe('active', ['offers']);
    const patched = await subscribers.update(
      TENANT,
      subjectId,
      { topics: ['news', 'alerts'], locale: 'fr-FR' },
      now,
    );
    expect(patched).toMatchObject({ topics: ['news', 'alerts'], locale: 'fr-FR', status: 'active' });
    expect(await entriesOf(subjectId)).toEqual(['alerts', 'all', 'news']);
    await subscribers.update(TENANT, subjectId, { timeZone: 'Europe/Paris' }, now);
    expect(await entriesOf(subjectId)).toEqual(['alerts', 'all', 'news']);

    expect(await subjects.rectify(TENANT, subjectId, { topics: ['offers'] }, now)).toBe(true);
    expect(await entriesOf(subjectId)).toEqual(['all', 'offers']);
  });

  it('takes a restricted subscriber out of every audience, and an erased one', async () => {
    const restricted = await subscribe('active', ['offers']);
    expect(await subjects.restrict(TENANT, restricted, now)).toBe(true);
    expect(await entriesOf(restricted)).toEqual([]);
    // A restricted subscriber's change of topics keeps it out.
    expect(await subjects.rectify(TENANT, restricted, { topics: ['news'] }, now)).toBe(true);
    expect(await entriesOf(restricted)).toEqual([]);

    const erased = await subscribe('active', ['offers', 'news']);
    expect(await subjects.deleteProfile(TENANT, erased)).toBe('deleted');
    expect(await entriesOf(erased)).toEqual([]);
  });

  it('removes the entries with the purged profile, and after a TTL delete only while no new profile is there', async () => {
    const expiredAt = new Date('2023-04-01T00:00:00.000Z');
    const purged = await subscribe('active', ['offers'], expiredAt);
    expect(await purge.claim({ tenantId: TENANT, subjectId: purged }, now)).toBe(true);
    expect(await entriesOf(purged)).toEqual(['all', 'offers']);
    expect(await purge.remove({ tenantId: TENANT, subjectId: purged }, now)).toBe(true);
    expect(await entriesOf(purged)).toEqual([]);

    // TTL deleted a profile on its own: the backstop's step deletes what it left.
    const ttl = await subscribe('active', ['offers', 'news']);
    await db.send(
      new DeleteCommand({
        TableName: tables.Subscribers,
        Key: { pk: `T#${TENANT}`, sk: `S#${ttl}` },
      }),
    );
    expect(await purge.leaveAudiences({ tenantId: TENANT, subjectId: ttl })).toBe(true);
    expect(await entriesOf(ttl)).toEqual([]);
    expect(await purge.leaveAudiences({ tenantId: TENANT, subjectId: ttl })).toBe(false);
  });

  it('reconciles the entries an ended life left when the subject subscribes again', async () => {
    // GIVEN a profile that expired (not yet purged) with topics offers and news
    const subjectId = newSubject();
    const old = new Date('2023-04-01T00:00:00.000Z');
    expect(
      await subscribers.create(
        recordOf(subjectId, 'active', ['offers', 'news'], old),
        eventOf(subjectId, 'opt_in', old),
        old,
        ordering,
      ),
    ).toBe('created');
    // WHEN the subject subscribes again with topic alerts only
    const { head } = await consent.state(TENANT, subjectId, now);
    const again = await subscribers.create(
      recordOf(subjectId, 'active', ['alerts']),
      eventOf(subjectId, 'opt_in'),
      now,
      {
        ...ordering,
        head,
      },
    );
    // THEN the index lists the new life only
    expect(again).toBe('created');
    expect(await entriesOf(subjectId)).toEqual(['alerts', 'all']);
    // …and the TTL backstop of the old life leaves the new one's entries alone
    expect(await purge.leaveAudiences({ tenantId: TENANT, subjectId })).toBe(false);
    expect(await entriesOf(subjectId)).toEqual(['alerts', 'all']);
  });

  it('writes neither the profile nor its entries when the transaction fails', async () => {
    // A consent head that moved since it was read makes the subscribe stale: nothing is written.
    const subjectId = newSubject();
    const stale = await subscribers.create(
      recordOf(subjectId, 'active', ['offers']),
      eventOf(subjectId, 'opt_in'),
      now,
      {
        ...ordering,
        head: 'not-the-head',
      },
    );
    expect(stale).toBe('stale');
    expect(await subscribers.get(TENANT, subjectId, now)).toBeUndefined();
    expect(await entriesOf(subjectId)).toEqual([]);

    // A profile under legal hold is not erased, and keeps its entries.
    const held = await subscribe('active', ['offers']);
    await db.send(
      new UpdateCommand({
        TableName: tables.Subscribers,
        Key: { pk: `T#${TENANT}`, sk: `S#${held}` },
        UpdateExpression: 'SET legalHold = :hold REMOVE expiresAt, purgeDay',
        ExpressionAttributeValues: { ':hold': { reason: 'case', heldBy: 'test', since: now.toISOString() } },
      }),
    );
    expect(await subjects.deleteProfile(TENANT, held)).toBe('held');
    expect(await entriesOf(held)).toEqual(['all', 'offers']);

    // A PATCH of a subscriber that is not there changes nothing.
    const absent = newSubject();
    expect(await subscribers.update(TENANT, absent, { topics: ['offers'] }, now)).toBeUndefined();
    expect(await entriesOf(absent)).toEqual([]);
  });
});

describe('DynamoAudienceReader', () => {
  const pagingTopic = `paging-${randomUUID().slice(0, 8)}`;
  const members: string[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 23; i += 1) members.push(await subscribe('active', [pagingTopic]));
    // Not members: another topic, a pending double opt-in, a restricted subscriber.
    await subscribe('active', ['other-topic']);
    await subscribe('pending_confirmation', [pagingTopic]);
    const restricted = await subscribe('active', [pagingTopic]);
    await subjects.restrict(TENANT, restricted, now);
  });

  it('pages through a topic audience in bounded pages, each id once, none outside it', async () => {
    const pages = await readAll(pagingTopic, 10);
    expect(pages.map((page) => page.length)).toEqual([10, 10, 3]);
    expect(pages.flat().sort()).toEqual([...members].sort());
  });

  it('reads every active subscriber without a topic, and only the tenant of the call', async () => {
    const all = (await readAll(undefined, 50)).flat();
    expect(all).toEqual(expect.arrayContaining(members));
    const { Item } = await db.send(
      new GetCommand({ TableName: tables.Subscribers, Key: { pk: `T#${TENANT}`, sk: `A#${members[0]}` } }),
    );
    expect(Item).toBeDefined();
    expect(await reader.readAudience('acme', pagingTopic, undefined, 10)).toEqual({ subjectIds: [] });
  });

  it('refuses a cursor that is not a subject id', async () => {
    await expect(reader.readAudience(TENANT, pagingTopic, 'S#x', 10)).rejects.toThrow(RangeError);
  });
});
