/** Shared set-up and raw reads for the retention tests: subscribers with messages, marketing items and ledgers. */
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { expiresAt } from '../../../lambdas/domain/retention';
import { encodePhone, randomPhone, type TestServer } from '../harness/local-server';

export interface Fixture {
  readonly phone: string;
  readonly subjectId: string;
}

export class RetentionFixtures {
  constructor(
    private readonly server: TestServer,
    private readonly db: DynamoDBDocumentClient,
  ) {}

  table(id: string): string {
    return `${this.server.tablePrefix}${id}`;
  }

  /** Subscribes a new number; `capturedAt` starts its 36 months. */
  async subscribe(capturedAt?: string, as: 'demo' | 'acme' = 'demo'): Promise<Fixture> {
    const phone = randomPhone();
    const created = await this.server.request('POST', '/v1/subscribers', {
      as,
      body: {
        phone,
        consent: { source: 'import', noticeVersion: 'v1', ...(capturedAt ? { capturedAt } : {}) },
      },
    });
    if (created.status !== 201)
      throw new Error(`subscribe answered ${created.status}: ${JSON.stringify(created.body)}`);
    return { phone, subjectId: created.body.subscriberId as string };
  }

  /**
   * The same number subscribes again (after its profile expired or was deleted), and the new subscription gets a
   * message and a marketing item of its own at `at`.
   */
  async resubscribeWithData(fixture: Fixture, at: Date): Promise<void> {
    const again = await this.server.request('POST', '/v1/subscribers', {
      body: { phone: fixture.phone, consent: { source: 'web_form', noticeVersion: 'v2' } },
    });
    if (again.status !== 201) throw new Error(`subscribe again answered ${again.status}`);
    await this.sendMessages(fixture, 1);
    await this.putMarketingItem(fixture, at);
  }

  /** Sends `count` transactional messages to the subscriber, so it has MessageLog items. */
  async sendMessages(fixture: Fixture, count: number, as: 'demo' | 'acme' = 'demo'): Promise<void> {
    for (let i = 0; i < count; i += 1) {
      const sent = await this.server.request('POST', '/v1/messages', {
        as,
        body: { to: fixture.phone, body: `Order ${i} shipped`, category: 'transactional' },
        headers: { 'idempotency-key': randomUUID() },
      });
      if (sent.status !== 202) throw new Error(`send answered ${sent.status}`);
    }
  }

  /** The marketing item (no API writes it yet): segments and tags, with their own 12-month expiry. */
  async putMarketingItem(fixture: Fixture, at: Date, tenant = 'demo'): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table('Subscribers'),
        Item: {
          pk: `T#${tenant}`,
          sk: `S#${fixture.subjectId}#MKT`,
          segments: ['vip'],
          tags: ['spring-sale'],
          updatedAt: at.toISOString(),
          expiresAt: expiresAt('marketingAttributes', at),
        },
      }),
    );
  }

  async optOutOfTopic(fixture: Fixture, scope: string): Promise<void> {
    const response = await this.server.request('POST', '/v1/opt-outs', {
      body: { phone: fixture.phone, scope },
    });
    if (response.status !== 200) throw new Error(`opt-out answered ${response.status}`);
  }

  async profile(fixture: Fixture, tenant = 'demo'): Promise<Record<string, unknown> | undefined> {
    return this.get('Subscribers', { pk: `T#${tenant}`, sk: `S#${fixture.subjectId}` });
  }

  async marketingItem(fixture: Fixture, tenant = 'demo'): Promise<Record<string, unknown> | undefined> {
    return this.get('Subscribers', { pk: `T#${tenant}`, sk: `S#${fixture.subjectId}#MKT` });
  }

  async messages(fixture: Fixture, tenant = 'demo'): Promise<number> {
    return this.countPartition('MessageLog', `T#${tenant}#S#${fixture.subjectId}`);
  }

  async ledger(fixture: Fixture, tenant = 'demo'): Promise<number> {
    return this.countPartition('ConsentLedger', `T#${tenant}#S#${fixture.subjectId}`);
  }

  async suppressionScopes(fixture: Fixture, as: 'demo' | 'acme' = 'demo'): Promise<string[]> {
    const state = await this.server.request('GET', `/v1/opt-outs/${encodePhone(fixture.phone)}`, { as });
    return state.body.scopes as string[];
  }

  /** AuditLog entries of a tenant's day. */
  async audit(day: string, tenant = 'demo'): Promise<Array<Record<string, unknown>>> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.table('AuditLog'),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `T#${tenant}#D#${day}` },
        ConsistentRead: true,
      }),
    );
    return Items;
  }

  private async get(
    table: string,
    key: Record<string, string>,
  ): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table(table), Key: key, ConsistentRead: true }),
    );
    return Item;
  }

  private async countPartition(table: string, pk: string): Promise<number> {
    const { Count = 0 } = await this.db.send(
      new QueryCommand({
        TableName: this.table(table),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
        Select: 'COUNT',
      }),
    );
    return Count;
  }
}
