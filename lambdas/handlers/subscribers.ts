/** Lambda entry point for the subscriber routes. Everything is built once, at cold start. */
import { SUBSCRIBER_TABLES } from '../api/function-tables';
import { subscriberActions } from '../api/subscribers-api';
import { SLOT_POLICIES } from '../domain/send-slot';
import { lambdaApiHandler } from './api-entry';
import { lambdaPorts, lambdaProviderOptOuts, lambdaSmsSender } from './lambda-ports';

const ports = lambdaPorts(SUBSCRIBER_TABLES);
export const handler = lambdaApiHandler(
  'subscribers',
  subscriberActions({
    ...ports,
    sender: lambdaSmsSender(ports, SLOT_POLICIES.oneToOne),
    providerOptOuts: lambdaProviderOptOuts(),
  }),
);
