/**
 * Route actions of the incident routes (DESIGN §12): the operator records and follows an incident; a tenant
 * reads and acknowledges its own notifications. The operator's actions get a caller without a tenant, a
 * tenant's a caller with one (api-handler.ts), so neither can act on the other's side.
 */
import { randomUUID } from 'node:crypto';
import { DynamoIncidentActivity } from '../adapters/dynamo/incident-activity';
import { DynamoIncidentStore } from '../adapters/dynamo/incident-store';
import {
  acknowledgeNotification,
  notificationView,
  recordIncident,
  viewIncident,
  type IncidentDeps,
  type IncidentNotifier,
} from '../domain/incidents';
import type { IncidentRecorded, IncidentView, RecordIncidentRequest } from '../shared/incident-schemas';
import { NotFoundError } from '../shared/problem';
import type { OperatorRouteAction, RouteAction } from './api-handler';
import type { INCIDENT_TABLES } from './function-tables';
import { principalOf } from './legal-hold-api';
import type { Ports } from './ports';
import { idempotencyKeyOf, uuidIdOf } from './request-parts';

/** Incidents hold counts and the operator's texts, never a phone number: no subject-id key. */
export type IncidentPorts = Omit<Ports<(typeof INCIDENT_TABLES)[number]>, 'subjectIds'> & {
  readonly notifier: IncidentNotifier;
  /** The tenants of the cell, each of which an incident may concern. */
  readonly cellTenants: readonly string[];
};

const incidentIdOf = (pathParameters: Readonly<Record<string, string>>, what: string): string =>
  uuidIdOf(pathParameters, `No ${what} with this id.`);

export function incidentDeps(ports: IncidentPorts): IncidentDeps {
  return {
    incidents: new DynamoIncidentStore(ports.db, ports.tables),
    activity: new DynamoIncidentActivity(ports.db, ports.tables, ports.clock),
    notifier: ports.notifier,
    cellTenants: ports.cellTenants,
    clock: ports.clock,
    newId: randomUUID,
  };
}

export function incidentActions(ports: IncidentPorts): {
  operatorActions: Record<string, OperatorRouteAction>;
  actions: Record<string, RouteAction>;
} {
  const deps = incidentDeps(ports);
  return {
    operatorActions: {
      async recordIncident(request) {
        const { incident } = await recordIncident(
          deps,
          request.caller.principal,
          idempotencyKeyOf(request.headers),
          request.body as RecordIncidentRequest,
        );
        const body: IncidentRecorded = {
          incidentId: incident.incidentId,
          notifyBy: incident.notifyBy,
          affectedTenants: incident.tenants.length,
        };
        return { statusCode: 201, body };
      },

      async getIncident(request) {
        const { incident, notifications } = await viewIncident(
          deps,
          incidentIdOf(request.pathParameters, 'incident'),
        );
        const { requestHash: _hash, expiresAt: _expiresAt, tenants: _tenants, ...fields } = incident;
        const body: IncidentView = {
          ...fields,
          categories: [...fields.categories],
          tenants: notifications.map((n) => ({
            tenantId: n.tenantId,
            approximateRecords: n.approximateRecords,
            approximateSubjects: n.approximateSubjects,
            ...(n.notifiedAt ? { notifiedAt: n.notifiedAt } : {}),
            ...(n.acknowledgedAt ? { acknowledgedAt: n.acknowledgedAt } : {}),
          })),
        };
        return { statusCode: 200, body };
      },
    },
    actions: {
      async listIncidentNotifications(request) {
        const list = await deps.incidents.listForTenant(request.caller.tenantId, deps.clock());
        return { statusCode: 200, body: { notifications: list.map(notificationView) } };
      },

      async getIncidentNotification(request) {
        const id = incidentIdOf(request.pathParameters, 'incident notification');
        const found = await deps.incidents.getForTenant(request.caller.tenantId, id, deps.clock());
        if (!found) throw new NotFoundError({ detail: 'No incident notification with this id.' });
        return { statusCode: 200, body: notificationView(found) };
      },

      async acknowledgeIncidentNotification(request) {
        const stored = await acknowledgeNotification(
          deps,
          request.caller.tenantId,
          principalOf(request.caller),
          incidentIdOf(request.pathParameters, 'incident notification'),
        );
        return {
          statusCode: 200,
          body: { incidentId: stored.incidentId, acknowledgedAt: stored.acknowledgedAt! },
        };
      },
    },
  };
}
