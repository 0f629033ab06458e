/**
 * The campaign's message to one subject, as the send path logged it in the MessageLog: the subject's partition
 * from the claim's time on (its sort key starts with the send time), read consistently, so a message logged just
 * before the worker stopped is found. Bounded by that subject's own messages since the claim.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CampaignMessageLog } from '../../domain/campaign-dispatch';
import { subjectPk } from './keys';
import { KeyedTable } from './query-only';

export class DynamoCampaignMessageLog implements CampaignMessageLog {
  private readonly table: KeyedTable;

  constructor(db: DynamoDBDocumentClient, tables: { readonly MessageLog: string }) {
    this.table = new KeyedTable(db, tables.MessageLog);
  }

  async find(tenantId: string, subjectId: string, campaignId: string, since: Date) {
    const items = await this.table.query({
      keyCondition: 'pk = :pk AND sk >= :since',
      values: { ':pk': subjectPk(tenantId, subjectId), ':since': since.toISOString() },
      names: { '#status': 'status' },
      projection: 'messageId, campaignId, #status',
      consistent: true,
    });
    const logged = items.find((item) => item.campaignId === campaignId);
    if (!logged) return undefined;
    return {
      messageId: String(logged.messageId),
      status: logged.status === 'failed' ? ('failed' as const) : ('sent' as const),
    };
  }
}
