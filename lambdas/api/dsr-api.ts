/** Route actions of the data-subject request routes: open a request, follow it, extend it once. */
import { DynamoDsrStore } from '../adapters/dynamo/dsr-store';
import { toDsrAccepted, toDsrStatusView } from '../domain/dsr';
import type { DsrQueue, ExportStore } from '../domain/dsr-ports';
import { extendDsr, openDsr, viewDsr, type DsrApiDeps } from '../domain/dsr-processing';
import type { Regime } from '../domain/regimes';
import type { CreateDsrRequest, DsrExtended, ExtendDsrRequest } from '../shared/dsr-schemas';
import type { RouteAction } from './api-handler';
import type { DSR_API_TABLES } from './function-tables';
import type { Ports } from './ports';
import { uuidIdOf } from './request-parts';

export interface DsrPorts extends Ports<(typeof DSR_API_TABLES)[number]> {
  readonly queue: DsrQueue;
  readonly exports: Pick<ExportStore, 'downloadUrl'>;
  readonly regime: Regime;
  /** Told (with the error's name only) when a request could not be queued. @default - nothing */
  readonly onEnqueueFailed?: (errorName: string) => void;
}

const requestIdOf = (pathParameters: Readonly<Record<string, string>>): string =>
  uuidIdOf(pathParameters, 'No data-subject request with this id.');

export function dsrActions(ports: DsrPorts): Record<string, RouteAction> {
  const deps: DsrApiDeps = {
    dsrs: new DynamoDsrStore(ports.db, ports.tables, ports.clock),
    queue: ports.queue,
    exports: ports.exports,
    subjectIds: ports.subjectIds,
    regime: ports.regime,
    clock: ports.clock,
    onEnqueueFailed: (error) => ports.onEnqueueFailed?.((error as Error)?.name ?? typeof error),
  };

  return {
    async createDsr(request) {
      const body = request.body as CreateDsrRequest;
      const record = await openDsr(deps, request.caller.tenantId, body);
      return { statusCode: 202, body: toDsrAccepted(record) };
    },

    async getDsr(request) {
      const { record, download } = await viewDsr(
        deps,
        request.caller.tenantId,
        requestIdOf(request.pathParameters),
      );
      // A download URL is a short-lived credential; the API handler marks every answer no-store.
      return { statusCode: 200, body: toDsrStatusView(record, download) };
    },

    async extendDsr(request) {
      const { reason } = request.body as ExtendDsrRequest;
      const record = await extendDsr(
        deps,
        request.caller.tenantId,
        requestIdOf(request.pathParameters),
        reason,
      );
      const body: DsrExtended = { extendedUntil: record.extendedUntil! };
      return { statusCode: 200, body };
    },
  };
}
