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
const SCHEMA_MAP_KEYWORDS = ['properties', 'patternProperties', 'dependencies'];

/**
 * Keywords left out of a model:
 * - `format`: API Gateway's validator checks formats its own way (RFC 3339 date-time, IP addresses), which
 *   could refuse a value the zod schema accepts; every zod string format also emits the exact `pattern` zod
 *   checks, so the pattern alone keeps the two in agreement. optline's own formats (`phone`, `e164`) are
 *   checked by the handler.
 * - `if`/`then`/`else` and `const`, which draft 4 does not have, and `examples`, which it does not define:
 *   API Gateway models are draft 4 ("Data models for REST APIs",
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings-models.html). The handler
 *   checks the rule they express (`changes` only with a rectification) on the same zod schema.
 */
const DROPPED_KEYWORDS = new Set(['format', 'examples', 'if', 'then', 'else', 'const']);

type Definitions = Readonly<Record<string, unknown>>;

/**
 * The schema with `definitions` inlined (a model's `$ref` may only name another model by URL) and without the
 * dropped keywords, in every subschema but never in property names.
 */
function forApiGateway(schema: unknown, definitions: Definitions): unknown {
  if (Array.isArray(schema)) return schema.map((item) => forApiGateway(item, definitions));
  if (!isObject(schema)) return schema;
  const ref = typeof schema.$ref === 'string' ? schema.$ref : undefined;
  if (ref?.startsWith('#/definitions/')) {
    const target = definitions[ref.slice('#/definitions/'.length)];
    if (target === undefined) throw new Error(`unresolved ${ref}`);
    return forApiGateway(target, definitions);
  }
  // zod writes a referenced schema with siblings as `allOf: [{ $ref }]`; one element is that schema.
  if (Array.isArray(schema.allOf) && schema.allOf.length === 1 && Object.keys(schema).length === 1) {
    return forApiGateway(schema.allOf[0], definitions);
  }
  const result: SchemaNode = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (DROPPED_KEYWORDS.has(keyword) || keyword === 'definitions') continue;
    if (SUBSCHEMA_KEYWORDS.includes(keyword)) {
      result[keyword] = forApiGateway(value, definitions);
    } else if (SCHEMA_MAP_KEYWORDS.includes(keyword) && isObject(value)) {
      result[keyword] = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, forApiGateway(sub, definitions)]),
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
 * API Gateway's check is a first gate: what draft 4 cannot express (a valid phone number, `changes` only with
 * a rectification) is left to the handler, which validates the same zod schema again.
 */
export function requestModelSchema(schema: z.ZodMiniType): JsonSchema {
  const converted = z.toJSONSchema(schema, { target: 'draft-04', io: 'input' }) as SchemaNode;
  const definitions = isObject(converted.definitions) ? converted.definitions : {};
  return forApiGateway(converted, definitions) as JsonSchema;
}
