import type { APIGatewayProxyEvent } from 'aws-lambda';

/**
 * A REST API proxy event for a JSON POST to `resource`, as API Gateway builds one; a test overrides what it is
 * about (headers, the authorizer's claims in `requestContext`, the method, the body).
 */
export function apiEvent(
  resource: string,
  body: unknown,
  overrides: Partial<APIGatewayProxyEvent> = {},
): APIGatewayProxyEvent {
  return {
    resource,
    path: resource,
    httpMethod: 'POST',
    headers: { 'Content-Type': 'application/json' },
    multiValueHeaders: {},
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    isBase64Encoded: false,
    body: JSON.stringify(body),
    requestContext: { requestId: 'r-1' } as never,
    ...overrides,
  };
}
