/**
 * DynamoDB implementation of the AudienceReader port: one Query on the tenant's partition of Subscribers,
 * bounded to the audience's sort-key prefix (see audience-index.ts). It reads the index entries of the page and
 * nothing else, so an audience of K costs about K entries of ~70 bytes, whatever the size of the table.
 * Eventually consistent (half the units): the index is a hint that dispatch checks against the profile anyway.
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AudiencePage, AudienceReader } from '../../domain/audience';
import { ALL_MEMBERS_PREFIX, topicMembersPrefix } from './audience-index';
import { tenantPk } from './keys';

/** A subject id as `subject-id.ts` derives it: base64url, no padding. */
const SUBJECT_ID = /^[A-Za-z0-9_-]{1,64}$/;

export class DynamoAudienceReader implements AudienceReader {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async readAudience(
    tenantId: string,
    topic: string | undefined,
    cursor: string | undefined,
    pageSize: number,
  ): Promise<AudiencePage> {
    if (!Number.isInteger(pageSize) || pageSize < 1)
      throw new RangeError('pageSize must be a positive integer');
    // The cursor is the last subject id of the previous page: the sort key it stands for is rebuilt here, so a
    // cursor cannot point outside this tenant's audience.
    if (cursor !== undefined && !SUBJECT_ID.test(cursor)) {
      throw new RangeError('The audience cursor is not a subject id');
    }
    const prefix = topic === undefined ? ALL_MEMBERS_PREFIX : topicMembersPrefix(topic);
    const pk = tenantPk(tenantId);
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
        ProjectionExpression: 'sk',
        Limit: pageSize,
        ...(cursor === undefined ? {} : { ExclusiveStartKey: { pk, sk: `${prefix}${cursor}` } }),
      }),
    );
    const subjectIds = (page.Items ?? []).map((item) => String(item.sk).slice(prefix.length));
    const last = subjectIds.at(-1);
    return page.LastEvaluatedKey && last !== undefined ? { subjectIds, cursor: last } : { subjectIds };
  }
}
