/**
 * Opaque page cursors: base64url JSON that names the list it belongs to (the tenant, and the subject or the
 * filter) and where the previous page ended. A cursor is read back through a schema and then compared with the
 * list it is used with, so a forged cursor, or one of another tenant, subject or filter, is a 400 and never
 * positions a query outside the caller's own partition.
 */
import { InvalidInputError } from '../shared/problem';
import type * as z from '../shared/zod';

export function encodeCursor(state: unknown): string {
  return Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

const refused = (): InvalidInputError =>
  new InvalidInputError([
    { field: 'cursor', message: 'is not the nextCursor of an earlier page of this list' },
  ]);

/**
 * The state a cursor carries, if it has the schema's shape and `belongs` accepts it (it names the caller's
 * list); else 400.
 */
export function decodeCursor<S extends z.ZodMiniType>(
  cursor: string,
  schema: S,
  belongs: (state: z.infer<S>) => boolean,
): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refused();
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success || !belongs(parsed.data)) throw refused();
  return parsed.data;
}
