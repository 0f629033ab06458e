/**
 * Lambda entry point of the incident routes: the operator's (recording and following an incident) and the
 * tenants' (reading and acknowledging notifications). Counts and texts only, never a phone number, so it gets
 * no subject-id key. Everything is built once, at cold start.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { SnsIncidentNotifier } from '../adapters/sns-incident-notifier';
import { INCIDENT_TABLES } from '../api/function-tables';
import { incidentActions } from '../api/incidents-api';
import { CELL_TENANTS_ENV, INCIDENT_TOPICS_ENV, requireEnv } from '../shared/env';
import { tracer } from '../shared/powertools';
import { lambdaApiHandler } from './api-entry';
import { lambdaTablePorts } from './lambda-ports';

const { actions, operatorActions } = incidentActions({
  ...lambdaTablePorts(INCIDENT_TABLES),
  notifier: new SnsIncidentNotifier(
    tracer.captureAWSv3Client(new SNSClient({})),
    JSON.parse(requireEnv(INCIDENT_TOPICS_ENV)) as Record<string, string>,
  ),
  cellTenants: JSON.parse(requireEnv(CELL_TENANTS_ENV)) as string[],
});

export const handler = lambdaApiHandler('incidents', actions, undefined, operatorActions);
