/** Lambda entry point for the subscriber routes. Everything is built once, at cold start. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createApiHandler } from '../api/api-handler';
import { SUBSCRIBER_TABLES } from '../api/function-tables';
import { subscriberActions } from '../api/subscribers-api';
import { logger, metrics } from '../shared/powertools';
import { beginInvocation } from './invocation';
import { lambdaCallers, lambdaPorts } from './lambda-ports';

const api = createApiHandler({
  fn: 'subscribers',
  actions: subscriberActions(lambdaPorts(SUBSCRIBER_TABLES)),
  callers: lambdaCallers(),
  logger,
  metrics,
});

export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  beginInvocation(context);
  return api(event);
}
