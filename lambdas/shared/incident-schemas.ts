/**
 * The request and response bodies of the incident routes (DESIGN §12, 72-hour breach notification): the
 * operator's `POST /v1/incidents` and `GET /v1/incidents/{id}`, and a tenant's notifications. Like `schemas.ts`,
 * these zod schemas validate requests, become the API Gateway request models and make up the OpenAPI document.
 */
import { RETENTION_CATEGORIES, type RetentionCategoryId } from '../domain/retention';
import { isoDateTime, nonBlankText } from './schemas';
import * as z from './zod';

const CATEGORY_IDS = RETENTION_CATEGORIES.map((c) => c.id) as [RetentionCategoryId, ...RetentionCategoryId[]];

const INCIDENT_ID_EXAMPLE = '9b2e4f1a-6c3d-4e8f-a1b2-3c4d5e6f7a8b';

/** `POST /v1/incidents`. Cross-field rules (window order, detection not in the future) are the domain's, 400/422. */
export const recordIncidentRequest = z
  .strictObject({
    detectedAt: isoDateTime.check(
      z.describe(
        'When the operator first became aware of the breach; notifyBy is 72 hours later (GDPR Art. 33(2), MASS ' +
          'policy). Not in the future, nor longer ago than incident records are kept (5 years): otherwise 422 ' +
          'timestamp-out-of-range',
      ),
    ),
    summary: nonBlankText(2000, 'The nature of the breach, in words the controllers are told'),
    window: z
      .strictObject({
        from: isoDateTime.check(z.describe('Start of the period whose data may be affected')),
        to: isoDateTime.check(z.describe('End of that period; not before from, at most 366 days after it')),
      })
      .check(z.describe('The period of processing the breach may have exposed')),
    categories: z
      .array(z.enum(CATEGORY_IDS))
      .check(
        z.minLength(1),
        z.maxLength(CATEGORY_IDS.length),
        z.describe(
          'The retention categories of the data concerned (GET the retention schedule for their meaning)',
        ),
      ),
    measures: nonBlankText(2000, 'Measures taken or proposed to address the breach and mitigate its effects'),
    contact: nonBlankText(500, 'The contact point where controllers obtain more information (Art. 33(3)(b))'),
  })
  .check(
    z.meta({
      examples: [
        {
          detectedAt: '2026-12-01T08:30:00Z',
          summary:
            'A misconfigured export job copied message logs and subscriber profiles to a bucket readable by ' +
            'a partner account.',
          window: { from: '2026-11-28T00:00:00Z', to: '2026-12-01T08:00:00Z' },
          categories: ['messageTraffic', 'subscriberProfile'],
          measures: 'Access revoked at 09:10 UTC; the copy deleted; the export job disabled pending review.',
          contact: 'privacy@operator.example',
        },
      ],
    }),
  );
export type RecordIncidentRequest = z.infer<typeof recordIncidentRequest>;

/** 201 of `POST /v1/incidents`. */
export const incidentRecorded = z
  .strictObject({
    incidentId: z.string().check(z.describe('Id of the incident, for GET /v1/incidents/{id}')),
    notifyBy: isoDateTime.check(
      z.describe('detectedAt + 72 hours: every affected tenant is notified by then'),
    ),
    affectedTenants: z.number().check(z.describe('How many tenants of the cell get a notification')),
  })
  .check(
    z.meta({
      examples: [
        { incidentId: INCIDENT_ID_EXAMPLE, notifyBy: '2026-12-04T08:30:00.000Z', affectedTenants: 2 },
      ],
    }),
  );
export type IncidentRecorded = z.infer<typeof incidentRecorded>;

/** One category's approximate numbers in a notification, with how they were derived. */
const categoryEstimate = z.strictObject({
  category: z.enum(CATEGORY_IDS),
  title: z.string(),
  approximateRecords: z
    .nullable(z.number())
    .check(z.describe('Approximate number of records; null where no bounded source counts them')),
  approximateSubjects: z
    .nullable(z.number())
    .check(
      z.describe(
        'At most this many data subjects (each record counted as a distinct subject); null as above',
      ),
    ),
  derivation: z.string().check(z.describe('How the numbers were derived, and why they are approximate')),
  likelyConsequences: z.string(),
});

const NOTIFICATION_EXAMPLE = {
  incidentId: INCIDENT_ID_EXAMPLE,
  detectedAt: '2026-12-01T08:30:00.000Z',
  notifyBy: '2026-12-04T08:30:00.000Z',
  window: { from: '2026-11-28T00:00:00.000Z', to: '2026-12-01T08:00:00.000Z' },
  nature: 'A misconfigured export job copied message logs to a bucket readable by a partner account.',
  categories: [
    {
      category: 'messageTraffic',
      title: 'Message traffic and content (outbound and inbound)',
      approximateRecords: 1200,
      approximateSubjects: 1200,
      derivation:
        'Messages sent, failed and received on the UTC days of the window, from the daily aggregates',
      likelyConsequences: 'Phone numbers and message texts may be known to others: unsolicited contact.',
    },
  ],
  approximateRecords: 1200,
  approximateSubjects: 1200,
  contact: 'privacy@operator.example',
  likelyConsequences: 'Phone numbers and message texts may be known to others: unsolicited contact.',
  measures: 'Access revoked at 09:10 UTC; the copy deleted; the export job disabled pending review.',
  createdAt: '2026-12-01T09:30:00.000Z',
  notifiedAt: '2026-12-01T09:30:02.000Z',
};

/** A tenant's notification: the contents GDPR Art. 33(3) requires, and its delivery and acknowledgement. */
export const incidentNotificationView = z
  .strictObject({
    incidentId: z.string(),
    detectedAt: isoDateTime,
    notifyBy: isoDateTime,
    window: z.strictObject({ from: isoDateTime, to: isoDateTime }),
    nature: z.string().check(z.describe('The nature of the breach (Art. 33(3)(a))')),
    categories: z
      .array(categoryEstimate)
      .check(z.describe('Categories and approximate numbers (Art. 33(3)(a))')),
    approximateRecords: z.number().check(z.describe('Sum over the counted categories; approximate')),
    approximateSubjects: z.number().check(z.describe('Upper bound over the counted categories; approximate')),
    contact: z.string().check(z.describe('Contact point (Art. 33(3)(b))')),
    likelyConsequences: z.string().check(z.describe('Likely consequences (Art. 33(3)(c))')),
    measures: z.string().check(z.describe('Measures taken or proposed (Art. 33(3)(d))')),
    createdAt: isoDateTime,
    notifiedAt: z.optional(isoDateTime).check(z.describe('When it was delivered to the tenant’s channel')),
    acknowledgedAt: z.optional(isoDateTime).check(z.describe('When the tenant acknowledged it')),
  })
  .check(z.meta({ examples: [NOTIFICATION_EXAMPLE] }));
export type IncidentNotificationView = z.infer<typeof incidentNotificationView>;

/** `GET /v1/incident-notifications`: the tenant's notifications, newest incident first. */
export const incidentNotificationList = z
  .strictObject({ notifications: z.array(incidentNotificationView) })
  .check(
    z.meta({
      examples: [{ notifications: [NOTIFICATION_EXAMPLE] }],
    }),
  );

/** 200 of `POST /v1/incident-notifications/{id}/acknowledge`. */
export const incidentAcknowledged = z
  .strictObject({ incidentId: z.string(), acknowledgedAt: isoDateTime })
  .check(
    z.meta({ examples: [{ incidentId: INCIDENT_ID_EXAMPLE, acknowledgedAt: '2026-12-01T10:02:00.000Z' }] }),
  );

/** `GET /v1/incidents/{id}`: the incident and, per affected tenant, its notification's delivery and acknowledgement. */
export const incidentView = z
  .strictObject({
    incidentId: z.string(),
    detectedAt: isoDateTime,
    notifyBy: isoDateTime,
    summary: z.string(),
    window: z.strictObject({ from: isoDateTime, to: isoDateTime }),
    categories: z.array(z.enum(CATEGORY_IDS)),
    measures: z.string(),
    contact: z.string(),
    createdAt: isoDateTime,
    tenants: z.array(
      z.strictObject({
        tenantId: z.string(),
        approximateRecords: z.number(),
        approximateSubjects: z.number(),
        notifiedAt: z.optional(isoDateTime),
        acknowledgedAt: z.optional(isoDateTime),
      }),
    ),
  })
  .check(
    z.meta({
      examples: [
        {
          incidentId: INCIDENT_ID_EXAMPLE,
          detectedAt: '2026-12-01T08:30:00.000Z',
          notifyBy: '2026-12-04T08:30:00.000Z',
          summary:
            'A misconfigured export job copied message logs to a bucket readable by a partner account.',
          window: { from: '2026-11-28T00:00:00.000Z', to: '2026-12-01T08:00:00.000Z' },
          categories: ['messageTraffic'],
          measures: 'Access revoked at 09:10 UTC; the copy deleted; the export job disabled pending review.',
          contact: 'privacy@operator.example',
          createdAt: '2026-12-01T09:30:00.000Z',
          tenants: [
            {
              tenantId: 'demo',
              approximateRecords: 1200,
              approximateSubjects: 1200,
              notifiedAt: '2026-12-01T09:30:02.000Z',
            },
          ],
        },
      ],
    }),
  );
export type IncidentView = z.infer<typeof incidentView>;
