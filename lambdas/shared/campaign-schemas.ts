/**
 * The request and response bodies of the campaign routes (DESIGN §10). Like `schemas.ts`, these zod schemas
 * validate requests in the handlers, become the API Gateway request models and make up the OpenAPI document.
 */
import { API_SEND_CATEGORIES, isoDateTime, nonBlankText, topic } from './schemas';
import * as z from './zod';

export const CAMPAIGN_STATUSES = ['scheduled', 'dispatching', 'completed', 'cancelled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** Why a recipient was not sent the campaign; each is a check of DESIGN §4 run at dispatch. */
export const SKIP_REASONS = ['optedOut', 'noConsent', 'restricted', 'frequencyCap'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

const CAMPAIGN_ID_EXAMPLE = '3f0c2a7e-8d41-4b6a-9c55-0e2b7d1a4f90';

/** `POST /v1/campaigns`. */
export const createCampaignRequest = z
  .strictObject({
    name: z.optional(nonBlankText(100, 'A name for the tenant’s own reference; never sent')),
    topic: z
      .optional(topic)
      .check(
        z.describe('The audience: active subscribers who chose this topic. Without it, every active one'),
      ),
    body: z
      .string()
      .check(z.describe('Message text; checked by the content policy at creation (422 content-rejected)')),
    category: z
      .optional(z.enum(API_SEND_CATEGORIES))
      .check(z.describe('`marketing` (the default) is subject to quiet hours and the frequency cap')),
    sendAt: z
      .optional(isoDateTime)
      .check(
        z.describe(
          'When dispatch starts; now when absent or past. At most 365 days ahead: otherwise 422 ' +
            'timestamp-out-of-range',
        ),
      ),
  })
  .check(
    z.meta({
      examples: [
        {
          name: 'December offers',
          topic: 'offers',
          body: 'Demo Shop: 20% off everything this weekend. Reply STOP to opt out.',
          sendAt: '2026-12-05T09:00:00Z',
        },
      ],
    }),
  );

/** 202 of `POST /v1/campaigns`. */
export const campaignAccepted = z
  .strictObject({
    campaignId: z.string().check(z.describe('Id of the campaign, for GET /v1/campaigns/{id}')),
    status: z
      .enum(CAMPAIGN_STATUSES)
      .check(
        z.describe(
          '`scheduled` or `dispatching`; a retry with the same key answers the campaign as it stands',
        ),
      ),
  })
  .check(z.meta({ examples: [{ campaignId: CAMPAIGN_ID_EXAMPLE, status: 'scheduled' }] }));

const count = z.int().check(z.minimum(0));

export const campaignCounts = z.strictObject({
  targeted: count.check(z.describe('Recipients read from the audience so far')),
  sent: count,
  failed: count.check(z.describe('Refused by the provider')),
  deferred: count.check(z.describe('Waiting for the end of their quiet hours; still pending')),
  skipped: z.strictObject({
    optedOut: count,
    noConsent: count,
    restricted: count,
    frequencyCap: count,
  }),
});

/** 200 of `GET /v1/campaigns/{id}`: `targeted` = `sent` + `failed` + every `skipped` + those still pending. */
export const campaignView = z
  .strictObject({
    campaignId: z.string(),
    name: z.optional(z.string()),
    topic: z.optional(z.string()),
    category: z.enum(API_SEND_CATEGORIES),
    status: z.enum(CAMPAIGN_STATUSES),
    sendAt: isoDateTime,
    createdAt: isoDateTime,
    completedAt: z.optional(isoDateTime).check(z.describe('When the last recipient was handled')),
    cancelledAt: z.optional(isoDateTime),
    counts: campaignCounts,
  })
  .check(
    z.meta({
      examples: [
        {
          campaignId: CAMPAIGN_ID_EXAMPLE,
          name: 'December offers',
          topic: 'offers',
          category: 'marketing',
          status: 'dispatching',
          sendAt: '2026-12-05T09:00:00.000Z',
          createdAt: '2026-12-01T16:20:00.000Z',
          counts: {
            targeted: 200,
            sent: 151,
            failed: 1,
            deferred: 12,
            skipped: { optedOut: 9, noConsent: 3, restricted: 1, frequencyCap: 4 },
          },
        },
      ],
    }),
  );

/** 200 of `POST /v1/campaigns/{id}/cancel`. */
export const campaignCancelled = z
  .strictObject({ status: z.literal('cancelled') })
  .check(z.meta({ examples: [{ status: 'cancelled' }] }));

export type CreateCampaignRequest = z.infer<typeof createCampaignRequest>;
export type CampaignAccepted = z.infer<typeof campaignAccepted>;
export type CampaignCounts = z.infer<typeof campaignCounts>;
export type CampaignView = z.infer<typeof campaignView>;
