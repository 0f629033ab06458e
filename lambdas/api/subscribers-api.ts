/** Route actions of the subscriber routes: parse path and body, call the domain, shape the response. */
import { DynamoSubscriberStore } from '../adapters/dynamo/subscriber-store';
import { sendDoubleOptInRequest } from '../domain/double-opt-in';
import { parsePathPhone } from '../domain/phone';
import { createSubscriber, pastInstant, type SubscriberRecord } from '../domain/subscribers';
import { NotFoundError } from '../shared/problem';
import type {
  CreateSubscriberRequest,
  InteractionRequest,
  PatchSubscriberRequest,
  SubscriberProfile,
} from '../shared/schemas';
import type { ApiRequest, RouteAction } from './api-handler';
import { consentDeps, sendDeps } from './domain-deps';
import type { SUBSCRIBER_TABLES } from './function-tables';
import { legalHoldActions } from './legal-hold-api';
import { meActions } from './me-api';
import type { ConsentPorts, SendingPorts } from './ports';
import { subscriberHistoryActions } from './subscriber-history-api';

type SubscriberPorts = SendingPorts<(typeof SUBSCRIBER_TABLES)[number]> &
  ConsentPorts<(typeof SUBSCRIBER_TABLES)[number]>;

const notFound = () => new NotFoundError({ detail: 'No subscriber with this number.' });

export function profileView(record: SubscriberRecord): SubscriberProfile {
  return {
    subscriberId: record.subjectId,
    phone: record.phone,
    status: record.status,
    topics: [...record.topics],
    locale: record.locale,
    timeZone: record.timeZone,
    createdAt: record.createdAt,
    lastInteractionAt: record.lastInteractionAt,
    expiresAt: record.expiresAt === undefined ? undefined : new Date(record.expiresAt * 1000).toISOString(),
    legalHold: record.legalHold && { reason: record.legalHold.reason, since: record.legalHold.since },
  };
}

export function subscriberActions(ports: SubscriberPorts): Record<string, RouteAction> {
  const store = new DynamoSubscriberStore(ports.db, ports.tables);
  const deps = { ...consentDeps(ports), store, clock: ports.clock };
  const sending = sendDeps(ports);
  const subjectOf = async (request: ApiRequest): Promise<string> =>
    ports.subjectIds.derive(request.caller.tenantId, parsePathPhone(request.pathParameters.phone ?? ''));

  return {
    ...legalHoldActions(ports),
    ...subscriberHistoryActions(ports),
    ...meActions,
    async createSubscriber(request) {
      const input = request.body as CreateSubscriberRequest;
      const { created, subscriber } = await createSubscriber(deps, request.caller.tenantId, input);
      // Sent again when a client retries a subscribe that is still pending, so a crash loses no request.
      if (subscriber.status === 'pending_confirmation' && (created || input.doubleOptIn))
        await sendDoubleOptInRequest(sending, subscriber);
      return {
        statusCode: created ? 201 : 200,
        body: { subscriberId: subscriber.subjectId, status: subscriber.status, phone: subscriber.phone },
      };
    },

    async getSubscriber(request) {
      const record = await store.get(request.caller.tenantId, await subjectOf(request), ports.clock());
      if (!record) throw notFound();
      return { statusCode: 200, body: profileView(record) };
    },

    async patchSubscriber(request) {
      const changes = request.body as PatchSubscriberRequest;
      const record = await store.update(
        request.caller.tenantId,
        await subjectOf(request),
        changes,
        ports.clock(),
      );
      if (!record) throw notFound();
      return { statusCode: 200, body: profileView(record) };
    },

    async recordInteraction(request) {
      const { at } = request.body as InteractionRequest;
      const now = ports.clock();
      const instant = pastInstant(at, 'at', now);
      const outcome = await store.recordInteraction(
        request.caller.tenantId,
        await subjectOf(request),
        instant,
        now,
      );
      if (outcome === 'absent') throw notFound();
      return { statusCode: 204 };
    },
  };
}
