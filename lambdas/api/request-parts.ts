/** Parts of a request that several route groups read the same way: the Idempotency-Key header, and UUID ids. */
import { InvalidInputError, NotFoundError } from '../shared/problem';
import { IDEMPOTENCY_KEY_HEADER, idempotencyKey } from '../shared/schemas';

/** The `Idempotency-Key` header, checked against its schema; a missing header is checked as an empty one. */
export function idempotencyKeyOf(headers: Readonly<Record<string, string>>): string {
  const parsed = idempotencyKey.safeParse(headers[IDEMPOTENCY_KEY_HEADER] ?? '');
  if (!parsed.success) {
    throw new InvalidInputError([{ field: 'Idempotency-Key', message: parsed.error.issues[0]!.message }]);
  }
  return parsed.data;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The `id` path parameter: a UUID, since anything else cannot name a resource, and is answered like an unknown id. */
export function uuidIdOf(pathParameters: Readonly<Record<string, string>>, notFoundDetail: string): string {
  const id = pathParameters.id ?? '';
  if (!UUID.test(id)) throw new NotFoundError({ detail: notFoundDetail });
  return id;
}
