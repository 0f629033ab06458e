/** Expression pieces every DynamoDB store shares. */

/** DynamoDB TTL compares epoch seconds. */
export const nowSeconds = (now: Date): number => Math.floor(now.getTime() / 1000);

/** A live item: present and not past its TTL (held items have no TTL). Needs `:now` in epoch seconds. */
export const LIVE = 'attribute_exists(pk) AND (attribute_not_exists(expiresAt) OR expiresAt > :now)';

/** `SET #f0 = :v0, …` for the given fields, with their names and values. */
export function setFields(fields: ReadonlyArray<readonly [string, unknown]>): {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
} {
  return {
    UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
    ExpressionAttributeNames: Object.fromEntries(fields.map(([name], i) => [`#f${i}`, name])),
    ExpressionAttributeValues: Object.fromEntries(fields.map(([, value], i) => [`:v${i}`, value])),
  };
}
