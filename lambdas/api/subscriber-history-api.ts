/**
 * Route actions of a subscriber's history, for the console and applications alike: the consent timeline and the
 * messages, each read from the subject's own partition. Views copy an allow-list of fields, so storage keys and
 * TTL internals never reach a client.
 */
import { DynamoSubjectHistoryStore } from '../adapters/dynamo/subject-history-store';
import { DynamoSubscriberStore } from '../adapters/dynamo/subscriber-store';
import type { MessageRecord } from '../domain/messages';
import { parsePathPhone } from '../domain/phone';
import type { ConsentEvent } from '../domain/subscribers';
import { NotFoundError } from '../shared/problem';
import {
  DEFAULT_PAGE_LIMIT,
  type ConsentEventList,
  type ConsentEventView,
  type PageQuery,
  type SubscriberMessagePage,
  type SubscriberMessageView,
} from '../shared/read-schemas';
import * as z from '../shared/zod';
import type { ApiRequest, RouteAction } from './api-handler';
import type { SUBSCRIBER_TABLES } from './function-tables';
import { decodeCursor, encodeCursor } from './page-cursor';
import type { Ports } from './ports';

/** A message page's cursor: the tenant and subject it lists, and the sort key the page ended at. */
const messageCursor = z.strictObject({
  t: z.string(),
  s: z.string(),
  k: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T[^#]+#[^#]+$/)),
});

function consentEventView(event: ConsentEvent): ConsentEventView {
  const { noticeVersion, ip, userAgent, keyword } = event.evidence ?? {};
  return {
    eventId: event.eventId,
    type: event.type,
    at: event.at,
    channel: event.channel,
    source: event.source,
    scope: event.scope,
    evidence: {
      ...(noticeVersion === undefined ? {} : { noticeVersion }),
      ...(ip === undefined ? {} : { ip }),
      ...(userAgent === undefined ? {} : { userAgent }),
      ...(keyword === undefined ? {} : { keyword }),
    },
  };
}

function messageView(record: MessageRecord): SubscriberMessageView {
  return {
    messageId: record.messageId,
    direction: record.direction,
    category: record.category,
    status: record.status,
    channel: record.channel,
    body: record.body,
    segments: record.segments,
    ...(record.topic === undefined ? {} : { topic: record.topic }),
    ...(record.campaignId === undefined ? {} : { campaignId: record.campaignId }),
    ...(record.failureCode === undefined ? {} : { failureCode: record.failureCode }),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

export function subscriberHistoryActions(
  ports: Ports<(typeof SUBSCRIBER_TABLES)[number]>,
): Record<string, RouteAction> {
  const history = new DynamoSubjectHistoryStore(ports.db, ports.tables);
  const subscribers = new DynamoSubscriberStore(ports.db, ports.tables);
  const subjectOf = async (request: ApiRequest): Promise<string> =>
    ports.subjectIds.derive(request.caller.tenantId, parsePathPhone(request.pathParameters.phone ?? ''));

  return {
    /**
     * 404 when the ledger has no event of the number: the number was never subscribed here. The ledger outlives
     * an erasure (DESIGN §2), so an erased subscriber's timeline is still shown, as the proof it is kept for.
     */
    async listConsentEvents(request) {
      const events = await history.consentEvents(
        request.caller.tenantId,
        await subjectOf(request),
        ports.clock(),
      );
      if (events.length === 0) throw new NotFoundError({ detail: 'No consent event for this number.' });
      const body: ConsentEventList = { events: events.map(consentEventView) };
      return { statusCode: 200, body };
    },

    /** 404 when there is no subscriber with the number, as for its profile. */
    async listSubscriberMessages(request) {
      const { tenantId } = request.caller;
      const { cursor, limit = DEFAULT_PAGE_LIMIT } = (request.query ?? {}) as PageQuery;
      const subjectId = await subjectOf(request);
      const after =
        cursor === undefined
          ? undefined
          : decodeCursor(cursor, messageCursor, (state) => state.t === tenantId && state.s === subjectId).k;
      const now = ports.clock();
      const [profile, page] = await Promise.all([
        subscribers.get(tenantId, subjectId, now),
        history.messages(tenantId, subjectId, { limit, after }, now),
      ]);
      if (!profile) throw new NotFoundError({ detail: 'No subscriber with this number.' });
      const body: SubscriberMessagePage = {
        messages: page.messages.map(messageView),
        ...(page.after === undefined
          ? {}
          : { nextCursor: encodeCursor({ t: tenantId, s: subjectId, k: page.after }) }),
      };
      return { statusCode: 200, body };
    },
  };
}
