/** The one shape of an API Lambda entry point: the route group's actions behind the shared API handler. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createApiHandler, type OperatorRouteAction, type RouteAction } from '../api/api-handler';
import type { ApiFunction } from '../api/routes';
import { logger, metrics } from '../shared/powertools';
import { beginInvocation } from './invocation';
import { lambdaCallers } from './lambda-ports';

export type LambdaApiHandler = (
  event: APIGatewayProxyEvent,
  context: Context,
) => Promise<APIGatewayProxyResult>;

/**
 * Builds the handler at cold start. `onInvocation` runs first in every invocation, for adapters that need the
 * invocation's context (such as the idempotency layer).
 */
export function lambdaApiHandler(
  fn: ApiFunction,
  actions: Readonly<Record<string, RouteAction>>,
  onInvocation?: (context: Context) => void,
  operatorActions?: Readonly<Record<string, OperatorRouteAction>>,
): LambdaApiHandler {
  const api = createApiHandler({ fn, actions, operatorActions, callers: lambdaCallers(), logger, metrics });
  return async (event, context) => {
    beginInvocation(context);
    onInvocation?.(context);
    return api(event);
  };
}
