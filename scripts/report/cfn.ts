/**
 * Typed access to the untyped values of a CloudFormation template. Each reader returns `undefined` for a
 * missing or differently-typed value, so collectors can report "not set" instead of throwing.
 */

export type JsonObject = Readonly<Record<string, unknown>>;

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The value at a path of object keys: `field(props, 'TimeToLiveSpecification', 'AttributeName')`. */
export function field(value: unknown, ...keys: readonly string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

export const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/** Booleans, including the `"true"`/`"false"` strings CloudFormation also accepts. */
export function bool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  return undefined;
}

/** A list, or a single value as a list of one (IAM `Action` and `Resource` take both). */
export function list(value: unknown): readonly unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Stable string order, independent of the machine's locale. */
export const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export const sortedBy =
  <T>(key: (item: T) => string) =>
  (a: T, b: T): number =>
    byText(key(a), key(b));
