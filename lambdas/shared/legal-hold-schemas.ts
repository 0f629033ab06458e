/**
 * The request body of `PUT /v1/subscribers/{phone}/legal-hold` (DESIGN §5). Like `schemas.ts`, the schema
 * validates requests in the handler, becomes the API Gateway request model and is part of the OpenAPI document.
 */
import { isoDateTime, reasonText } from './schemas';
import * as z from './zod';

export const legalHoldRequest = z
  .strictObject({
    reason: reasonText(
      'Why the data must be kept, such as a case reference; stored with the profile, never logged or audited',
    ),
  })
  .check(z.meta({ examples: [{ reason: 'Litigation hold, case 2026-117' }] }));

export type LegalHoldRequest = z.infer<typeof legalHoldRequest>;

/** The body of a 200 to `PUT …/legal-hold`: the hold as it now stands. */
export const legalHoldView = z
  .object({
    subscriberId: z.string().check(z.describe('Pseudonymous subject id')),
    legalHold: z.object({
      reason: z.string(),
      heldBy: z.string().check(z.describe('The API client that placed the hold')),
      since: isoDateTime,
    }),
    expiresAt: z
      .null()
      .check(z.describe('Always null: a held profile has no expiry and is skipped by every purge')),
  })
  .check(
    z.meta({
      examples: [
        {
          subscriberId: 'G3OjzYav7YrsjWWJ0CvrE64oG55hIs9WEUnGUzaPA5w',
          legalHold: {
            reason: 'Litigation hold, case 2026-117',
            heldBy: 'demo-app',
            since: '2026-11-30T10:07:00Z',
          },
          expiresAt: null,
        },
      ],
    }),
  );

export type LegalHoldView = z.infer<typeof legalHoldView>;
