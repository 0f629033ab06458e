/** Lambda entry point for the opt-out routes. Everything is built once, at cold start. */
import { OPTOUT_TABLES } from '../api/function-tables';
import { optOutActions } from '../api/optouts-api';
import { lambdaApiHandler } from './api-entry';
import { lambdaPorts, lambdaProviderOptOuts } from './lambda-ports';

export const handler = lambdaApiHandler(
  'optouts',
  optOutActions({ ...lambdaPorts(OPTOUT_TABLES), providerOptOuts: lambdaProviderOptOuts() }),
);
