/**
 * What the console shows of one subject's history: its consent ledger and its message log, each one Query of
 * the subject's own partition (`T#<tenant>#S#<subjectId>`), newest first. The cost follows the subject's items,
 * never a table's size; expired items are left out, as TTL deletes late.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MessageRecord } from '../../domain/messages';
import { isExpired } from '../../domain/retention';
import type { ConsentEvent } from '../../domain/subscribers';
import { subjectPk } from './keys';
import { QueryOnlyDb, type KeyedTable } from './query-only';

type Tables = { readonly ConsentLedger: string; readonly MessageLog: string };

export interface MessagePage {
  /** Newest first. */
  readonly messages: MessageRecord[];
  /** The sort key of the last message of the page, when more may follow. @default - the last page */
  readonly after?: string;
}

export class DynamoSubjectHistoryStore {
  private readonly tables: Readonly<Record<keyof Tables, KeyedTable>>;

  constructor(db: DynamoDBDocumentClient, names: Tables) {
    this.tables = new QueryOnlyDb(db, names).tables;
  }

  /** Every consent event of the subject, newest first. */
  async consentEvents(tenantId: string, subjectId: string, now: Date): Promise<ConsentEvent[]> {
    const items = await this.tables.ConsentLedger.query({
      keyCondition: 'pk = :pk',
      values: { ':pk': subjectPk(tenantId, subjectId) },
      forward: false,
    });
    return items.filter((item) => !isExpired(item, now)) as unknown as ConsentEvent[];
  }

  /**
   * Up to `limit` messages of the subject, newest first, after the sort key `after`. One more is read than is
   * returned, so a page that ends the log says so and no empty page follows it.
   */
  async messages(
    tenantId: string,
    subjectId: string,
    page: { readonly limit: number; readonly after?: string },
    now: Date,
  ): Promise<MessagePage> {
    const pk = subjectPk(tenantId, subjectId);
    const { items, lastKey } = await this.tables.MessageLog.queryPage({
      keyCondition: 'pk = :pk',
      values: { ':pk': pk },
      forward: false,
      limit: page.limit + 1,
      ...(page.after === undefined ? {} : { startKey: { pk, sk: page.after } }),
    });
    const shown = items.slice(0, page.limit);
    const more = items.length > page.limit || lastKey !== undefined;
    const last = shown.at(-1);
    return {
      messages: shown.filter((item) => !isExpired(item, now)) as unknown as MessageRecord[],
      ...(more && last ? { after: String(last.sk) } : {}),
    };
  }
}
