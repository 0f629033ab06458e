/**
 * DynamoDB implementation of the MarketingHistory port: counts a subject's recent marketing messages in MessageLog
 * with a Query on the subject's partition (`T#<tenant>#S#<subjectId>`), its sort key (`<isoTime>#<messageId>`)
 * bounded below by the window's start: never a table-wide read.
 *
 * Cost. A Query is charged for the items it reads, before any filter: their sizes summed per page and rounded up to
 * 4 KB, one read unit per 4 KB strongly consistent. Pages are limited to the matches still needed, and reading
 * stops as soon as the cap is reached, so a check reads at most `atMost` marketing items plus the subject's other
 * messages (transactional, inbound, failed) that fall between them in the window: one unit for a typical cap and
 * history (a log item is well under 1 KB for a one-segment body), never more than the subject's messages of the
 * window, and never anything outside the subject's partition.
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MarketingHistory } from '../../domain/frequency-cap';
import { subjectPk } from './keys';

export class DynamoMarketingHistory implements MarketingHistory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly messageLogTable: string,
    private readonly clock: () => Date,
  ) {}

  async countSince(tenantId: string, subjectId: string, since: Date, atMost: number): Promise<number> {
    if (atMost <= 0) return 0;
    let count = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.messageLogTable,
          // Sort keys start with the ISO time, so `>=` the window's start is the window.
          KeyConditionExpression: 'pk = :pk AND sk >= :since',
          // What reached (or is on its way to) the recipient as marketing; an item past its TTL is absent.
          FilterExpression:
            '#direction = :outbound AND #category = :marketing AND #status <> :failed AND ' +
            '(attribute_not_exists(#expiresAt) OR #expiresAt > :now)',
          ExpressionAttributeNames: {
            '#direction': 'direction',
            '#category': 'category',
            '#status': 'status',
            '#expiresAt': 'expiresAt',
          },
          ExpressionAttributeValues: {
            ':pk': subjectPk(tenantId, subjectId),
            ':since': since.toISOString(),
            ':outbound': 'outbound',
            ':marketing': 'marketing',
            ':failed': 'failed',
            ':now': Math.floor(this.clock().getTime() / 1000),
          },
          // The only attribute needed; it does not lower the units (charged by item size), only the transfer.
          ProjectionExpression: 'pk',
          // A message sent a moment ago counts at once.
          ConsistentRead: true,
          // Never more items than matches still needed: a full page of marketing ends the count.
          Limit: atMost - count,
          ExclusiveStartKey: startKey,
        }),
      );
      count += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey && count < atMost);
    return Math.min(count, atMost);
  }
}
