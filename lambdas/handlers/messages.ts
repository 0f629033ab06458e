/** Lambda entry point for the message routes. Everything is built once, at cold start. */
import { MESSAGE_TABLES } from '../api/function-tables';
import { messageActions } from '../api/messages-api';
import { lambdaApiHandler } from './api-entry';
import { lambdaPorts, lambdaSmsSender } from './lambda-ports';

const { actions, idempotencyConfig } = messageActions({
  ...lambdaPorts(MESSAGE_TABLES),
  sender: lambdaSmsSender(),
});

// An invocation that dies mid-send frees its Idempotency-Key when its time is up, not after 24 hours.
export const handler = lambdaApiHandler('messages', actions, (context) =>
  idempotencyConfig.registerLambdaContext(context),
);
