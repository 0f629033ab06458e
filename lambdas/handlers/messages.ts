/** Lambda entry point for the message routes. Everything is built once, at cold start. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createApiHandler } from '../api/api-handler';
import { MESSAGE_TABLES } from '../api/function-tables';
import { messageActions } from '../api/messages-api';
import { logger, metrics } from '../shared/powertools';
import { beginInvocation } from './invocation';
import { lambdaCallers, lambdaPorts, lambdaSmsSender } from './lambda-ports';

const { actions, idempotencyConfig } = messageActions({
  ...lambdaPorts(MESSAGE_TABLES),
  sender: lambdaSmsSender(),
});
const api = createApiHandler({ fn: 'messages', actions, callers: lambdaCallers(), logger, metrics });

export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  beginInvocation(context);
  // An invocation that dies mid-send frees its Idempotency-Key when its time is up, not after 24 hours.
  idempotencyConfig.registerLambdaContext(context);
  return api(event);
}
