/** Route actions of the campaign routes (DESIGN §10): create with an Idempotency-Key, follow, cancel. */
import { randomUUID } from 'node:crypto';
import { DynamoCampaignStore } from '../adapters/dynamo/campaign-store';
import { DynamoTenantStore } from '../adapters/dynamo/tenant-store';
import {
  cancelCampaign,
  createCampaign,
  toCampaignView,
  viewCampaign,
  type CampaignDeps,
  type CampaignStarter,
} from '../domain/campaigns';
import type { CampaignAccepted, CreateCampaignRequest } from '../shared/campaign-schemas';
import { InvalidInputError, NotFoundError } from '../shared/problem';
import { IDEMPOTENCY_KEY_HEADER, idempotencyKey } from '../shared/schemas';
import type { RouteAction } from './api-handler';
import type { CAMPAIGN_API_TABLES } from './function-tables';
import type { Ports } from './ports';

/** Campaign routes never see a phone number, so they get no subject-id key. */
export type CampaignPorts = Omit<Ports<(typeof CAMPAIGN_API_TABLES)[number]>, 'subjectIds'> & {
  readonly starter: CampaignStarter;
};

/** Campaign ids are UUIDs; anything else cannot name one, and is answered like an unknown id. */
const CAMPAIGN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function campaignIdOf(pathParameters: Readonly<Record<string, string>>): string {
  const id = pathParameters.id ?? '';
  if (!CAMPAIGN_ID.test(id)) throw new NotFoundError({ detail: 'No campaign with this id.' });
  return id;
}

/** The header, checked as POST /v1/messages checks it (a missing one as an empty one). */
function keyOf(headers: Readonly<Record<string, string>>): string {
  const parsed = idempotencyKey.safeParse(headers[IDEMPOTENCY_KEY_HEADER] ?? '');
  if (!parsed.success) {
    throw new InvalidInputError([{ field: 'Idempotency-Key', message: parsed.error.issues[0]!.message }]);
  }
  return parsed.data;
}

export function campaignActions(ports: CampaignPorts): Record<string, RouteAction> {
  const store = new DynamoCampaignStore(ports.db, ports.tables);
  const deps: CampaignDeps = {
    campaigns: store,
    starter: ports.starter,
    tenants: new DynamoTenantStore(ports.db, ports.tables.Tenants, ports.tenantProfiles),
    clock: ports.clock,
    newId: randomUUID,
  };

  return {
    async createCampaign(request) {
      const record = await createCampaign(
        deps,
        request.caller.tenantId,
        keyOf(request.headers),
        request.body as CreateCampaignRequest,
      );
      const body: CampaignAccepted = { campaignId: record.campaignId, status: record.status };
      return { statusCode: 202, body };
    },

    async getCampaign(request) {
      const view = await viewCampaign(deps, request.caller.tenantId, campaignIdOf(request.pathParameters));
      return { statusCode: 200, body: view };
    },

    async cancelCampaign(request) {
      await cancelCampaign(deps, request.caller.tenantId, campaignIdOf(request.pathParameters));
      return { statusCode: 200, body: { status: 'cancelled' } };
    },
  };
}

export { toCampaignView };
