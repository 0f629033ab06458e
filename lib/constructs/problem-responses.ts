import { ResponseType, type RestApiBase } from 'aws-cdk-lib/aws-apigateway';
import {
  PROBLEM_CATALOG,
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPE_PREFIX,
  type ProblemSlug,
} from '../../lambdas/shared/problem';
import { TRANSIENT_FAULT_RETRY_AFTER_SECONDS } from '../../lambdas/shared/transient-faults';

interface GatewayProblem {
  /** Construct id of the gateway response. */
  readonly id: string;
  readonly type: ResponseType;
  readonly problem: { readonly slug: ProblemSlug; readonly status: number; readonly title: string };
  /**
   * The `detail` member, substituted by API Gateway (simple `$context` substitution, no VTL) and then
   * embedded in a JSON string.
   */
  readonly detail: string;
  /**
   * The `errors` member.
   * @default - empty
   */
  readonly errors?: ReadonlyArray<{ readonly field: string; readonly message: string }>;
  /** @default - none beyond Content-Type */
  readonly headers?: Readonly<Record<string, string>>;
}

const catalog = (slug: ProblemSlug) => ({ slug, ...PROBLEM_CATALOG[slug] });

/** `Retry-After` of API Gateway's 429 for a throttled request. */
export const THROTTLED_RETRY_AFTER_SECONDS = 1;

/**
 * API Gateway's own error responses, as RFC 9457 problems with the same types, titles and statuses the
 * handlers use (DESIGN §5). Every 4xx type API Gateway can send for this API is listed or falls to
 * DEFAULT_4XX, whose remaining members (EXPIRED_TOKEN, INVALID_SIGNATURE, INVALID_API_KEY) are all 403.
 *
 * WAF_FILTERED stays 403: it is every block of the web ACL, the managed rule groups' included. A rate-based
 * rule answers 429 only with a custom response on its own Block action, which takes precedence over the
 * gateway response ("Custom responses for Block actions",
 * https://docs.aws.amazon.com/waf/latest/developerguide/customizing-the-response-for-blocked-requests.html).
 */
export const GATEWAY_PROBLEMS: readonly GatewayProblem[] = [
  {
    // Not $context.error.validationErrorString: templates are plain substitution, without escaping, and the
    // validator's text quotes property names and echoes refused values, so it would break the JSON and could
    // reflect a phone number. The price: a body API Gateway refuses gets no field-level errors; the OpenAPI
    // document says what the schema expects.
    id: 'BadRequestBody',
    type: ResponseType.BAD_REQUEST_BODY,
    problem: catalog('invalid-input'),
    detail: 'The request body does not match the schema of this operation in the OpenAPI document.',
    errors: [{ field: 'body', message: 'does not match the schema of this operation' }],
  },
  {
    // The validator checks only required path parameters, whose names are ours and appear without quotes.
    id: 'BadRequestParameters',
    type: ResponseType.BAD_REQUEST_PARAMETERS,
    problem: catalog('invalid-input'),
    detail: '$context.error.validationErrorString',
  },
  {
    id: 'Unauthorized',
    type: ResponseType.UNAUTHORIZED,
    problem: catalog('unauthorized'),
    detail: 'The request has no valid credentials.',
    headers: { 'WWW-Authenticate': 'Bearer' },
  },
  {
    id: 'AccessDenied',
    type: ResponseType.ACCESS_DENIED,
    problem: catalog('forbidden'),
    detail: 'The credentials do not grant this operation.',
  },
  {
    id: 'WafFiltered',
    type: ResponseType.WAF_FILTERED,
    problem: catalog('forbidden'),
    detail: 'The request was refused by the web application firewall.',
  },
  {
    id: 'Default4xx',
    type: ResponseType.DEFAULT_4XX,
    problem: catalog('forbidden'),
    detail: 'The request was refused.',
  },
  {
    // API Gateway answers an unknown path or method this way, before any authorizer runs.
    id: 'MissingAuthenticationToken',
    type: ResponseType.MISSING_AUTHENTICATION_TOKEN,
    problem: catalog('not-found'),
    detail: 'No such route.',
  },
  {
    id: 'ResourceNotFound',
    type: ResponseType.RESOURCE_NOT_FOUND,
    problem: catalog('not-found'),
    detail: 'No such route.',
  },
  {
    id: 'RequestTooLarge',
    type: ResponseType.REQUEST_TOO_LARGE,
    problem: catalog('payload-too-large'),
    detail: 'The request body is too large.',
  },
  {
    id: 'UnsupportedMediaType',
    type: ResponseType.UNSUPPORTED_MEDIA_TYPE,
    problem: catalog('unsupported-media-type'),
    detail: 'The request body must be application/json.',
  },
  {
    // Stage and method throttling: a token bucket refilled every second, so one second is a fair first wait.
    // A gateway response header may be a literal ("Gateway response types for API Gateway",
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html, and
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.responseParameters.html).
    id: 'Throttled',
    type: ResponseType.THROTTLED,
    problem: catalog('too-many-requests'),
    detail: `Too many requests; retry after ${THROTTLED_RETRY_AFTER_SECONDS} second, with backoff on repeats.`,
    headers: { 'Retry-After': String(THROTTLED_RETRY_AFTER_SECONDS) },
  },
  {
    // A usage plan's quota is spent (429 by default). optline sets no usage plan today; without this entry the
    // answer would fall to DEFAULT_4XX, a 403 that tells a client not to retry.
    id: 'QuotaExceeded',
    type: ResponseType.QUOTA_EXCEEDED,
    problem: catalog('too-many-requests'),
    detail: 'The request quota of this client is spent; retry in the next quota period.',
  },
  {
    // The function ran past API Gateway's 29-second integration timeout (a 504 otherwise turned into the default
    // 500 below). Nothing it did is lost: a send replayed with the same Idempotency-Key is sent once.
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
    id: 'IntegrationTimeout',
    type: ResponseType.INTEGRATION_TIMEOUT,
    problem: catalog('service-unavailable'),
    detail: `The request took too long; retry after ${TRANSIENT_FAULT_RETRY_AFTER_SECONDS} seconds with the same Idempotency-Key.`,
    headers: { 'Retry-After': String(TRANSIENT_FAULT_RETRY_AFTER_SECONDS) },
  },
  {
    id: 'Default5xx',
    type: ResponseType.DEFAULT_5XX,
    problem: catalog('internal'),
    detail: 'An unexpected error occurred.',
  },
];

/** The body template: a problem document whose `detail` API Gateway fills in. */
export function problemTemplate(
  problem: GatewayProblem['problem'],
  detail: string,
  errors: GatewayProblem['errors'] = [],
): string {
  // JSON.stringify escapes the fixed members; `$context…` placeholders pass through it unchanged.
  return JSON.stringify({
    type: `${PROBLEM_TYPE_PREFIX}${problem.slug}`,
    title: problem.title,
    status: problem.status,
    detail,
    errors,
  });
}

/** Makes every API Gateway-generated error of `api` an `application/problem+json` problem document. */
export function addProblemGatewayResponses(api: RestApiBase): void {
  for (const { id, type, problem, detail, errors, headers } of GATEWAY_PROBLEMS) {
    api.addGatewayResponse(id, {
      type,
      statusCode: String(problem.status),
      // Header values are literals, so API Gateway wants them single-quoted.
      responseHeaders: Object.fromEntries(
        Object.entries({ 'Content-Type': PROBLEM_CONTENT_TYPE, ...headers }).map(([name, value]) => [
          name,
          `'${value}'`,
        ]),
      ),
      templates: { 'application/json': problemTemplate(problem, detail, errors) },
    });
  }
}
