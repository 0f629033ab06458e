/**
 * Ids for append-only ledger entries. Ledger sort keys are `<isoTime>#<eventId>`, so two events of one subject
 * in the same millisecond are ordered by their ids: these ids grow in the order they are made within an
 * execution environment (a millisecond timestamp, then a counter), followed by random bits for uniqueness.
 */
import { randomBytes } from 'node:crypto';

let lastMs = 0;
let counter = 0;

export function newEventId(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else {
    counter += 1;
  }
  const time = lastMs.toString(16).padStart(12, '0');
  const sequence = counter.toString(16).padStart(6, '0');
  return `${time}-${sequence}-${randomBytes(8).toString('hex')}`;
}
