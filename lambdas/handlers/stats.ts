/**
 * Lambda entry point for the statistics route. It reads counts only, never a phone number, so it gets no
 * subject-id key. Everything is built once, at cold start.
 */
import { STATS_TABLES } from '../api/function-tables';
import { statsActions } from '../api/stats-api';
import { lambdaApiHandler } from './api-entry';
import { lambdaTablePorts } from './lambda-ports';

export const handler = lambdaApiHandler('stats', statsActions(lambdaTablePorts(STATS_TABLES)));
