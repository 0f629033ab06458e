/**
 * Route actions of the legal-hold routes (`PUT` and `DELETE /v1/subscribers/{phone}/legal-hold`, scope
 * `dsr.manage`). They are served by the subscribers function, next to the other subscriber routes.
 */
import { DynamoAuditLog } from '../adapters/dynamo/audit-log';
import { DynamoLegalHoldStore } from '../adapters/dynamo/legal-hold-store';
import { DynamoPurgeWatermark } from '../adapters/dynamo/purge-watermark';
import { clearLegalHold, setLegalHold, type LegalHoldDeps } from '../domain/legal-hold';
import { parsePathPhone } from '../domain/phone';
import type { LegalHoldRequest, LegalHoldView } from '../shared/legal-hold-schemas';
import { NotFoundError } from '../shared/problem';
import type { ApiRequest, RouteAction } from './api-handler';
import type { Caller } from './callers';
import type { Ports } from './ports';

type LegalHoldPorts = Ports<'Subscribers' | 'AuditLog'>;

const notFound = () => new NotFoundError({ detail: 'No subscriber with this number.' });

/** Who acted, as recorded with the hold and in the audit log: the API client, never a person's data. */
export const principalOf = (caller: Caller): string => caller.principal ?? `tenant:${caller.tenantId}`;

export function legalHoldActions(ports: LegalHoldPorts): Record<string, RouteAction> {
  const deps: LegalHoldDeps = {
    store: new DynamoLegalHoldStore(ports.db, ports.tables),
    audit: new DynamoAuditLog(ports.db, ports.tables.AuditLog),
    purge: new DynamoPurgeWatermark(ports.db, ports.tables),
    clock: ports.clock,
  };
  const subjectOf = async (request: ApiRequest): Promise<string> =>
    ports.subjectIds.derive(request.caller.tenantId, parsePathPhone(request.pathParameters.phone ?? ''));

  return {
    async setLegalHold(request) {
      const { reason } = request.body as LegalHoldRequest;
      const record = await setLegalHold(deps, {
        tenantId: request.caller.tenantId,
        subjectId: await subjectOf(request),
        reason,
        heldBy: principalOf(request.caller),
      });
      if (!record?.legalHold) throw notFound();
      const { reason: held, heldBy, since } = record.legalHold;
      const body: LegalHoldView = {
        subscriberId: record.subjectId,
        legalHold: { reason: held, heldBy, since },
        expiresAt: null,
      };
      return { statusCode: 200, body };
    },

    async clearLegalHold(request) {
      const outcome = await clearLegalHold(deps, {
        tenantId: request.caller.tenantId,
        subjectId: await subjectOf(request),
        clearedBy: principalOf(request.caller),
      });
      if (outcome === 'absent') throw notFound();
      return { statusCode: 204 };
    },
  };
}
