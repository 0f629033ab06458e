/** Route actions of the opt-out routes: record an opt-out idempotently, and read a number's suppression state. */
import { recordOptOut } from '../domain/consent';
import { normalizeE164, parsePathPhone } from '../domain/phone';
import type { OptOutRecorded, OptOutRequest, OptOutStatus } from '../shared/schemas';
import type { RouteAction } from './api-handler';
import { consentDeps } from './domain-deps';
import type { OPTOUT_TABLES } from './function-tables';
import type { ConsentPorts } from './ports';

type OptOutPorts = ConsentPorts<(typeof OPTOUT_TABLES)[number]>;

export function optOutActions(ports: OptOutPorts): Record<string, RouteAction> {
  const deps = consentDeps(ports);
  const { consent } = deps;

  return {
    async recordOptOut(request) {
      const { phone, scope } = request.body as OptOutRequest;
      const tenantId = request.caller.tenantId;
      const e164 = normalizeE164(phone);
      const subjectId = await ports.subjectIds.derive(tenantId, e164);
      // An opt-out needs no subscriber: a number can be suppressed before it was ever subscribed. It is mirrored
      // to the provider opt-out list after it is recorded; if that fails the client gets 503 and its retry,
      // which finds the opt-out already standing, mirrors it again.
      const { since } = await recordOptOut(
        deps,
        tenantId,
        { subjectId, e164, scope, source: 'api' },
        ports.clock(),
      );
      const body: OptOutRecorded = { suppressed: true, since };
      return { statusCode: 200, body };
    },

    async getOptOut(request) {
      const tenantId = request.caller.tenantId;
      const subjectId = await ports.subjectIds.derive(
        tenantId,
        parsePathPhone(request.pathParameters.phone ?? ''),
      );
      // An unknown number is simply not suppressed: the answer never reveals whether a subscriber exists.
      const { scopes, since } = await consent.suppressionState(tenantId, subjectId);
      const body: OptOutStatus = { suppressed: scopes.length > 0, since, scopes: [...scopes] };
      return { statusCode: 200, body };
    },
  };
}
