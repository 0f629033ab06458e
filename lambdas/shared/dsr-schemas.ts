/**
 * The request and response bodies of the data-subject request routes (DESIGN §4 DSR, §5 `/v1/dsr`). Like
 * `schemas.ts`, these zod schemas validate requests in the handlers, become the API Gateway request models and
 * make up the OpenAPI document: one definition each.
 *
 * `changes` only with `rectification` is a zod refinement here and an `if`/`then`/`else` in the document.
 */
import { RETENTION, type RetentionCategoryId } from '../domain/retention';
import { isoDateTime, nonBlankText, patchSubscriberRequest, phoneInBody, reasonText } from './schemas';
import * as z from './zod';

/** What a data subject may ask for: GDPR Art. 15-18 and 20-21; CCPA §1798.100-§1798.125. */
export const DSR_TYPES = [
  'access',
  'portability',
  'erasure',
  'rectification',
  'restriction',
  'objection',
] as const;
export type DsrType = (typeof DSR_TYPES)[number];

/** `received` and `in_progress` are open; `completed` and `rejected` are closed for good. */
export const DSR_STATUSES = ['received', 'in_progress', 'completed', 'rejected'] as const;
export type DsrStatus = (typeof DSR_STATUSES)[number];

/** How the tenant verified the requester's identity (GDPR Art. 12(6); CCPA regulations §7060). */
export const VERIFICATION_METHODS = ['sms_otp', 'email', 'account_login', 'document', 'other'] as const;
export type VerificationMethod = (typeof VERIFICATION_METHODS)[number];

const RETENTION_CATEGORY_IDS = Object.keys(RETENTION) as [RetentionCategoryId, ...RetentionCategoryId[]];

/**
 * The corrections a rectification applies to the profile: exactly what PATCH /v1/subscribers/{phone} accepts.
 * The phone number cannot be rectified: it is what identifies the subject, so a new number is a new
 * subscription.
 */
export const rectificationChanges = patchSubscriberRequest.check(
  z.describe('Corrections to the profile; required when type is rectification and refused otherwise'),
);

export const dsrVerification = z
  .strictObject({
    method: z.enum(VERIFICATION_METHODS).check(z.describe('How the requester proved to be the data subject')),
    reference: nonBlankText(
      200,
      'Where the tenant keeps the proof, such as a ticket or OTP id; never a copy of an identity document',
    ),
  })
  .check(z.describe('Evidence that the tenant verified the identity of the requester'));

/** `POST /v1/dsr`. */
export const createDsrRequest = z
  .strictObject({
    type: z.enum(DSR_TYPES).check(z.describe('The right exercised')),
    phone: phoneInBody,
    verification: dsrVerification,
    changes: z.optional(rectificationChanges),
  })
  .check(
    z.superRefine((body, ctx) => {
      if (body.type === 'rectification' && body.changes === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['changes'],
          message: 'is required when type is rectification',
        });
      }
      if (body.type !== 'rectification' && body.changes !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['changes'],
          message: 'is allowed only when type is rectification',
        });
      }
    }),
    z.meta({
      if: { properties: { type: { const: 'rectification' } }, required: ['type'] },
      then: { required: ['changes'] },
      else: { not: { required: ['changes'] } },
      examples: [
        {
          type: 'access',
          phone: '+447400123456',
          verification: { method: 'sms_otp', reference: 'otp-7f3a9c' },
        },
        {
          type: 'rectification',
          phone: '+447400123456',
          verification: { method: 'account_login', reference: 'ticket-4411' },
          changes: { timeZone: 'Europe/London' },
        },
      ],
    }),
  );

/** `POST /v1/dsr/{id}/extend`. */
export const extendDsrRequest = z
  .strictObject({
    reason: reasonText('Why more time is needed; it is told to the data subject (GDPR Art. 12(3))'),
  })
  .check(
    z.meta({
      examples: [{ reason: 'The request covers five years of message history across two regions.' }],
    }),
  );

const REQUEST_ID_EXAMPLE = '5f549cda-0933-4893-be65-18c927b09952';

/** 202 of `POST /v1/dsr`. */
export const dsrAccepted = z
  .strictObject({
    requestId: z.string().check(z.describe('Id of the request, for GET /v1/dsr/{id}')),
    status: z.enum(DSR_STATUSES),
    dueAt: isoDateTime.check(z.describe('Deadline set by the regime: GDPR one calendar month, CCPA 45 days')),
  })
  .check(
    z.meta({
      examples: [{ requestId: REQUEST_ID_EXAMPLE, status: 'received', dueAt: '2026-12-30T10:00:00.000Z' }],
    }),
  );

export const retainedCategory = z.strictObject({
  category: z.enum(RETENTION_CATEGORY_IDS).check(z.describe('Retention category id (docs/retention.md)')),
  reason: z.string().check(z.describe('Why this data is kept despite the request, with its legal basis')),
});

/** 200 of `GET /v1/dsr/{id}`. */
export const dsrStatusView = z
  .strictObject({
    status: z.enum(DSR_STATUSES),
    dueAt: isoDateTime.check(z.describe('The original deadline')),
    extendedUntil: z.optional(isoDateTime).check(z.describe('The extended deadline, present once extended')),
    completedAt: z.optional(isoDateTime).check(z.describe('When the request was completed or rejected')),
    result: z
      .optional(
        z.strictObject({
          downloadUrl: z
            .optional(z.url())
            .check(
              z.describe('Access and portability: a presigned URL of the export, issued afresh on each GET'),
            ),
          expiresAt: z
            .optional(isoDateTime)
            .check(
              z.describe('When downloadUrl stops working (15 minutes at most); GET again for a new one'),
            ),
          retained: z
            .array(retainedCategory)
            .check(z.describe('Erasure: what was kept and why; empty for other types')),
        }),
      )
      .check(z.describe('Present once completed')),
  })
  .check(
    z.meta({
      examples: [
        {
          status: 'completed',
          dueAt: '2026-12-30T10:00:00.000Z',
          completedAt: '2026-11-30T10:01:12.000Z',
          result: {
            downloadUrl: 'https://exports.example.com/tenant/5f549cda.json?X-Amz-Expires=900',
            expiresAt: '2026-11-30T10:16:12.000Z',
            retained: [],
          },
        },
      ],
    }),
  );

/** 200 of `POST /v1/dsr/{id}/extend`. */
export const dsrExtended = z
  .strictObject({
    extendedUntil: isoDateTime.check(z.describe('The new deadline; a request is extended at most once')),
  })
  .check(z.meta({ examples: [{ extendedUntil: '2027-02-28T10:00:00.000Z' }] }));

export type RectificationChanges = z.infer<typeof rectificationChanges>;
export type DsrVerification = z.infer<typeof dsrVerification>;
export type CreateDsrRequest = z.infer<typeof createDsrRequest>;
export type ExtendDsrRequest = z.infer<typeof extendDsrRequest>;
export type DsrAccepted = z.infer<typeof dsrAccepted>;
export type DsrStatusView = z.infer<typeof dsrStatusView>;
export type DsrExtended = z.infer<typeof dsrExtended>;
