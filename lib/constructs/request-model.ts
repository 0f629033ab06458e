import type { JsonSchema } from 'aws-cdk-lib/aws-apigateway';
import * as z from '../../lambdas/shared/zod';

type SchemaNode = Record<string, unknown>;

const isObject = (value: unknown): value is SchemaNode =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Keywords whose value is one subschema or a list of subschemas. */
const SUBSCHEMA_KEYWORDS = [
  'items',
  'additionalItems',
  'additionalProperties',
  'not',
  'anyOf',
  'allOf',
  'oneOf',
];
/** Keywords whose value maps user-chosen names (property names) to subschemas. */
const SCHEMA_MAP_KEYWORDS = ['properties', 'patternProperties', 'definitions', 'dependencies'];

/**
 * Removes `format` from a schema and every subschema. API Gateway's validator checks formats its own way
 * (RFC 3339 date-time, IP addresses), which could refuse a value the zod schema accepts; every zod string
 * format also emits the exact `pattern` zod checks, so the pattern alone keeps the two in agreement.
 */
function withoutFormats(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutFormats);
  if (!isObject(schema)) return schema;
  const result: SchemaNode = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (keyword === 'format' && typeof value === 'string') continue;
    if (SUBSCHEMA_KEYWORDS.includes(keyword)) {
      result[keyword] = withoutFormats(value);
    } else if (SCHEMA_MAP_KEYWORDS.includes(keyword) && isObject(value)) {
      result[keyword] = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, withoutFormats(sub)]),
      );
    } else {
      result[keyword] = value;
    }
  }
  return result;
}

/**
 * The API Gateway request model of a zod request schema: JSON Schema draft 4 (the only draft API Gateway
 * models take), describing what a client may send (`io: 'input'`).
 *
 * API Gateway's check is a first gate: refinements that JSON Schema cannot express (a known time zone, a
 * non-empty patch) are left to the handler, which validates the same zod schema again.
 */
export function requestModelSchema(schema: z.ZodMiniType): JsonSchema {
  return withoutFormats(z.toJSONSchema(schema, { target: 'draft-04', io: 'input' })) as JsonSchema;
}
