/**
 * The route table of the HTTP API. It is data, with no handler code, so that the CDK stack (API Gateway
 * resources, scopes and request models), the OpenAPI document and the local server all read the same list.
 */
import {
  campaignAccepted,
  campaignCancelled,
  campaignView,
  createCampaignRequest,
} from '../shared/campaign-schemas';
import {
  createDsrRequest,
  dsrAccepted,
  dsrExtended,
  dsrStatusView,
  extendDsrRequest,
} from '../shared/dsr-schemas';
import {
  incidentAcknowledged,
  incidentNotificationList,
  incidentNotificationView,
  incidentRecorded,
  incidentView,
  recordIncidentRequest,
} from '../shared/incident-schemas';
import { legalHoldRequest, legalHoldView } from '../shared/legal-hold-schemas';
import type { ProblemSlug } from '../shared/problem';
import {
  callerView,
  consentEventList,
  dsrListQuery,
  dsrPage,
  pageQuery,
  subscriberMessagePage,
} from '../shared/read-schemas';
import {
  createSubscriberRequest,
  interactionRequest,
  messageAccepted,
  messageView,
  optOutRecorded,
  optOutRequest,
  optOutStatus,
  patchSubscriberRequest,
  sendMessageRequest,
  subscriberCreated,
  subscriberProfile,
} from '../shared/schemas';
import { dailyStatsQuery, dailyStatsView } from '../shared/stats-schemas';
import type * as z from '../shared/zod';

/**
 * OAuth scopes of the Cognito resource server; a token carries them as `optline/<scope>`. Each area has a write
 * scope and a read scope; a read route accepts either, so a client holding the write scope reads as before.
 */
export const TENANT_SCOPES = [
  'subscribers.write',
  'messages.send',
  'optouts.write',
  'dsr.manage',
  'subscribers.read',
  'dsr.read',
  'messages.read',
  'stats.read',
] as const;
/**
 * Scopes of the platform operator, who has no tenant (DESIGN §12): granted only to the operator's own app
 * client, never to a tenant's, and accepted only by operator routes.
 */
export const OPERATOR_SCOPES = ['incidents.manage'] as const;
export const SCOPES = [...TENANT_SCOPES, ...OPERATOR_SCOPES] as const;
export type Scope = (typeof SCOPES)[number];

/** Scopes a read route accepts, any one of them: the area's read scope or its write scope. */
const SUBSCRIBERS_READ = ['subscribers.read', 'subscribers.write'] as const satisfies readonly Scope[];
const DSR_READ = ['dsr.read', 'dsr.manage'] as const satisfies readonly Scope[];
const MESSAGES_READ = ['messages.read', 'messages.send'] as const satisfies readonly Scope[];
export const RESOURCE_SERVER_ID = 'optline';

/** The Lambda function that serves a route; routes of one concern share a function. */
export const API_FUNCTIONS = [
  'subscribers',
  'messages',
  'optouts',
  'dsr',
  'campaigns',
  'stats',
  'incidents',
] as const;
export type ApiFunction = (typeof API_FUNCTIONS)[number];

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteResponse {
  readonly description: string;
  /** @default - no body */
  readonly body?: z.ZodMiniType;
}

/**
 * An OpenAPI link: an operation a client can call next with values from this route's success response, so
 * that a generated or stateful client can chain create → read → change.
 */
export interface RouteLink {
  readonly operationId: string;
  readonly description: string;
  /** Target parameters by name, as runtime expressions such as `$response.body#/phone`. @default - none */
  readonly parameters?: Readonly<Record<string, string>>;
  /** Members of the target's request body, as runtime expressions. @default - none */
  readonly requestBody?: Readonly<Record<string, string>>;
}

export interface RouteSpec {
  readonly operationId: string;
  readonly method: HttpMethod;
  /** API Gateway resource path, with `{param}` placeholders. */
  readonly path: string;
  readonly summary: string;
  /**
   * The scopes that admit a caller, any one of them (API Gateway's `authorizationScopes` are any-of as well).
   * The first is the one a client asks for; read routes list their read scope first.
   */
  readonly scopes: readonly [Scope, ...Scope[]];
  readonly fn: ApiFunction;
  /**
   * Who may call it: a tenant (its application or staff), or the platform operator, who has no tenant. Neither
   * is admitted to the other's routes, whatever scopes it holds. @default 'tenant'
   */
  readonly audience?: 'tenant' | 'operator';
  /** @default - the route takes no body */
  readonly body?: z.ZodMiniType;
  /**
   * The query parameters, as a strict object (a query string holds text: numbers are coerced). Unknown
   * parameters are refused; required fields are required by API Gateway too. @default - the query string is
   * ignored
   */
  readonly query?: z.ZodMiniObject;
  /** Required request headers, documented and checked by the handler. @default - none */
  readonly headers?: readonly string[];
  /** Success responses by status code. */
  readonly responses: Readonly<Record<number, RouteResponse>>;
  /** Problem types this route documents beyond the ones every route can return. */
  readonly problems: readonly ProblemSlug[];
  /** Links from every success response with a body, by link name. @default - none */
  readonly links?: Readonly<Record<string, RouteLink>>;
}

/** A route's query parameters, by name, with their schemas and whether each must be present. */
export function queryParameters(
  route: RouteSpec,
): Array<{ name: string; schema: z.ZodMiniType; required: boolean }> {
  return Object.entries(route.query?.shape ?? {}).map(([name, schema]) => ({
    name,
    schema: schema as z.ZodMiniType,
    required: (schema as z.ZodMiniType)._zod.optin !== 'optional',
  }));
}

const FROM_SUBSCRIBER = { phone: '$response.body#/phone' };

/** What a client can do with a subscriber it has just created. */
const SUBSCRIBER_LINKS: Readonly<Record<string, RouteLink>> = {
  GetSubscriber: {
    operationId: 'getSubscriber',
    description: 'Read the profile',
    parameters: FROM_SUBSCRIBER,
  },
  PatchSubscriber: {
    operationId: 'patchSubscriber',
    description: 'Change the profile',
    parameters: FROM_SUBSCRIBER,
  },
  RecordInteraction: {
    operationId: 'recordInteraction',
    description: 'Record an interaction',
    parameters: FROM_SUBSCRIBER,
  },
  SetLegalHold: {
    operationId: 'setLegalHold',
    description: 'Place a legal hold',
    parameters: FROM_SUBSCRIBER,
  },
  ClearLegalHold: {
    operationId: 'clearLegalHold',
    description: 'Clear the legal hold',
    parameters: FROM_SUBSCRIBER,
  },
  ListConsentEvents: {
    operationId: 'listConsentEvents',
    description: 'Read the consent timeline',
    parameters: FROM_SUBSCRIBER,
  },
  ListSubscriberMessages: {
    operationId: 'listSubscriberMessages',
    description: 'Read the messages sent to and received from the subscriber',
    parameters: FROM_SUBSCRIBER,
  },
  GetOptOut: {
    operationId: 'getOptOut',
    description: 'Read the suppression state',
    parameters: FROM_SUBSCRIBER,
  },
  SendMessage: {
    operationId: 'sendMessage',
    description: 'Send the subscriber a message',
    requestBody: { to: '$response.body#/phone' },
  },
  RecordOptOut: {
    operationId: 'recordOptOut',
    description: 'Opt the subscriber out',
    requestBody: FROM_SUBSCRIBER,
  },
  CreateDsr: {
    operationId: 'createDsr',
    description: 'Open a data-subject request for the subscriber',
    requestBody: FROM_SUBSCRIBER,
  },
};

const FROM_DSR = { id: '$response.body#/requestId' };
const FROM_CAMPAIGN = { id: '$response.body#/campaignId' };
const FROM_INCIDENT = { id: '$response.body#/incidentId' };

export const ROUTES: readonly RouteSpec[] = [
  {
    operationId: 'createSubscriber',
    method: 'POST',
    path: '/v1/subscribers',
    summary: 'Subscribe a phone number with consent evidence',
    scopes: ['subscribers.write'],
    fn: 'subscribers',
    body: createSubscriberRequest,
    responses: {
      201: { description: 'Subscribed', body: subscriberCreated },
      200: { description: 'Already subscribed; nothing changed', body: subscriberCreated },
    },
    problems: ['age-restriction', 'timestamp-out-of-range'],
    links: SUBSCRIBER_LINKS,
  },
  {
    operationId: 'getSubscriber',
    method: 'GET',
    path: '/v1/subscribers/{phone}',
    summary: 'Read a subscriber profile',
    scopes: SUBSCRIBERS_READ,
    fn: 'subscribers',
    responses: { 200: { description: 'The profile', body: subscriberProfile } },
    problems: ['not-found'],
  },
  {
    operationId: 'patchSubscriber',
    method: 'PATCH',
    path: '/v1/subscribers/{phone}',
    summary: 'Change locale, time zone or topics',
    scopes: ['subscribers.write'],
    fn: 'subscribers',
    body: patchSubscriberRequest,
    responses: { 200: { description: 'The updated profile', body: subscriberProfile } },
    problems: ['not-found'],
  },
  {
    operationId: 'recordInteraction',
    method: 'POST',
    path: '/v1/subscribers/{phone}/interactions',
    summary: 'Record that the subscriber interacted, which postpones the inactivity purge',
    scopes: ['subscribers.write'],
    fn: 'subscribers',
    body: interactionRequest,
    responses: { 204: { description: 'Recorded' } },
    problems: ['not-found', 'timestamp-out-of-range'],
  },
  {
    operationId: 'setLegalHold',
    method: 'PUT',
    path: '/v1/subscribers/{phone}/legal-hold',
    summary: 'Put the subscriber under legal hold: no expiry and no purge until it is cleared',
    scopes: ['dsr.manage'],
    fn: 'subscribers',
    body: legalHoldRequest,
    responses: {
      200: { description: 'Held; a repeat replaces the reason and the holder', body: legalHoldView },
    },
    problems: ['not-found'],
  },
  {
    operationId: 'clearLegalHold',
    method: 'DELETE',
    path: '/v1/subscribers/{phone}/legal-hold',
    summary: 'Clear a legal hold: the 36-month expiry is restored from the last interaction',
    scopes: ['dsr.manage'],
    fn: 'subscribers',
    responses: { 204: { description: 'Cleared, or there was no hold' } },
    problems: ['not-found'],
  },
  {
    operationId: 'listConsentEvents',
    method: 'GET',
    path: '/v1/subscribers/{phone}/consent-events',
    summary:
      'Read the consent timeline of a number: every opt-in and opt-out of the consent ledger, newest first; ' +
      'the ledger outlives an erasure, as proof of consent',
    scopes: SUBSCRIBERS_READ,
    fn: 'subscribers',
    responses: { 200: { description: 'The consent events', body: consentEventList } },
    problems: ['not-found'],
  },
  {
    operationId: 'listSubscriberMessages',
    method: 'GET',
    path: '/v1/subscribers/{phone}/messages',
    summary: "Read a subscriber's messages, outbound and inbound, newest first, one page at a time",
    scopes: SUBSCRIBERS_READ,
    fn: 'subscribers',
    query: pageQuery,
    responses: { 200: { description: 'One page of messages', body: subscriberMessagePage } },
    problems: ['not-found'],
  },
  {
    operationId: 'sendMessage',
    method: 'POST',
    path: '/v1/messages',
    summary: 'Send one SMS; requires an Idempotency-Key header',
    scopes: ['messages.send'],
    fn: 'messages',
    body: sendMessageRequest,
    headers: ['Idempotency-Key'],
    responses: {
      202: { description: 'Accepted and handed to the channel (or failed for good)', body: messageAccepted },
    },
    problems: [
      'conflict',
      'recipient-opted-out',
      'no-consent',
      'processing-restricted',
      'quiet-hours',
      'frequency-cap',
      'content-rejected',
    ],
    links: {
      GetMessage: {
        operationId: 'getMessage',
        description: 'Follow the message status',
        parameters: { messageId: '$response.body#/messageId' },
      },
    },
  },
  {
    operationId: 'getMessage',
    method: 'GET',
    path: '/v1/messages/{messageId}',
    summary: 'Read the status of a message',
    scopes: MESSAGES_READ,
    fn: 'messages',
    responses: { 200: { description: 'The message status', body: messageView } },
    problems: ['not-found'],
  },
  {
    operationId: 'recordOptOut',
    method: 'POST',
    path: '/v1/opt-outs',
    summary: 'Record an opt-out, of everything or of one topic; a repeat changes nothing',
    scopes: ['optouts.write'],
    fn: 'optouts',
    body: optOutRequest,
    responses: { 200: { description: 'Suppressed', body: optOutRecorded } },
    problems: [],
  },
  {
    operationId: 'getOptOut',
    method: 'GET',
    path: '/v1/opt-outs/{phone}',
    summary: 'Read whether a number is suppressed, and for which scopes',
    scopes: ['subscribers.read', 'optouts.write'],
    fn: 'optouts',
    responses: {
      200: { description: 'The suppression state; an unknown number is not suppressed', body: optOutStatus },
    },
    problems: [],
  },
  {
    operationId: 'createDsr',
    method: 'POST',
    path: '/v1/dsr',
    summary:
      'Open a data-subject request (access, portability, erasure, rectification, restriction, objection)',
    scopes: ['dsr.manage'],
    fn: 'dsr',
    body: createDsrRequest,
    responses: {
      202: {
        description: 'Received, with the deadline of the cell regime; the work runs asynchronously',
        body: dsrAccepted,
      },
    },
    problems: [],
    links: {
      GetDsr: { operationId: 'getDsr', description: 'Follow the request', parameters: FROM_DSR },
      ExtendDsr: { operationId: 'extendDsr', description: 'Extend the deadline once', parameters: FROM_DSR },
    },
  },
  {
    operationId: 'listDsrs',
    method: 'GET',
    path: '/v1/dsr',
    summary: "The tenant's data-subject requests by deadline, soonest first, optionally of one status",
    scopes: DSR_READ,
    fn: 'dsr',
    query: dsrListQuery,
    responses: { 200: { description: 'One page of requests', body: dsrPage } },
    problems: [],
  },
  {
    operationId: 'getDsr',
    method: 'GET',
    path: '/v1/dsr/{id}',
    summary: 'Follow a data-subject request; a completed export comes with a fresh download URL',
    scopes: DSR_READ,
    fn: 'dsr',
    responses: { 200: { description: 'The request', body: dsrStatusView } },
    problems: ['not-found'],
  },
  {
    operationId: 'extendDsr',
    method: 'POST',
    path: '/v1/dsr/{id}/extend',
    summary: 'Extend the deadline once, with the reason the data subject is told',
    scopes: ['dsr.manage'],
    fn: 'dsr',
    body: extendDsrRequest,
    responses: { 200: { description: 'Extended', body: dsrExtended } },
    problems: ['not-found', 'conflict'],
  },
  {
    operationId: 'createCampaign',
    method: 'POST',
    path: '/v1/campaigns',
    summary:
      "Send one message to every consenting subscriber of a topic, at the provider's rate, with every check at dispatch",
    scopes: ['messages.send'],
    fn: 'campaigns',
    body: createCampaignRequest,
    headers: ['Idempotency-Key'],
    responses: {
      202: {
        description: 'Stored, and scheduled or dispatching; a retry with the same key answers the same',
        body: campaignAccepted,
      },
    },
    problems: ['conflict', 'content-rejected', 'timestamp-out-of-range'],
    links: {
      GetCampaign: { operationId: 'getCampaign', description: 'Watch the counts', parameters: FROM_CAMPAIGN },
      CancelCampaign: {
        operationId: 'cancelCampaign',
        description: 'Stop further dispatch',
        parameters: FROM_CAMPAIGN,
      },
    },
  },
  {
    operationId: 'getCampaign',
    method: 'GET',
    path: '/v1/campaigns/{id}',
    summary: 'Follow a campaign: its status and live counts',
    scopes: MESSAGES_READ,
    fn: 'campaigns',
    responses: { 200: { description: 'The campaign', body: campaignView } },
    problems: ['not-found'],
  },
  {
    operationId: 'cancelCampaign',
    method: 'POST',
    path: '/v1/campaigns/{id}/cancel',
    summary: 'Cancel a campaign: no recipient is dispatched after this; a repeat answers the same',
    scopes: ['messages.send'],
    fn: 'campaigns',
    responses: { 200: { description: 'Cancelled', body: campaignCancelled } },
    problems: ['not-found', 'conflict'],
  },
  {
    operationId: 'getDailyStats',
    method: 'GET',
    path: '/v1/stats/daily',
    summary:
      'Anonymised counts per day (sends, deliveries, failures, inbound, opt-outs, opt-ins, DSRs) for a range of days',
    scopes: ['stats.read'],
    fn: 'stats',
    query: dailyStatsQuery,
    responses: { 200: { description: 'The counts of every day of the range', body: dailyStatsView } },
    // Listed although every route can answer it: here a schema-valid query is refused too, when `to` is before
    // `from` or the range is longer than 366 days, a rule across the two that no schema states.
    problems: ['invalid-input'],
  },
  {
    operationId: 'getMe',
    method: 'GET',
    path: '/v1/me',
    summary: 'Who is calling: the tenant, the role of a member of staff, and the scopes of the credentials',
    // Any valid tenant token: a route of API Gateway's Cognito authorizer with scopes takes access tokens only.
    scopes: TENANT_SCOPES,
    fn: 'subscribers',
    responses: { 200: { description: 'The caller', body: callerView } },
    problems: [],
  },
  {
    operationId: 'recordIncident',
    method: 'POST',
    path: '/v1/incidents',
    summary:
      'Operator only: record a personal data breach; every affected tenant of the cell is notified within 72 ' +
      'hours of detection (GDPR Art. 33(2)); requires an Idempotency-Key header',
    scopes: ['incidents.manage'],
    audience: 'operator',
    fn: 'incidents',
    body: recordIncidentRequest,
    headers: ['Idempotency-Key'],
    responses: {
      201: {
        description:
          'Recorded, with one notification per affected tenant; a retry with the same key answers the same',
        body: incidentRecorded,
      },
    },
    // `invalid-input` is listed although every route can answer it: here a schema-valid body is refused too, when
    // window.to is before window.from or the window is longer than 366 days, a rule across fields.
    problems: ['invalid-input', 'conflict', 'timestamp-out-of-range'],
    links: {
      GetIncident: {
        operationId: 'getIncident',
        description: 'Follow each tenant’s delivery and acknowledgement',
        parameters: FROM_INCIDENT,
      },
      GetIncidentNotification: {
        operationId: 'getIncidentNotification',
        description: 'An affected tenant reads its notification, with its own token',
        parameters: FROM_INCIDENT,
      },
    },
  },
  {
    operationId: 'getIncident',
    method: 'GET',
    path: '/v1/incidents/{id}',
    summary: 'Operator only: an incident, with each affected tenant’s notifiedAt and acknowledgedAt',
    scopes: ['incidents.manage'],
    audience: 'operator',
    fn: 'incidents',
    responses: { 200: { description: 'The incident', body: incidentView } },
    problems: ['not-found'],
  },
  {
    operationId: 'listIncidentNotifications',
    method: 'GET',
    path: '/v1/incident-notifications',
    summary:
      'The breach notifications the operator sent this tenant (GDPR Art. 33(3) contents), newest incident first',
    // The privacy staff who handle data-subject requests are the controller's privacy contact.
    scopes: DSR_READ,
    fn: 'incidents',
    responses: { 200: { description: 'The tenant’s notifications', body: incidentNotificationList } },
    problems: [],
    links: {
      GetIncidentNotification: {
        operationId: 'getIncidentNotification',
        description: 'Read the newest notification',
        parameters: { id: '$response.body#/notifications/0/incidentId' },
      },
      AcknowledgeIncidentNotification: {
        operationId: 'acknowledgeIncidentNotification',
        description: 'Acknowledge the newest notification',
        parameters: { id: '$response.body#/notifications/0/incidentId' },
      },
    },
  },
  {
    operationId: 'getIncidentNotification',
    method: 'GET',
    path: '/v1/incident-notifications/{id}',
    summary: 'One breach notification of this tenant, by incident id',
    scopes: DSR_READ,
    fn: 'incidents',
    responses: { 200: { description: 'The notification', body: incidentNotificationView } },
    problems: ['not-found'],
    links: {
      AcknowledgeIncidentNotification: {
        operationId: 'acknowledgeIncidentNotification',
        description: 'Acknowledge it',
        parameters: { id: '$response.body#/incidentId' },
      },
    },
  },
  {
    operationId: 'acknowledgeIncidentNotification',
    method: 'POST',
    path: '/v1/incident-notifications/{id}/acknowledge',
    summary: 'Acknowledge a breach notification; a repeat answers the first acknowledgement',
    scopes: ['dsr.manage'],
    fn: 'incidents',
    responses: { 200: { description: 'Acknowledged', body: incidentAcknowledged } },
    problems: ['not-found'],
  },
];

/**
 * Problems any route can return: bad input, missing or insufficient credentials, oversized bodies, and a 503
 * with `Retry-After` when DynamoDB or KMS throttles or fails through the SDK's retries.
 */
export const COMMON_PROBLEMS: readonly ProblemSlug[] = [
  'invalid-input',
  'unauthorized',
  'forbidden',
  'payload-too-large',
  'unsupported-media-type',
  'service-unavailable',
];
