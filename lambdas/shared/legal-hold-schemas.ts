/**
 * The request body of `PUT /v1/subscribers/{phone}/legal-hold` (DESIGN §5). Like `schemas.ts`, the schema
 * validates requests in the handler, becomes the API Gateway request model and is part of the OpenAPI document.
 */
import { isoDateTime, reasonText } from './schemas';
import * as z from './zod';

export const legalHoldRequest = z.strictObject({
  reason: reasonText(
    'Why the data must be kept, such as a case reference; stored with the profile, never logged or audited',
  ),
});

export type LegalHoldRequest = z.infer<typeof legalHoldRequest>;

/** The body of a 200 to `PUT …/legal-hold`: the hold as it now stands. */
export const legalHoldView = z.object({
  subscriberId: z.string().check(z.describe('Pseudonymous subject id')),
  legalHold: z.object({
    reason: z.string(),
    heldBy: z.string().check(z.describe('The API client that placed the hold')),
    since: isoDateTime,
  }),
  expiresAt: z
    .null()
    .check(z.describe('Always null: a held profile has no expiry and is skipped by every purge')),
});

export type LegalHoldView = z.infer<typeof legalHoldView>;
