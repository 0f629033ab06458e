/**
 * The campaign queue's consumer (DESIGN §10): fan-out pages and recipient dispatch, one message at a time, with
 * Powertools batch partial failures so that a message that failed (a throttle, a fault) is delivered again and
 * the others are not. Shared by the Lambda and the local server.
 */
import { randomUUID } from 'node:crypto';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DynamoCampaignMessageLog } from '../adapters/dynamo/campaign-message-log';
import { DynamoCampaignStore } from '../adapters/dynamo/campaign-store';
import type { AudienceReader } from '../domain/audience';
import {
  handleCampaignWork,
  RECIPIENTS_PER_MESSAGE,
  type CampaignQueue,
  type CampaignSender,
  type CampaignWork,
  type DispatchDeps,
} from '../domain/campaign-dispatch';
import type { CampaignRecord } from '../domain/campaigns';
import { sendMessage, type SendDeps } from '../domain/messages';
import { ProblemError } from '../shared/problem';
import * as z from '../shared/zod';
import type { CAMPAIGN_WORKER_TABLES } from './function-tables';
import type { SendingPorts } from './ports';

export type CampaignWorkerPorts = SendingPorts<(typeof CAMPAIGN_WORKER_TABLES)[number]> & {
  readonly queue: CampaignQueue;
  readonly audience: AudienceReader;
  readonly send: SendDeps;
};

/**
 * Sends the campaign to a subject through the 1:1 send path: the profile (read by the subject's key) gives the
 * number, and `sendMessage` runs every check of DESIGN §4 on it now, sends, and logs the message with its
 * campaign. A subject without a profile (erased, purged, expired) has no consent on record.
 */
export function campaignSender(ports: CampaignWorkerPorts): CampaignSender {
  return {
    async send(campaign: CampaignRecord, subjectId: string) {
      const { subscriber: profile } = await ports.send.messages.recipientState(campaign.tenantId, subjectId);
      if (!profile)
        throw new ProblemError('no-consent', { detail: 'The recipient has no profile any more.' });
      // The audience index may be a moment behind a change of topics: the profile decides.
      if (campaign.topic !== undefined && !profile.topics.includes(campaign.topic)) {
        throw new ProblemError('no-consent', { detail: 'The recipient no longer chose the campaign topic.' });
      }
      const { messageId, status } = await sendMessage(
        ports.send,
        campaign.tenantId,
        {
          to: profile.phone,
          body: campaign.body,
          category: campaign.category,
          ...(campaign.topic !== undefined ? { topic: campaign.topic } : {}),
        },
        { campaignId: campaign.campaignId },
      );
      return { messageId, status: status === 'failed' ? 'failed' : 'sent' };
    },
  };
}

export function campaignWorkerDeps(ports: CampaignWorkerPorts): DispatchDeps {
  return {
    store: new DynamoCampaignStore(ports.db, ports.tables),
    messageLog: new DynamoCampaignMessageLog(ports.db, ports.tables),
    audience: ports.audience,
    queue: ports.queue,
    sender: campaignSender(ports),
    clock: ports.clock,
    newToken: randomUUID,
  };
}

const ids = { tenantId: z.string().check(z.minLength(1), z.maxLength(64)), campaignId: z.uuid() };

/** The queue message: ids only, never a number or a body. */
export const campaignWorkMessage = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('page'), ...ids, page: z.int().check(z.minimum(0)) }),
  z.strictObject({
    kind: z.literal('recipients'),
    ...ids,
    subjectIds: z
      .array(z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/)))
      .check(z.minLength(1), z.maxLength(RECIPIENTS_PER_MESSAGE)),
  }),
]);

export function campaignWorkerHandler(
  deps: DispatchDeps,
  logger: Pick<Logger, 'info' | 'warn'>,
): (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  const processRecord = async (record: SQSRecord): Promise<'done' | 'ignored'> => {
    let work: CampaignWork;
    try {
      work = campaignWorkMessage.parse(JSON.parse(record.body));
    } catch {
      // Retrying cannot make a malformed message valid; it is dropped, and says so.
      logger.warn('campaign message ignored: not campaign work', { outcome: 'ignored' });
      return 'ignored';
    }
    await handleCampaignWork(deps, work);
    logger.info('campaign work done', {
      tenantId: work.tenantId,
      campaignId: work.campaignId,
      kind: work.kind,
    });
    return 'done';
  };
  return (event, context) =>
    processPartialResponse(event, processRecord, processor, context === undefined ? {} : { context });
}
