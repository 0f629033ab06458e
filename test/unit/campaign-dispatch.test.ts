import {
  dispatchRecipients,
  fanOutPage,
  MAX_QUEUE_DELAY_SECONDS,
  redeliveryDelay,
  refusalOutcome,
  type CampaignWork,
  type ClaimResult,
  type DispatchDeps,
  type DispatchStore,
  type RecipientClaim,
  type RecipientOutcome,
} from '../../lambdas/domain/campaign-dispatch';
import { zeroCounts, type CampaignRecord } from '../../lambdas/domain/campaigns';
import { QuietHoursError } from '../../lambdas/domain/quiet-hours';
import { ProviderThrottledError } from '../../lambdas/domain/sms';
import { ProblemError } from '../../lambdas/shared/problem';

const NOW = new Date('2026-12-02T12:00:00.000Z');

const campaign = (over: Partial<CampaignRecord> = {}): CampaignRecord => ({
  tenantId: 'demo',
  campaignId: '3f0c2a7e-8d41-4b6a-9c55-0e2b7d1a4f90',
  body: 'Offers',
  category: 'marketing',
  status: 'dispatching',
  sendAt: NOW.toISOString(),
  createdAt: NOW.toISOString(),
  counts: zeroCounts(),
  pending: 0,
  pagesDone: 0,
  fanOutDone: false,
  requestHash: 'h',
  expiresAt: 0,
  ...over,
});

/** An in-memory store with the adapter's semantics, recording what the steps did. */
function fakeStore(record: CampaignRecord) {
  let current = record;
  const claims = new Map<
    string,
    { state: string; token?: string; retryAt?: Date; deferredOnce?: boolean; stale?: boolean }
  >();
  const settled: Array<[string, RecipientOutcome]> = [];
  const deferred: Array<[string, Date]> = [];
  const released: string[] = [];
  const store: DispatchStore = {
    get: async () => current,
    beginDispatch: async () => current.status === 'dispatching' || current.status === 'scheduled',
    advanceFanOut: async (_c, page, next, count) => {
      if (current.pagesDone !== page) return false;
      current = {
        ...current,
        pagesDone: page + 1,
        ...(next === undefined ? { fanOutDone: true } : { cursor: next }),
        pending: current.pending + count,
        counts: { ...current.counts, targeted: current.counts.targeted + count },
      };
      return true;
    },
    claim: async (_t, _c, subjectId, token, now): Promise<ClaimResult> => {
      const existing = claims.get(subjectId);
      if (
        !existing ||
        existing.state === 'released' ||
        (existing.state === 'deferred' && existing.retryAt! <= now)
      ) {
        claims.set(subjectId, { state: 'claimed', token, deferredOnce: existing?.deferredOnce });
        return { kind: 'claimed', wasDeferred: existing?.deferredOnce === true };
      }
      if (existing.state === 'deferred') return { kind: 'not-due', retryAt: existing.retryAt! };
      if (existing.state === 'claimed' && existing.stale)
        return { kind: 'stale', token: existing.token!, claimedAt: NOW, wasDeferred: false };
      return { kind: 'taken' };
    },
    settle: async (claim: RecipientClaim, outcome) => {
      claims.set(claim.subjectId, { state: outcome.kind });
      settled.push([claim.subjectId, outcome]);
    },
    defer: async (claim, retryAt) => {
      claims.set(claim.subjectId, { state: 'deferred', retryAt, deferredOnce: true });
      deferred.push([claim.subjectId, retryAt]);
    },
    release: async (claim) => {
      claims.set(claim.subjectId, { state: 'released' });
      released.push(claim.subjectId);
    },
    completeIfDone: async () => undefined,
  };
  return {
    store,
    claims,
    settled,
    deferred,
    released,
    cancel: () => (current = { ...current, status: 'cancelled' }),
    current: () => current,
  };
}

function deps(
  store: DispatchStore,
  send: DispatchDeps['sender']['send'],
  pages: string[][] = [],
  messageLog: DispatchDeps['messageLog'] = { find: async () => undefined },
) {
  const queued: Array<{ work: readonly CampaignWork[]; delay?: number }> = [];
  let token = 0;
  const value: DispatchDeps = {
    store,
    messageLog,
    audience: {
      readAudience: async (_t, _topic, cursor) => {
        const index = cursor === undefined ? 0 : Number(cursor);
        return {
          subjectIds: pages[index] ?? [],
          ...(index + 1 < pages.length ? { cursor: String(index + 1) } : {}),
        };
      },
    },
    queue: { send: async (work, delay) => void queued.push({ work, delay }) },
    sender: { send },
    clock: () => NOW,
    newToken: () => `token-${(token += 1)}`,
  };
  return { deps: value, queued };
}

const subject = (n: number) => `${String(n).padStart(3, '0')}${'x'.repeat(40)}`;
const work = (subjectIds: string[]): Extract<CampaignWork, { kind: 'recipients' }> => ({
  kind: 'recipients',
  tenantId: 'demo',
  campaignId: campaign().campaignId,
  subjectIds,
});

describe('refusalOutcome: what a refusal of the send path means for one campaign recipient', () => {
  it.each([
    ['recipient-opted-out', 'optedOut'],
    ['no-consent', 'noConsent'],
    ['processing-restricted', 'restricted'],
    ['frequency-cap', 'frequencyCap'],
  ] as const)('skips on %s, counted as %s', (slug, reason) => {
    expect(refusalOutcome(new ProblemError(slug))).toEqual({ kind: 'skip', reason });
  });

  it('defers a recipient in quiet hours to the start of their window', () => {
    const retryAt = new Date('2026-12-02T20:00:00.000Z');
    expect(refusalOutcome(new QuietHoursError({ retryAt, zones: ['America/New_York'] }))).toEqual({
      kind: 'defer',
      retryAt,
    });
  });

  it('fails on another problem, and leaves a fault (not a problem) to be retried', () => {
    expect(refusalOutcome(new ProblemError('content-rejected'))).toEqual({ kind: 'fail' });
    expect(refusalOutcome(new Error('ThrottlingException'))).toBeUndefined();
  });
});

describe('redeliveryDelay', () => {
  it('waits until the recipient is due, at most the 15 minutes SQS can delay, and never less than 0', () => {
    expect(redeliveryDelay(new Date(NOW.getTime() + 90_500), NOW)).toBe(91);
    expect(redeliveryDelay(new Date(NOW.getTime() + 9 * 3_600_000), NOW)).toBe(MAX_QUEUE_DELAY_SECONDS);
    expect(redeliveryDelay(new Date(NOW.getTime() - 1000), NOW)).toBe(0);
  });
});

describe('fanOutPage', () => {
  it('hands a page to dispatch in messages of ten, counts it once, and queues the next page', async () => {
    const fake = fakeStore(campaign());
    const ids = Array.from({ length: 25 }, (_, i) => subject(i));
    const { deps: d, queued } = deps(fake.store, jest.fn(), [ids, [subject(99)]]);

    await fanOutPage(d, { kind: 'page', tenantId: 'demo', campaignId: campaign().campaignId, page: 0 });

    expect(queued[0]!.work.map((w) => (w.kind === 'recipients' ? w.subjectIds.length : -1))).toEqual([
      10, 10, 5,
    ]);
    expect(queued[1]!.work).toEqual([expect.objectContaining({ kind: 'page', page: 1 })]);
    expect(fake.current()).toMatchObject({
      pagesDone: 1,
      cursor: '1',
      pending: 25,
      counts: { targeted: 25 },
    });
  });

  it('counts nothing twice for a redelivered page, and only makes sure the next page was queued', async () => {
    const fake = fakeStore(campaign({ pagesDone: 1, cursor: '1', pending: 25 }));
    const { deps: d, queued } = deps(fake.store, jest.fn(), [[subject(1)], [subject(2)]]);

    await fanOutPage(d, { kind: 'page', tenantId: 'demo', campaignId: campaign().campaignId, page: 0 });

    expect(queued).toEqual([
      { work: [expect.objectContaining({ kind: 'page', page: 1 })], delay: undefined },
    ]);
    expect(fake.current()).toMatchObject({ pagesDone: 1, pending: 25 });
  });

  it('ends the fan-out on the last page and reads nothing once cancelled', async () => {
    const fake = fakeStore(campaign());
    const { deps: d, queued } = deps(fake.store, jest.fn(), [[subject(1)]]);
    await fanOutPage(d, { kind: 'page', tenantId: 'demo', campaignId: campaign().campaignId, page: 0 });
    expect(fake.current().fanOutDone).toBe(true);
    expect(queued.flatMap((q) => q.work).filter((w) => w.kind === 'page')).toEqual([]);

    const cancelled = fakeStore(campaign({ status: 'cancelled' }));
    const readAudience = jest.fn();
    const second = deps(cancelled.store, jest.fn());
    await fanOutPage(
      { ...second.deps, audience: { readAudience } },
      {
        kind: 'page',
        tenantId: 'demo',
        campaignId: campaign().campaignId,
        page: 0,
      },
    );
    expect(readAudience).not.toHaveBeenCalled();
  });
});

describe('dispatchRecipients', () => {
  it('sends each recipient once, however often the message is delivered', async () => {
    const fake = fakeStore(campaign());
    const send = jest.fn().mockResolvedValue({ messageId: 'm', status: 'sent' });
    const { deps: d } = deps(fake.store, send);

    await dispatchRecipients(d, work([subject(1), subject(2)]));
    await dispatchRecipients(d, work([subject(1), subject(2)]));

    expect(send).toHaveBeenCalledTimes(2);
    expect(fake.settled.map(([id, outcome]) => [id, outcome.kind])).toEqual([
      [subject(1), 'sent'],
      [subject(2), 'sent'],
    ]);
  });

  it('settles skips with their reason, and a provider refusal as failed', async () => {
    const fake = fakeStore(campaign());
    const send = jest
      .fn()
      .mockRejectedValueOnce(new ProblemError('recipient-opted-out'))
      .mockResolvedValueOnce({ messageId: 'm', status: 'failed' });
    const { deps: d } = deps(fake.store, send);

    await dispatchRecipients(d, work([subject(1), subject(2)]));

    expect(fake.settled).toEqual([
      [subject(1), { kind: 'skipped', reason: 'optedOut' }],
      [subject(2), { kind: 'failed', messageId: 'm' }],
    ]);
  });

  it('defers a recipient in quiet hours and queues them again with a delay of at most 15 minutes', async () => {
    const fake = fakeStore(campaign());
    const retryAt = new Date(NOW.getTime() + 8 * 3_600_000);
    const send = jest.fn().mockRejectedValue(new QuietHoursError({ retryAt, zones: ['Asia/Tokyo'] }));
    const { deps: d, queued } = deps(fake.store, send);

    await dispatchRecipients(d, work([subject(1)]));
    expect(fake.deferred).toEqual([[subject(1), retryAt]]);
    expect(queued).toEqual([{ work: [work([subject(1)])], delay: MAX_QUEUE_DELAY_SECONDS }]);

    // Delivered again before it is due: not sent, queued again.
    await dispatchRecipients(d, work([subject(1)]));
    expect(send).toHaveBeenCalledTimes(1);
    expect(queued).toHaveLength(2);
  });

  it('releases the claim and rethrows on a fault, so the redelivery sends the recipient once', async () => {
    const fake = fakeStore(campaign());
    const send = jest
      .fn()
      .mockRejectedValueOnce(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }))
      .mockResolvedValueOnce({ messageId: 'm', status: 'sent' });
    const { deps: d } = deps(fake.store, send);

    await expect(dispatchRecipients(d, work([subject(1)]))).rejects.toThrow('throttled');
    expect(fake.released).toEqual([subject(1)]);
    await dispatchRecipients(d, work([subject(1)]));

    expect(fake.settled).toEqual([[subject(1), { kind: 'sent', messageId: 'm' }]]);
  });

  it('puts the throttled recipient and the rest back on the queue, delayed, with its claim released', async () => {
    // GIVEN a send schedule that is full for the next 3 seconds when the second recipient's turn comes
    const fake = fakeStore(campaign());
    const send = jest
      .fn()
      .mockResolvedValueOnce({ messageId: 'm1', status: 'sent' })
      .mockRejectedValueOnce(new ProviderThrottledError(3));
    const { deps: d, queued } = deps(fake.store, send);

    // WHEN a message of three recipients is dispatched
    await dispatchRecipients(d, work([subject(1), subject(2), subject(3)]));

    // THEN the first is sent, the second's claim is released, and the second and third wait 3 s on the queue
    expect(send).toHaveBeenCalledTimes(2);
    expect(fake.settled).toEqual([[subject(1), { kind: 'sent', messageId: 'm1' }]]);
    expect(fake.released).toEqual([subject(2)]);
    expect(fake.claims.has(subject(3))).toBe(false);
    expect(queued).toEqual([{ work: [work([subject(2), subject(3)])], delay: 3 }]);
  });

  it.each([
    ['logged as sent', { messageId: 'm9', status: 'sent' as const }, { kind: 'sent', messageId: 'm9' }],
    ['logged as failed', { messageId: 'm9', status: 'failed' as const }, { kind: 'failed', messageId: 'm9' }],
    ['never logged', undefined, { kind: 'failed' }],
  ])(
    'settles a stale claim (its worker stopped) whose message was %s from the log, without sending',
    async (_case, logged, expected) => {
      const fake = fakeStore(campaign());
      fake.claims.set(subject(1), { state: 'claimed', token: 'dead', stale: true });
      const send = jest.fn();
      const find = jest.fn().mockResolvedValue(logged);
      const { deps: d } = deps(fake.store, send, [], { find });

      await dispatchRecipients(d, work([subject(1)]));

      expect(send).not.toHaveBeenCalled();
      expect(find).toHaveBeenCalledWith('demo', subject(1), campaign().campaignId, NOW);
      expect(fake.settled).toEqual([[subject(1), expected]]);
    },
  );

  it('stops at once when the campaign is cancelled between two recipients', async () => {
    const fake = fakeStore(campaign());
    const send = jest.fn().mockImplementation(async () => {
      fake.cancel();
      return { messageId: 'm', status: 'sent' };
    });
    const { deps: d } = deps(fake.store, send);

    await dispatchRecipients(d, work([subject(1), subject(2), subject(3)]));

    expect(send).toHaveBeenCalledTimes(1);
    expect(fake.claims.has(subject(2))).toBe(false);
  });
});
