/**
 * Pseudonymous subject ids (DESIGN §3): `base64url(HMAC-SHA256(cellHmacKey, tenantId + ":" + e164))`.
 *
 * Tables key on the subject id, never on the phone number, and the id is recomputed from the number
 * whenever a subject must be found again. This module holds the port and the byte-exact rules shared by the
 * KMS adapter (deployed) and the node:crypto adapter (local mode and tests), so both give the same ids.
 */

/** Derives the subject id for a tenant's subscriber. Implementations must agree byte for byte. */
export interface SubjectIdDeriver {
  derive(tenantId: string, e164: string): Promise<string>;
}

/** An HMAC-SHA256 tag is 32 bytes, which is 43 base64url characters without padding. */
export const SUBJECT_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export const MAC_LENGTH_BYTES = 32;

// Strict shape only; callers normalise first. A non-normalised number would silently yield a different
// subject, and an opt-out recorded under it would not be found again.
const E164 = /^\+[1-9]\d{1,14}$/;

const encoder = new TextEncoder();

/** The UTF-8 bytes that are MACed. Throws a `TypeError` (without the number) on non-E.164 input. */
export function subjectIdMessage(tenantId: string, e164: string): Uint8Array {
  if (tenantId.length === 0) throw new TypeError('subjectIdMessage: tenantId must not be empty');
  if (!E164.test(e164)) throw new TypeError('subjectIdMessage: the phone number must be normalised E.164');
  return encoder.encode(`${tenantId}:${e164}`);
}

/** Encodes a MAC as unpadded base64url, which is safe inside DynamoDB keys such as `S#<subjectId>`. */
export function macToBase64Url(mac: Uint8Array): string {
  return Buffer.from(mac.buffer, mac.byteOffset, mac.byteLength).toString('base64url');
}
