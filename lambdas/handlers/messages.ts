/** Lambda entry point for the message routes. Everything is built once, at cold start. */
import { MESSAGE_TABLES } from '../api/function-tables';
import { messageActions } from '../api/messages-api';
import { SLOT_POLICIES } from '../domain/send-slot';
import { lambdaApiHandler } from './api-entry';
import { lambdaPorts, lambdaSmsSender } from './lambda-ports';

const ports = lambdaPorts(MESSAGE_TABLES);
const { actions, idempotencyConfig } = messageActions({
  ...ports,
  sender: lambdaSmsSender(ports, SLOT_POLICIES.oneToOne),
});

// An invocation that dies mid-send frees its Idempotency-Key when its time is up, not after 24 hours.
export const handler = lambdaApiHandler('messages', actions, (context) =>
  idempotencyConfig.registerLambdaContext(context),
);
