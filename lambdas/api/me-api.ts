/** `GET /v1/me`: who is calling, so the console shows only the actions the caller's scopes allow. */
import type { CallerView } from '../shared/read-schemas';
import type { RouteAction } from './api-handler';

export const meActions: Record<string, RouteAction> = {
  async getMe({ caller }) {
    const body: CallerView = {
      tenantId: caller.tenantId,
      ...(caller.role ? { role: caller.role } : {}),
      scopes: [...caller.scopes],
    };
    return { statusCode: 200, body };
  },
};
