/** Route actions of the campaign routes (DESIGN §10): create with an Idempotency-Key, follow, cancel. */
import { randomUUID } from 'node:crypto';
import { DynamoCampaignStore } from '../adapters/dynamo/campaign-store';
import { DynamoTenantStore } from '../adapters/dynamo/tenant-store';
import {
  cancelCampaign,
  createCampaign,
  viewCampaign,
  type CampaignDeps,
  type CampaignStarter,
} from '../domain/campaigns';
import type { CampaignAccepted, CreateCampaignRequest } from '../shared/campaign-schemas';
import type { RouteAction } from './api-handler';
import type { CAMPAIGN_API_TABLES } from './function-tables';
import type { Ports } from './ports';
import { idempotencyKeyOf, uuidIdOf } from './request-parts';

/** Campaign routes never see a phone number, so they get no subject-id key. */
export type CampaignPorts = Omit<Ports<(typeof CAMPAIGN_API_TABLES)[number]>, 'subjectIds'> & {
  readonly starter: CampaignStarter;
};

const campaignIdOf = (pathParameters: Readonly<Record<string, string>>): string =>
  uuidIdOf(pathParameters, 'No campaign with this id.');

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
        idempotencyKeyOf(request.headers),
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
