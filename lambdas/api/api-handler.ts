/**
 * Turns an API Gateway REST proxy event into a call of one route action, and any failure into RFC 9457
 * problem+json. The same function serves the deployed Lambda and the local server, which builds the same
 * event shape.
 *
 * Order of checks: route → credentials (401) → audience (403: a tenant on an operator route or the operator on a
 * tenant route) → scope (403, any one of the route's scopes admits) → query
 * (400) → media type (415) → size (413) → JSON (400) → schema (400) → action. Nothing is stored before every check has passed.
 *
 * A failure the action did not turn into a problem is a 500, unless it is a transient fault of a dependency
 * (DynamoDB or KMS throttling, a 5xx, a dropped connection: `classifyTransientFault`) that outlasted the SDK's
 * retries: that is a 503 with `Retry-After`, which the client may retry as it is.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import {
  ForbiddenError,
  fromZodError,
  InvalidInputError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  ProblemError,
  ServiceUnavailableError,
  toProblemResponse,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from '../shared/problem';
import { IDEMPOTENCY_KEY_HEADER } from '../shared/schemas';
import { classifyTransientFault, TRANSIENT_FAULT_RETRY_AFTER_SECONDS } from '../shared/transient-faults';
import type * as z from '../shared/zod';
import { isOperator, type Caller, type CallerResolver, type OperatorCaller } from './callers';
import { ROUTES, type ApiFunction, type RouteSpec } from './routes';

/** Request bodies are small JSON documents; anything larger is refused before parsing. */
export const MAX_BODY_BYTES = 64 * 1024;

export interface ApiRequest<Body = unknown, C extends Caller | OperatorCaller = Caller> {
  readonly route: RouteSpec;
  /** A tenant on tenant routes, the operator on operator routes (RouteSpec `audience`), never the other. */
  readonly caller: C;
  readonly pathParameters: Readonly<Record<string, string>>;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The query parameters the route's `query` schema accepted, parsed; empty for a route without one. */
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: Body;
  readonly requestId: string;
}

export interface ApiResult {
  readonly statusCode: number;
  /** @default - no body */
  readonly body?: unknown;
  /** @default - none beyond content-type */
  readonly headers?: Readonly<Record<string, string>>;
}

export type RouteAction = (request: ApiRequest) => Promise<ApiResult>;
/** The action of an operator route: its caller has no tenant. */
export type OperatorRouteAction = (request: ApiRequest<unknown, OperatorCaller>) => Promise<ApiResult>;

export interface ApiHandlerOptions {
  readonly fn: ApiFunction;
  /** One action per operationId of the function's routes. */
  readonly actions: Readonly<Record<string, RouteAction>>;
  /** One action per operationId of the function's operator routes. @default - the function has none */
  readonly operatorActions?: Readonly<Record<string, OperatorRouteAction>>;
  readonly callers: CallerResolver;
  readonly logger: Logger;
  /**
   * Counts outcomes per operation (`RequestServed`, `RequestRefused`, `RequestDeferred` for a 503 on a
   * transient fault, `RequestFailed`); the Lambda entry point publishes them at the end of each invocation.
   * @default - no metrics (local mode and tests)
   */
  readonly metrics?: Metrics;
}

export type ApiHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

const lowerCaseHeaders = (headers: APIGatewayProxyEvent['headers'] | null): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers ?? {}).flatMap(([name, value]) =>
      value === undefined ? [] : [[name.toLowerCase(), value]],
    ),
  );

function findRoute(routes: readonly RouteSpec[], event: APIGatewayProxyEvent): RouteSpec {
  const samePath = routes.filter((r) => r.path === event.resource);
  const route = samePath.find((r) => r.method === event.httpMethod);
  if (route) return route;
  if (samePath.length > 0) throw new MethodNotAllowedError(samePath.map((r) => r.method));
  throw new NotFoundError({ detail: 'No such route.' });
}

function parseQuery(route: RouteSpec, event: APIGatewayProxyEvent): Record<string, unknown> {
  if (!route.query) return {};
  const parsed = route.query.safeParse(event.queryStringParameters ?? {});
  if (parsed.success) return parsed.data as Record<string, unknown>;
  throw new InvalidInputError(
    parsed.error.issues.map((issue) => ({
      // An unknown parameter is an issue of the whole query.
      field: issue.path.length === 0 ? '(query)' : issue.path.map((key) => String(key)).join('.'),
      message: issue.message,
    })),
  );
}

function parseBody(route: RouteSpec, event: APIGatewayProxyEvent, headers: Record<string, string>): unknown {
  if (!route.body) return undefined;
  const raw =
    event.isBase64Encoded && event.body ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (raw === null || raw === undefined || raw === '') {
    throw new InvalidInputError([{ field: '(body)', message: 'a JSON body is required' }]);
  }
  const mediaType = headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json' && !mediaType?.endsWith('+json')) {
    throw new UnsupportedMediaTypeError();
  }
  if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES)
    throw new PayloadTooLargeError({ detail: `The body must be at most ${MAX_BODY_BYTES} bytes.` });
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new InvalidInputError([{ field: '(body)', message: 'is not valid JSON' }]);
  }
  const parsed = (route.body as z.ZodMiniType).safeParse(json);
  if (!parsed.success) throw fromZodError(parsed.error);
  return parsed.data;
}

/**
 * Every answer of the API, success or problem, may carry personal data (a profile, a download URL, a phone
 * number in an error's context), so no cache may keep it (RFC 9111 §5.2.2.5).
 */
const NO_STORE = { 'cache-control': 'no-store' } as const;

function respond(result: ApiResult): APIGatewayProxyResult {
  const hasBody = result.body !== undefined;
  return {
    statusCode: result.statusCode,
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...NO_STORE, ...result.headers },
    body: hasBody ? JSON.stringify(result.body) : '',
  };
}

const errorName = (error: unknown): string => (error as Error)?.name ?? typeof error;

/** The 503 for a transient fault; a route with an idempotency key says to send the same one again. */
function busy(route: RouteSpec | undefined): ServiceUnavailableError {
  const seconds = TRANSIENT_FAULT_RETRY_AFTER_SECONDS;
  const sameKey = route?.headers?.some((h) => h.toLowerCase() === IDEMPOTENCY_KEY_HEADER)
    ? ' with the same Idempotency-Key'
    : '';
  return new ServiceUnavailableError(seconds, {
    detail: `The service is briefly overloaded or unavailable; retry after ${seconds} seconds${sameKey}.`,
  });
}

function count(metrics: Metrics | undefined, operationId: string | undefined, name: string): void {
  if (!metrics) return;
  const single = metrics.singleMetric();
  single.addDimension('operation', operationId ?? 'unknown');
  single.addMetric(name, MetricUnit.Count, 1);
}

export function createApiHandler(options: ApiHandlerOptions): ApiHandler {
  const routes = ROUTES.filter((r) => r.fn === options.fn);
  const operatorActions = options.operatorActions ?? {};
  const missing = routes
    .filter((r) => !(r.audience === 'operator' ? operatorActions : options.actions)[r.operationId])
    .map((r) => r.operationId);
  if (missing.length > 0) throw new Error(`No action for ${missing.join(', ')}`);

  return async (event) => {
    const requestId = event.requestContext?.requestId ?? 'local';
    let route: RouteSpec | undefined;
    let tenantId: string | undefined;
    try {
      route = findRoute(routes, event);
      const caller = options.callers(event);
      if (!caller) throw new UnauthorizedError();
      const operatorRoute = route.audience === 'operator';
      // The operator has no tenant and a tenant is no operator: neither reaches the other's routes.
      if (isOperator(caller) !== operatorRoute) {
        throw new ForbiddenError({
          detail: operatorRoute
            ? 'This operation is for the platform operator only.'
            : 'The platform operator has no tenant: this operation is for tenants only.',
        });
      }
      tenantId = isOperator(caller) ? undefined : caller.tenantId;
      if (!route.scopes.some((scope) => caller.scopes.includes(scope))) {
        throw new ForbiddenError({
          detail: `This operation needs one of the scopes ${route.scopes.join(', ')}.`,
        });
      }
      const query = parseQuery(route, event);
      const headers = lowerCaseHeaders(event.headers);
      const body = parseBody(route, event, headers);
      const parts = {
        route,
        pathParameters: (event.pathParameters ?? {}) as Record<string, string>,
        headers,
        query,
        body,
        requestId,
      };
      const result = isOperator(caller)
        ? await operatorActions[route.operationId]!({ ...parts, caller })
        : await options.actions[route.operationId]!({ ...parts, caller });
      count(options.metrics, route.operationId, 'RequestServed');
      options.logger.info('request served', {
        operationId: route.operationId,
        tenantId,
        requestId,
        status: result.statusCode,
      });
      return respond(result);
    } catch (error) {
      const fault = error instanceof ProblemError ? undefined : classifyTransientFault(error);
      const problem = toProblemResponse(fault ? busy(route) : error);
      const context = { operationId: route?.operationId, tenantId, requestId, status: problem.statusCode };
      if (error instanceof ProblemError) {
        count(options.metrics, route?.operationId, 'RequestRefused');
        options.logger.info('request refused', { ...context, problem: error.slug });
      } else if (fault) {
        // Names only, as for a failure below.
        count(options.metrics, route?.operationId, 'RequestDeferred');
        options.logger.warn('request deferred: a dependency is throttling or failing', {
          ...context,
          errorName: errorName(error),
          fault: fault.name,
          faultKind: fault.kind,
        });
      } else {
        // The error's name only: messages from SDKs and parsers can quote the input.
        count(options.metrics, route?.operationId, 'RequestFailed');
        options.logger.error('request failed', { ...context, errorName: errorName(error) });
      }
      return { ...problem, headers: { ...problem.headers, ...NO_STORE } };
    }
  };
}
