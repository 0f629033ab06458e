/** Lambda entry point for the opt-out routes. Everything is built once, at cold start. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createApiHandler } from '../api/api-handler';
import { OPTOUT_TABLES } from '../api/function-tables';
import { optOutActions } from '../api/optouts-api';
import { logger, metrics } from '../shared/powertools';
import { beginInvocation } from './invocation';
import { lambdaCallers, lambdaPorts } from './lambda-ports';

const api = createApiHandler({
  fn: 'optouts',
  actions: optOutActions(lambdaPorts(OPTOUT_TABLES)),
  callers: lambdaCallers(),
  logger,
  metrics,
});

export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  beginInvocation(context);
  return api(event);
}
