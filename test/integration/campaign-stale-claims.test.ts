/**
 * A campaign worker that stops between a recipient's claim and its settle (a crash, a timeout) leaves the claim
 * `claimed`. The redelivery of its message, which SQS makes after the visibility timeout, settles that claim
 * from the message log instead of sending again, so the campaign still completes and nobody gets it twice.
 */
import { randomUUID } from 'node:crypto';
import { DynamoCampaignMessageLog } from '../../lambdas/adapters/dynamo/campaign-message-log';
import { DynamoCampaignStore } from '../../lambdas/adapters/dynamo/campaign-store';
import { DynamoMessageStore } from '../../lambdas/adapters/dynamo/message-store';
import {
  CAMPAIGN_WORKER_TIMEOUT_SECONDS,
  dispatchRecipients,
  type DispatchDeps,
} from '../../lambdas/domain/campaign-dispatch';
import { zeroCounts, type CampaignRecord } from '../../lambdas/domain/campaigns';
import { expiresAt } from '../../lambdas/domain/retention';
import type { TableId } from '../../lambdas/shared/env';
import { TABLE_IDS } from '../../lib/stacks/data-stack';
import { ensureTables } from '../../local/dynamodb-local';
import { localTableDefinitions } from '../../local/table-definitions';
import { testDocumentClient } from './harness/dynamo';

const prefix = `stale${randomUUID().slice(0, 6)}_`;
const tables = Object.fromEntries(TABLE_IDS.map((id) => [id, `${prefix}${id}`])) as Record<TableId, string>;
const db = testDocumentClient();
const store = new DynamoCampaignStore(db, tables);
const messageLog = new DynamoCampaignMessageLog(db, tables);
const T0 = new Date('2026-12-02T10:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const subject = (n: number) => `${n}`.padStart(64, 'a');

beforeAll(async () => {
  await ensureTables(process.env.OPTLINE_DYNAMODB_ENDPOINT!, localTableDefinitions('eu', prefix));
});
afterAll(() => db.destroy());

async function dispatchingCampaign(recipients: number): Promise<CampaignRecord> {
  const record: CampaignRecord = {
    tenantId: 'demo',
    campaignId: randomUUID(),
    body: 'Winter offers',
    category: 'marketing',
    status: 'scheduled',
    sendAt: T0.toISOString(),
    createdAt: T0.toISOString(),
    counts: zeroCounts(),
    pending: 0,
    pagesDone: 0,
    fanOutDone: false,
    requestHash: 'h',
    expiresAt: expiresAt('campaignRecords', T0),
  };
  await store.create(record, randomUUID());
  expect(await store.beginDispatch('demo', record.campaignId, T0)).toBe(true);
  const begun = (await store.get('demo', record.campaignId, T0))!;
  expect(await store.advanceFanOut(begun, 0, undefined, recipients, T0)).toBe(true);
  return (await store.get('demo', record.campaignId, T0))!;
}

/** Dispatch deps at `now` whose sender must never be called: a stale claim is settled, not sent. */
function redelivery(now: Date, sent: string[]): DispatchDeps {
  return {
    store,
    messageLog,
    audience: { readAudience: () => Promise.reject(new Error('no fan-out here')) },
    queue: { send: () => Promise.reject(new Error('nothing to queue')) },
    sender: {
      send: async (_campaign, subjectId) => {
        sent.push(subjectId);
        return { messageId: randomUUID(), status: 'sent' };
      },
    },
    clock: () => now,
    newToken: randomUUID,
  };
}

describe('claims left by a worker that stopped', () => {
  it('settles a stale claim whose message was logged as sent, and one whose message never was as failed, then completes the campaign without sending again', async () => {
    // GIVEN a campaign of two whose worker claimed both, logged the first one's message, and stopped
    const campaign = await dispatchingCampaign(2);
    for (const n of [1, 2]) {
      const claimed = await store.claim('demo', campaign.campaignId, subject(n), `dead-${n}`, T0);
      expect(claimed.kind).toBe('claimed');
    }
    const messageId = randomUUID();
    const messages = new DynamoMessageStore(db, tables, () => at(1));
    await messages.log({
      tenantId: 'demo',
      subjectId: subject(1),
      messageId,
      direction: 'outbound',
      category: 'marketing',
      campaignId: campaign.campaignId,
      phone: '+447400123456',
      body: campaign.body,
      channel: 'outbox',
      status: 'sent',
      segments: 1,
      createdAt: at(1).toISOString(),
      updatedAt: at(1).toISOString(),
      expiresAt: expiresAt('messageTraffic', at(1)),
    });

    // WHEN the message is delivered again after the worker's timeout
    const sent: string[] = [];
    await dispatchRecipients(redelivery(at(CAMPAIGN_WORKER_TIMEOUT_SECONDS + 1), sent), {
      kind: 'recipients',
      tenantId: 'demo',
      campaignId: campaign.campaignId,
      subjectIds: [subject(1), subject(2)],
    });

    // THEN nothing is sent again, the counts hold both, and the campaign is complete
    expect(sent).toEqual([]);
    const after = (await store.get('demo', campaign.campaignId, at(400)))!;
    expect(after.counts).toMatchObject({ targeted: 2, sent: 1, failed: 1 });
    expect(after.pending).toBe(0);
    expect(after.status).toBe('completed');
  });

  it('leaves a claim younger than the worker timeout to the worker that may still hold it', async () => {
    const campaign = await dispatchingCampaign(1);
    await store.claim('demo', campaign.campaignId, subject(3), 'alive', T0);
    const sent: string[] = [];
    await dispatchRecipients(redelivery(at(CAMPAIGN_WORKER_TIMEOUT_SECONDS - 1), sent), {
      kind: 'recipients',
      tenantId: 'demo',
      campaignId: campaign.campaignId,
      subjectIds: [subject(3)],
    });
    expect(sent).toEqual([]);
    const after = (await store.get('demo', campaign.campaignId, at(1)))!;
    expect(after.pending).toBe(1);
    expect(after.status).toBe('dispatching');
  });
});
