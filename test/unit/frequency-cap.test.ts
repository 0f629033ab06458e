import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoMarketingHistory } from '../../lambdas/adapters/dynamo/marketing-history';
import {
  describeFrequencyCap,
  FREQUENCY_CAP_MAX_DAYS,
  FrequencyCapError,
  frequencyCapOf,
  frequencyCapWindowStart,
  hasReachedFrequencyCap,
  isOverFrequencyCap,
  type FrequencyCap,
  type MarketingHistory,
} from '../../lambdas/domain/frequency-cap';
import { sendMessage, type MessageRecord, type SendDeps } from '../../lambdas/domain/messages';
import { addPeriod, RETENTION } from '../../lambdas/domain/retention';
import type { MessageCategory } from '../../lambdas/domain/sms';
import type { SubscriberRecord } from '../../lambdas/domain/subscribers';
import { ProblemError } from '../../lambdas/shared/problem';

const NOON = new Date('2026-11-24T12:00:00Z');
const TO = '+447400123456';
const CAP: FrequencyCap = { messages: 4, days: 7 };

describe('isOverFrequencyCap', () => {
  it('holds a recipient who has had as many marketing messages as the cap allows, and no fewer', () => {
    expect(isOverFrequencyCap(CAP, 3)).toBe(false);
    expect(isOverFrequencyCap(CAP, 4)).toBe(true);
    expect(isOverFrequencyCap(CAP, 5)).toBe(true);
    expect(isOverFrequencyCap({ messages: 1, days: 1 }, 0)).toBe(false);
    expect(isOverFrequencyCap({ messages: 1, days: 1 }, 1)).toBe(true);
  });

  it('never holds anyone when the tenant has no cap', () => {
    expect(isOverFrequencyCap(undefined, 1_000)).toBe(false);
  });
});

describe('the frequency cap window and its words', () => {
  it('starts the window the cap’s days of 24 hours before now', () => {
    expect(frequencyCapWindowStart(CAP, NOON).toISOString()).toBe('2026-11-17T12:00:00.000Z');
  });

  it('says the cap in words', () => {
    expect(describeFrequencyCap(CAP)).toBe('at most 4 marketing messages in 7 days');
    expect(describeFrequencyCap({ messages: 1, days: 1 })).toBe('at most 1 marketing message in 1 day');
  });

  it('keeps the longest window inside the retention of messages, whatever day it ends on', () => {
    // GIVEN every send day of four years (leap day included) and the MessageLog retention of retention.ts
    const period = RETENTION.messageTraffic.period!;
    for (let day = 0; day < 4 * 366; day += 1) {
      const sentAt = new Date(Date.UTC(2026, 0, 1 + day, 23, 59));
      // THEN a message sent at the start of the longest window is still kept at its end
      const keptDays = (addPeriod(sentAt, period).getTime() - sentAt.getTime()) / 86_400_000;
      expect(keptDays).toBeGreaterThan(FREQUENCY_CAP_MAX_DAYS);
    }
  });

  it('refuses a malformed stored cap instead of sending uncapped, and reads an absent one as none', () => {
    expect(frequencyCapOf('demo', undefined)).toBeUndefined();
    expect(frequencyCapOf('demo', { messages: 4, days: 7 })).toEqual(CAP);
    for (const bad of [{ messages: 0, days: 7 }, { messages: 4, days: 181 }, { messages: 4 }, 'weekly']) {
      expect(() => frequencyCapOf('demo', bad)).toThrow('Tenant demo has an invalid frequency cap');
    }
  });

  it('answers 422 frequency-cap with the cap in words and numbers, and nothing about the recipient', () => {
    const body = new FrequencyCapError(CAP).toJSON();
    expect(body).toMatchObject({
      type: 'urn:optline:problem:frequency-cap',
      status: 422,
      frequencyCap: { messages: 4, days: 7 },
    });
    expect(body.detail).toContain('at most 4 marketing messages in 7 days');
  });
});

describe('hasReachedFrequencyCap', () => {
  it('reads the history once, from the window start, counting at most up to the cap', async () => {
    const history: MarketingHistory = { countSince: jest.fn(async () => 4) };
    const recipient = { tenantId: 'demo', subjectId: 'subject-1' };

    expect(await hasReachedFrequencyCap(history, CAP, recipient, NOON)).toBe(true);
    expect(history.countSince).toHaveBeenCalledTimes(1);
    expect(history.countSince).toHaveBeenCalledWith('demo', 'subject-1', new Date('2026-11-17T12:00:00Z'), 4);
  });

  it('reads nothing when there is no cap', async () => {
    const history: MarketingHistory = { countSince: jest.fn(async () => 99) };
    expect(await hasReachedFrequencyCap(history, undefined, { tenantId: 'demo', subjectId: 's' }, NOON)).toBe(
      false,
    );
    expect(history.countSince).not.toHaveBeenCalled();
  });
});

/** The send flow with in-memory ports: a recipient with a profile, a history of `hadMarketing` messages. */
function sendFlow(options: {
  hadMarketing: number;
  subscriber?: Partial<SubscriberRecord> | null;
  /** The tenant's stored cap; 'none' leaves it out. @default CAP */
  cap?: unknown;
  now?: Date;
}) {
  const logged: MessageRecord[] = [];
  const sent: string[] = [];
  const countSince = jest.fn(async (_t: string, _s: string, _since: Date, atMost: number) =>
    Math.min(options.hadMarketing, atMost),
  );
  const deps: SendDeps = {
    messages: {
      recipientState: async (tenantId, subjectId) => ({
        subscriber:
          options.subscriber === null
            ? undefined
            : {
                tenantId,
                subjectId,
                phone: TO,
                status: 'active',
                topics: [],
                timeZone: 'Europe/London',
                createdAt: NOON.toISOString(),
                lastInteractionAt: NOON.toISOString(),
                ...options.subscriber,
              },
        suppressedScopes: [],
      }),
      log: async (record) => {
        logged.push(record);
        return 'logged';
      },
      findById: async () => undefined,
    },
    marketingHistory: { countSince },
    tenants: {
      get: async (tenantId) => ({
        tenantId,
        brand: 'Demo',
        contact: 'help@example.test',
        channel: { channel: 'outbox' },
        denyList: ['bit.ly'],
        ...(options.cap === 'none' ? {} : { frequencyCap: (options.cap ?? CAP) as FrequencyCap }),
      }),
    },
    subjectIds: { derive: async () => 'subject-1' },
    sender: {
      send: async (message) => {
        sent.push(message.messageId);
        return { channel: 'outbox' as const };
      },
    },
    clock: () => options.now ?? NOON,
    newId: () => 'message-1',
    onNotLogged: () => undefined,
  };
  return { deps, logged, sent, countSince };
}

const marketing = (body = 'Sale: 20% off this week') => ({
  to: TO,
  body,
  category: 'marketing' as MessageCategory,
});

const slugOf = async (promise: Promise<unknown>): Promise<string> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ProblemError)) throw new Error(`expected a problem, got ${String(error)}`);
  return error.slug;
};

describe('sendMessage with a frequency cap', () => {
  it('sends a marketing message to a recipient under the cap, after one bounded count', async () => {
    const { deps, logged, sent, countSince } = sendFlow({ hadMarketing: 3 });

    await expect(sendMessage(deps, 'demo', marketing())).resolves.toMatchObject({ status: 'sent' });

    expect(countSince).toHaveBeenCalledWith('demo', 'subject-1', new Date('2026-11-17T12:00:00Z'), 4);
    expect(sent).toEqual(['message-1']);
    expect(logged).toHaveLength(1);
  });

  it('refuses a marketing message at the cap with 422 frequency-cap, sending and logging nothing', async () => {
    const { deps, logged, sent } = sendFlow({ hadMarketing: 4 });

    const error = await sendMessage(deps, 'demo', marketing()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(FrequencyCapError);
    expect((error as FrequencyCapError).toJSON()).toMatchObject({ frequencyCap: CAP });
    expect(JSON.stringify((error as FrequencyCapError).toJSON())).not.toContain(TO.slice(1));
    expect(sent).toEqual([]);
    expect(logged).toEqual([]);
  });

  it('never caps a transactional message, nor reads the history for one', async () => {
    const { deps, sent, countSince } = sendFlow({ hadMarketing: 50 });

    await sendMessage(deps, 'demo', { to: TO, body: 'Your code is 1234', category: 'transactional' });

    expect(sent).toEqual(['message-1']);
    expect(countSince).not.toHaveBeenCalled();
  });

  it('sends uncapped marketing for a tenant without a cap, without reading the history', async () => {
    const { deps, sent, countSince } = sendFlow({ hadMarketing: 50, cap: 'none' });

    await sendMessage(deps, 'demo', marketing());

    expect(sent).toEqual(['message-1']);
    expect(countSince).not.toHaveBeenCalled();
  });

  it('fails a marketing send, sending nothing, when the stored cap is malformed', async () => {
    const { deps, sent } = sendFlow({ hadMarketing: 0, cap: { messages: 0, days: 7 } });

    await expect(sendMessage(deps, 'demo', marketing())).rejects.toThrow(
      'Tenant demo has an invalid frequency cap',
    );
    expect(sent).toEqual([]);
  });

  it('checks consent before the cap: a recipient without consent gets no-consent and no history read', async () => {
    const { deps, countSince } = sendFlow({ hadMarketing: 4, subscriber: null });

    expect(await slugOf(sendMessage(deps, 'demo', marketing()))).toBe('no-consent');
    expect(countSince).not.toHaveBeenCalled();
  });

  it('checks quiet hours before the cap: a capped recipient at night gets quiet-hours, with no history read', async () => {
    const night = new Date('2026-11-24T23:00:00Z');
    const { deps, countSince } = sendFlow({ hadMarketing: 4, now: night });

    expect(await slugOf(sendMessage(deps, 'demo', marketing()))).toBe('quiet-hours');
    expect(countSince).not.toHaveBeenCalled();
  });

  it('checks the cap before the content: a capped message with a refused link gets frequency-cap', async () => {
    const capped = sendFlow({ hadMarketing: 4 });
    expect(await slugOf(sendMessage(capped.deps, 'demo', marketing('Sale at bit.ly/x')))).toBe(
      'frequency-cap',
    );

    const under = sendFlow({ hadMarketing: 3 });
    expect(await slugOf(sendMessage(under.deps, 'demo', marketing('Sale at bit.ly/x')))).toBe(
      'content-rejected',
    );
  });
});

describe('DynamoMarketingHistory', () => {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
  const dynamo = mockClient(client);
  const history = new DynamoMarketingHistory(client, 'MessageLog', () => NOON);
  beforeEach(() => dynamo.reset());
  afterAll(() => client.destroy());

  it('queries the subject’s partition from the window start, strongly consistent, never more than needed', async () => {
    dynamo.on(QueryCommand).resolves({ Count: 1, Items: [{ pk: 'x' }] });

    expect(await history.countSince('demo', 'subject-1', new Date('2026-11-17T12:00:00Z'), 4)).toBe(1);

    const calls = dynamo.commandCalls(QueryCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toMatchObject({
      TableName: 'MessageLog',
      KeyConditionExpression: 'pk = :pk AND sk >= :since',
      ConsistentRead: true,
      Limit: 4,
      ExpressionAttributeValues: expect.objectContaining({
        ':pk': 'T#demo#S#subject-1',
        ':since': '2026-11-17T12:00:00.000Z',
        ':marketing': 'marketing',
        ':outbound': 'outbound',
      }),
    });
  });

  it('follows pages for the matches still needed and stops as soon as the cap is reached', async () => {
    // GIVEN pages of 1 and 2 marketing matches, with more pages after them
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Count: 1, LastEvaluatedKey: { pk: 'p', sk: 'a' } })
      .resolvesOnce({ Count: 2, LastEvaluatedKey: { pk: 'p', sk: 'b' } })
      .resolves({ Count: 3, LastEvaluatedKey: { pk: 'p', sk: 'c' } });

    // WHEN counting up to a cap of 3
    const count = await history.countSince('demo', 'subject-1', new Date('2026-11-17T12:00:00Z'), 3);

    // THEN two pages were read: the first for up to 3 items, the second for the 2 still needed
    expect(count).toBe(3);
    const inputs = dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(inputs.map((input) => input.Limit)).toEqual([3, 2]);
    expect(inputs[1]!.ExclusiveStartKey).toEqual({ pk: 'p', sk: 'a' });
  });

  it('reads to the end of a short history and counts what is there', async () => {
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Count: 0, LastEvaluatedKey: { pk: 'p', sk: 'a' } })
      .resolvesOnce({ Count: 1 });

    expect(await history.countSince('demo', 'subject-1', new Date('2026-11-17T12:00:00Z'), 4)).toBe(1);
    expect(dynamo.commandCalls(QueryCommand)).toHaveLength(2);
  });
});
