/** Route actions of the data-subject request routes: open a request, list and follow them, extend one once. */
import { DynamoDsrListing, type ListPositions } from '../adapters/dynamo/dsr-listing';
import { DynamoDsrStore } from '../adapters/dynamo/dsr-store';
import { deadlineState, toDsrAccepted, toDsrStatusView } from '../domain/dsr';
import type { DsrQueue, ExportStore } from '../domain/dsr-ports';
import { extendDsr, openDsr, viewDsr, type DsrApiDeps } from '../domain/dsr-processing';
import type { Regime } from '../domain/regimes';
import {
  DSR_STATUSES,
  type CreateDsrRequest,
  type DsrExtended,
  type ExtendDsrRequest,
} from '../shared/dsr-schemas';
import { DEFAULT_PAGE_LIMIT, type DsrListQuery, type DsrPage } from '../shared/read-schemas';
import * as z from '../shared/zod';
import type { RouteAction } from './api-handler';
import type { DSR_API_TABLES } from './function-tables';
import { decodeCursor, encodeCursor } from './page-cursor';
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

/**
 * A DSR page's cursor: the tenant, the status filter (`*` for every status) and, per status partition, the
 * request the page ended at or `done`.
 */
const dsrCursor = z.strictObject({
  t: z.string(),
  f: z.enum([...DSR_STATUSES, '*']),
  p: z.partialRecord(
    z.enum(DSR_STATUSES),
    z.union([z.literal('done'), z.strictObject({ dueAt: z.iso.datetime(), requestId: z.uuid() })]),
  ),
});

export function dsrActions(ports: DsrPorts): Record<string, RouteAction> {
  const listing = new DynamoDsrListing(ports.db, ports.tables.DsrRequests);
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

    async listDsrs(request) {
      const { tenantId } = request.caller;
      const { status, cursor, limit = DEFAULT_PAGE_LIMIT } = (request.query ?? {}) as DsrListQuery;
      const statuses = status ? [status] : DSR_STATUSES;
      const filter = status ?? '*';
      const from: ListPositions =
        cursor === undefined
          ? {}
          : decodeCursor(
              cursor,
              dsrCursor,
              (state) =>
                state.t === tenantId &&
                state.f === filter &&
                Object.keys(state.p).every((key) => statuses.includes(key as (typeof statuses)[number])),
            ).p;
      const now = ports.clock();
      const page = await listing.page(tenantId, statuses, from, limit, now);
      const body: DsrPage = {
        requests: page.requests.map((record) => ({ ...record, deadline: deadlineState(record, now) })),
        ...(page.next ? { nextCursor: encodeCursor({ t: tenantId, f: filter, p: page.next }) } : {}),
      };
      return { statusCode: 200, body };
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
