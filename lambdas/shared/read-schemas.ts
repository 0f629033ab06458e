/**
 * The query parameters and response bodies of the read routes the privacy console uses (DESIGN §11): a
 * subscriber's consent timeline and messages, the tenant's DSR queue, and who is calling. Like `schemas.ts`,
 * one zod definition each validates the request and makes up the OpenAPI document.
 *
 * Lists that grow without bound are paginated with an opaque `cursor`: the `nextCursor` of the previous page,
 * absent on the last one. A cursor is checked against the list it is used with (`invalid-input` otherwise).
 */
import { ROLES } from '../api/roles';
import { CHANNELS, MESSAGE_CATEGORIES } from '../domain/sms';
import { DSR_STATUSES, DSR_TYPES } from './dsr-schemas';
import { CONSENT_SOURCES, isoDateTime, MESSAGE_STATUSES } from './schemas';
import * as z from './zod';

/** The most items one page holds, and how many a page holds when the client does not say. */
export const MAX_PAGE_LIMIT = 100;
export const DEFAULT_PAGE_LIMIT = 25;

/** A nextCursor as the server writes them (this one continues a subscriber's messages). */
const CURSOR_EXAMPLE =
  'eyJ0IjoiZGVtbyIsInMiOiJYYjN2OWtxMkxtTjhwUTFyUzR0VTd3WTB6QTVjRTZmRzhoSjJrTTRuUDdRIiwiayI6IjIwMjYtMTEtMzBUMTA6MDI6MTEuMDAwWiNiNDg0MDhkNy1kNTRiLTQzMzgtODA2My1kYjI5NmI3ODY5YmUifQ';

/** Base64url: what `nextCursor` is made of. The server checks the rest. */
export const pageCursor = z.string().check(
  z.minLength(1),
  z.maxLength(1024),
  z.regex(/^[A-Za-z0-9_-]+$/, 'must be the nextCursor of an earlier page'),
  z.meta({
    description: 'The nextCursor of the previous page of the same list; another value is refused with 400',
    examples: [CURSOR_EXAMPLE],
  }),
);

export const pageLimit = z.coerce.number().check(
  z.int(),
  z.minimum(1),
  z.maximum(MAX_PAGE_LIMIT),
  z.meta({
    description: `Items per page, 1 to ${MAX_PAGE_LIMIT}; ${DEFAULT_PAGE_LIMIT} when absent`,
    examples: [DEFAULT_PAGE_LIMIT],
  }),
);

const nextCursor = z
  .optional(z.string())
  .check(z.describe('Pass as `cursor` for the next page; absent on the last page'));

/** Query of `GET /v1/subscribers/{phone}/messages`. */
export const pageQuery = z.strictObject({ cursor: z.optional(pageCursor), limit: z.optional(pageLimit) });
export type PageQuery = z.infer<typeof pageQuery>;

/** Query of `GET /v1/dsr`. */
export const dsrListQuery = z.strictObject({
  status: z.optional(z.enum(DSR_STATUSES)).check(
    z.meta({
      description: 'Only requests with this status; every status when absent',
      examples: ['received'],
    }),
  ),
  cursor: z.optional(pageCursor),
  limit: z.optional(pageLimit),
});
export type DsrListQuery = z.infer<typeof dsrListQuery>;

export const CONSENT_EVENT_TYPES = ['opt_in', 'opt_in_confirmed', 'opt_out', 're_opt_in'] as const;

/** One event of the consent ledger, as the DSR export shows it. */
export const consentEventView = z.strictObject({
  eventId: z.string(),
  type: z.enum(CONSENT_EVENT_TYPES),
  at: isoDateTime.check(z.describe('When the consent was given or withdrawn')),
  channel: z.literal('sms'),
  source: z.enum(CONSENT_SOURCES).check(z.describe('How optline learned of it')),
  scope: z.string().check(z.describe('`all` or a topic')),
  evidence: z
    .strictObject({
      noticeVersion: z.optional(z.string()),
      ip: z.optional(z.string()),
      userAgent: z.optional(z.string()),
      keyword: z.optional(z.string()),
    })
    .check(z.describe('The proof kept with the event')),
});

/** 200 of `GET /v1/subscribers/{phone}/consent-events`. */
export const consentEventList = z
  .strictObject({
    events: z
      .array(consentEventView)
      .check(z.describe('Every event of the consent ledger, newest first (kept 5 years, MessageBird 7.4)')),
  })
  .check(
    z.meta({
      examples: [
        {
          events: [
            {
              eventId: '01JDX4T1Q6V9M8C2B7N5K3H0FZ',
              type: 'opt_out',
              at: '2026-11-30T10:05:00.000Z',
              channel: 'sms',
              source: 'keyword',
              scope: 'all',
              evidence: { keyword: 'STOP' },
            },
            {
              eventId: '01JDX4Q8B2W7E5R3T1Y9U6I4OP',
              type: 'opt_in',
              at: '2026-11-30T10:00:00.000Z',
              channel: 'sms',
              source: 'web_form',
              scope: 'all',
              evidence: { noticeVersion: 'v3', ip: '203.0.113.7' },
            },
          ],
        },
      ],
    }),
  );

/**
 * One message of the subject's log. The body is shown, as the DSR export shows it: the subject's own traffic,
 * read by the tenant that sent it, within its 6-month retention.
 */
export const subscriberMessageView = z.strictObject({
  messageId: z.string(),
  direction: z.enum(['outbound', 'inbound']),
  category: z.enum(MESSAGE_CATEGORIES),
  status: z.enum([...MESSAGE_STATUSES, 'received']).check(z.describe('`received` for an inbound message')),
  channel: z.enum(CHANNELS),
  body: z.string(),
  segments: z.int().check(z.nonnegative()),
  topic: z.optional(z.string()),
  campaignId: z.optional(z.string().check(z.describe('The campaign the message was sent for'))),
  failureCode: z.optional(z.string()),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});

/** 200 of `GET /v1/subscribers/{phone}/messages`. */
export const subscriberMessagePage = z
  .strictObject({
    messages: z.array(subscriberMessageView).check(z.describe('Newest first')),
    nextCursor,
  })
  .check(
    z.meta({
      examples: [
        {
          messages: [
            {
              messageId: 'b48408d7-d54b-4338-8063-db296b7869be',
              direction: 'outbound',
              category: 'marketing',
              status: 'delivered',
              channel: 'end-user-messaging',
              body: 'Winter sale: 20% off until Sunday. Reply STOP to opt out.',
              segments: 1,
              topic: 'offers',
              campaignId: '3f0c2a7e-8d41-4b6a-9c55-0e2b7d1a4f90',
              createdAt: '2026-11-30T10:02:11.000Z',
              updatedAt: '2026-11-30T10:02:14.000Z',
            },
          ],
          nextCursor: CURSOR_EXAMPLE,
        },
      ],
    }),
  );

/** One request of the tenant's DSR queue. */
export const dsrListItem = z.strictObject({
  requestId: z.string(),
  type: z.enum(DSR_TYPES),
  status: z.enum(DSR_STATUSES),
  receivedAt: isoDateTime,
  dueAt: isoDateTime.check(z.describe('The original deadline; the list is ordered by it, soonest first')),
  extendedUntil: z.optional(isoDateTime).check(z.describe('The extended deadline, present once extended')),
  completedAt: z.optional(isoDateTime),
  deadline: z
    .enum(['on_time', 'due_soon', 'overdue'])
    .check(
      z.describe(
        'An open request against its effective deadline: due_soon within 5 days, overdue past it; a closed one is on_time',
      ),
    ),
});

/** 200 of `GET /v1/dsr`. */
export const dsrPage = z
  .strictObject({
    requests: z.array(dsrListItem).check(z.describe('Ordered by dueAt, soonest first')),
    nextCursor,
  })
  .check(
    z.meta({
      examples: [
        {
          requests: [
            {
              requestId: '5f549cda-0933-4893-be65-18c927b09952',
              type: 'erasure',
              status: 'received',
              receivedAt: '2026-11-30T10:00:00.000Z',
              dueAt: '2026-12-30T10:00:00.000Z',
              deadline: 'on_time',
            },
          ],
        },
      ],
    }),
  );

/** 200 of `GET /v1/me`. */
export const callerView = z
  .strictObject({
    tenantId: z.string(),
    role: z
      .optional(z.enum(ROLES))
      .check(z.describe('The role of a signed-in member of staff; absent for an application')),
    scopes: z
      .array(z.string())
      .check(z.describe('What the credentials allow; each route names the scopes it accepts')),
  })
  .check(
    z.meta({
      examples: [
        {
          tenantId: 'demo',
          role: 'viewer',
          scopes: ['subscribers.read', 'dsr.read', 'messages.read', 'stats.read'],
        },
      ],
    }),
  );

export type ConsentEventView = z.infer<typeof consentEventView>;
export type ConsentEventList = z.infer<typeof consentEventList>;
export type SubscriberMessageView = z.infer<typeof subscriberMessageView>;
export type SubscriberMessagePage = z.infer<typeof subscriberMessagePage>;
export type DsrListItem = z.infer<typeof dsrListItem>;
export type DsrPage = z.infer<typeof dsrPage>;
export type CallerView = z.infer<typeof callerView>;
