/** Lambda entry point for the subscriber routes. Everything is built once, at cold start. */
import { SUBSCRIBER_TABLES } from '../api/function-tables';
import { subscriberActions } from '../api/subscribers-api';
import { lambdaApiHandler } from './api-entry';
import { lambdaPorts, lambdaProviderOptOuts, lambdaSmsSender } from './lambda-ports';

export const handler = lambdaApiHandler(
  'subscribers',
  subscriberActions({
    ...lambdaPorts(SUBSCRIBER_TABLES),
    sender: lambdaSmsSender(),
    providerOptOuts: lambdaProviderOptOuts(),
  }),
);
