import {
  ConsentContentionError,
  MAX_CONSENT_ATTEMPTS,
  nextEventInstant,
  recordOptIn,
  recordOptOut,
  type ConsentDeps,
  type ConsentState,
  type ConsentStore,
  type OptInChanges,
  type ProviderOptOutList,
  type ProviderRemoval,
  type Suppression,
} from '../../lambdas/domain/consent';
import { RETENTION, addPeriod } from '../../lambdas/domain/retention';
import type { ConsentEvent } from '../../lambdas/domain/subscribers';

const NOW = new Date('2026-11-24T12:00:00Z');

interface StoreSetup {
  readonly suppressions?: Record<string, Partial<Suppression>>;
  readonly pending?: boolean;
  readonly head?: string;
  /** Writes that come back 'stale' before one succeeds. @default 0 */
  readonly staleWrites?: number;
}

/** Records what the domain asks of its store port; the DynamoDB adapter is exercised by the integration tests. */
function recordingStore(setup: StoreSetup = {}) {
  const calls = {
    optOut: [] as Array<[Suppression, ConsentEvent, string | undefined]>,
    optIn: [] as Array<[ConsentEvent, OptInChanges, string | undefined]>,
    removalDone: [] as string[],
    removalRefused: [] as Array<[string, string]>,
  };
  let stale = setup.staleWrites ?? 0;
  // What stands now: an opt-in that clears a suppression removes it, and a test may add one as a concurrent STOP.
  const suppressions: Record<string, Partial<Suppression>> = { ...setup.suppressions };
  const state = (): ConsentState => ({
    suppressions: Object.fromEntries(
      Object.entries(suppressions).map(([scope, s]) => [
        scope,
        { tenantId: 'demo', subjectId: 'abc', scope, since: '2026-01-01T00:00:00.000Z', source: 'api', ...s },
      ]),
    ),
    head: setup.head,
    pendingConfirmation: setup.pending ?? false,
  });
  const store: ConsentStore = {
    suppressionState: async () => ({ scopes: Object.keys(suppressions).sort() }),
    state: async () => state(),
    optOut: async (suppression, event, head) => {
      calls.optOut.push([suppression, event, head]);
      return stale-- > 0 ? 'stale' : 'recorded';
    },
    optIn: async (event, changes, head) => {
      calls.optIn.push([event, changes, head]);
      if (stale-- > 0) return 'stale';
      if (changes.clearSuppression) delete suppressions[event.scope];
      return 'recorded';
    },
    markConfirmed: async () => undefined,
    providerRemovalDone: async (_tenantId, subjectId) => void calls.removalDone.push(subjectId),
    providerRemovalRefused: async (_tenantId, subjectId, refusal) =>
      void calls.removalRefused.push([subjectId, refusal]),
    providerRemovalPending: async () => false,
  };
  const derived: string[] = [];
  const deps: ConsentDeps = {
    consent: store,
    subjectIds: {
      derive: async (tenantId, e164) => {
        derived.push(`${tenantId}:${e164}`);
        return `subject-${derived.length}`;
      },
    },
    newLedgerId: () => 'event-1',
  };
  return { deps, calls, derived, suppressions };
}

/** A provider list that records what it is asked, and answers removals as told. */
function providerList(
  removal: ProviderRemoval = { removed: true },
  addFails = false,
  /** Runs inside each removal, before it answers. @default - nothing */
  duringRemoval: () => void = () => undefined,
) {
  const added: string[] = [];
  const removed: string[] = [];
  const list: ProviderOptOutList = {
    add: async (e164) => {
      if (addFails) throw new Error('ThrottlingException');
      added.push(e164);
    },
    remove: async (e164) => {
      duringRemoval();
      removed.push(e164);
      return removal;
    },
    optedOut: async function* () {
      // nothing listed
    },
  };
  return { list, added, removed };
}

describe('recordOptOut', () => {
  it('defaults to scope all, and keeps the proof for five years without the number', async () => {
    const { deps, calls, derived } = recordingStore();

    const result = await recordOptOut(
      deps,
      'demo',
      { subjectId: 'subject-1', e164: '+447400123456', source: 'keyword', evidence: { keyword: 'STOP' } },
      NOW,
    );

    expect(result).toEqual({
      outcome: 'recorded',
      since: NOW.toISOString(),
      subjectId: 'subject-1',
      scope: 'all',
      confirmationDue: false,
      recordedByThisChange: true,
    });
    // The caller derived the subject id; the ledger code derives none.
    expect(derived).toEqual([]);
    const [[suppression, event]] = calls.optOut as [[Suppression, ConsentEvent, undefined]];
    expect(suppression).toEqual({
      tenantId: 'demo',
      subjectId: 'subject-1',
      scope: 'all',
      since: NOW.toISOString(),
      source: 'keyword',
    });
    expect(event).toMatchObject({ type: 'opt_out', scope: 'all', evidence: { keyword: 'STOP' } });
    expect(event.expiresAt).toBe(addPeriod(NOW, RETENTION.consentProof.period!).getTime() / 1000);
    expect(JSON.stringify(event)).not.toContain('7400123456');
  });

  it('reports the standing suppression on a repeat and writes nothing', async () => {
    const { deps, calls } = recordingStore({ suppressions: { offers: {} } });

    const result = await recordOptOut(
      deps,
      'demo',
      { subjectId: 'abc', e164: '+447400123456', source: 'api', scope: 'offers' },
      NOW,
    );

    expect(result).toMatchObject({
      outcome: 'already',
      since: '2026-01-01T00:00:00.000Z',
      scope: 'offers',
      confirmationDue: false,
      recordedByThisChange: false,
    });
    expect(calls.optOut).toEqual([]);
  });

  it('owes the confirmation again only to a redelivery of the message that opted out before it was confirmed', async () => {
    const unconfirmed = recordingStore({ suppressions: { all: { causeId: 'm-1' } } });
    const confirmed = recordingStore({
      suppressions: { all: { causeId: 'm-1', confirmedAt: NOW.toISOString() } },
    });
    const change = { subjectId: 'abc', e164: '+447400123456', source: 'keyword' as const };

    const redelivered = await recordOptOut(unconfirmed.deps, 'demo', { ...change, causeId: 'm-1' }, NOW);
    const otherStop = await recordOptOut(unconfirmed.deps, 'demo', { ...change, causeId: 'm-2' }, NOW);
    const afterConfirmation = await recordOptOut(confirmed.deps, 'demo', { ...change, causeId: 'm-1' }, NOW);

    expect([redelivered, otherStop, afterConfirmation].map((r) => r.confirmationDue)).toEqual([
      true,
      false,
      false,
    ]);
    // Whoever caused the standing suppression knows it on every delivery, confirmed or not.
    expect([redelivered, otherStop, afterConfirmation].map((r) => r.recordedByThisChange)).toEqual([
      true,
      false,
      true,
    ]);
  });

  it('decides again from a fresh read when another consent event got there first', async () => {
    const head = `${NOW.toISOString()}#later`;
    const { deps, calls } = recordingStore({ head, staleWrites: 1 });

    const result = await recordOptOut(
      deps,
      'demo',
      { subjectId: 'abc', e164: '+447400123456', source: 'api' },
      NOW,
    );

    expect(result.outcome).toBe('recorded');
    expect(calls.optOut).toHaveLength(2);
    // Ordered after the head it read, even though the clock says the same millisecond.
    expect(calls.optOut[1]![1].at).toBe(new Date(NOW.getTime() + 1).toISOString());
    expect(calls.optOut[1]![2]).toBe(head);
  });

  it('gives up with a retryable 503 when the subject keeps changing under it', async () => {
    const { deps, calls } = recordingStore({ staleWrites: Number.POSITIVE_INFINITY });

    await expect(
      recordOptOut(deps, 'demo', { subjectId: 'abc', e164: '+447400123456', source: 'api' }, NOW),
    ).rejects.toBeInstanceOf(ConsentContentionError);
    expect(calls.optOut).toHaveLength(MAX_CONSENT_ATTEMPTS);
  });

  it('mirrors an opt-out of every message to the provider list, but not a topic opt-out', async () => {
    const provider = providerList();
    const { deps } = recordingStore();
    const withList = { ...deps, providerOptOuts: provider.list };

    await recordOptOut(withList, 'demo', { subjectId: 's-1', e164: '+447400123456', source: 'api' }, NOW);
    await recordOptOut(
      withList,
      'demo',
      { subjectId: 's-2', e164: '+447400654321', source: 'api', scope: 'offers' },
      NOW,
    );

    expect(provider.added).toEqual(['+447400123456']);
  });

  it('fails after recording when the provider list cannot be updated, so a retry mirrors it again', async () => {
    const provider = providerList({ removed: true }, true);
    const { deps, calls } = recordingStore();

    await expect(
      recordOptOut(
        { ...deps, providerOptOuts: provider.list },
        'demo',
        { subjectId: 's-1', e164: '+447400123456', source: 'api' },
        NOW,
      ),
    ).rejects.toMatchObject({
      name: 'ProviderMirrorPendingError',
      status: 503,
      headers: { 'retry-after': '5' },
    });
    expect(calls.optOut).toHaveLength(1);
  });
});

describe('recordOptIn', () => {
  const change = { subjectId: 'abc', e164: '+447400123456', source: 'keyword' as const };

  it('clears a standing suppression as re_opt_in and asks the providers to forget the number', async () => {
    const provider = providerList();
    const { deps, calls } = recordingStore({ suppressions: { all: {} } });

    const result = await recordOptIn({ ...deps, providerOptOuts: provider.list }, 'demo', change, NOW);

    expect(result).toEqual({ outcome: 're_opt_in', subjectId: 'abc' });
    expect(calls.optIn).toEqual([
      [
        expect.objectContaining({ type: 're_opt_in', scope: 'all' }),
        { clearSuppression: true, confirmSubscriber: false, requestProviderRemoval: true },
        undefined,
      ],
    ]);
    expect(provider.removed).toEqual(['+447400123456']);
    expect(calls.removalDone).toEqual(['abc']);
  });

  it('keeps a refused provider removal pending, with the refusal, and still records the opt-in', async () => {
    const provider = providerList({ removed: false, refusal: 'sns:ThrottledException' });
    const { deps, calls } = recordingStore({ suppressions: { all: {} } });

    const result = await recordOptIn({ ...deps, providerOptOuts: provider.list }, 'demo', change, NOW);

    expect(result.outcome).toBe('re_opt_in');
    expect(calls.removalRefused).toEqual([['abc', 'sns:ThrottledException']]);
    expect(calls.removalDone).toEqual([]);
  });

  it('confirms a pending double opt-in as opt_in_confirmed', async () => {
    const { deps, calls } = recordingStore({ pending: true });

    const result = await recordOptIn(deps, 'demo', { ...change, evidence: { keyword: 'YES' } }, NOW);

    expect(result.outcome).toBe('opt_in_confirmed');
    expect(calls.optIn[0]?.[1]).toEqual({
      clearSuppression: false,
      confirmSubscriber: true,
      requestProviderRemoval: false,
    });
  });

  it('confirms no double opt-in when told not to (new consent given through the API)', async () => {
    const { deps, calls } = recordingStore({ pending: true });

    const result = await recordOptIn(deps, 'demo', { ...change, source: 'api' }, NOW, { confirm: false });

    expect(result.outcome).toBe('unchanged');
    expect(calls.optIn).toEqual([]);
  });

  it('lists the number again when an opt-out of everything commits while the removal is under way', async () => {
    const { deps, calls, suppressions } = recordingStore({ suppressions: { all: {} } });
    // The concurrent STOP lists the number itself just before this removal takes it off.
    const provider = providerList({ removed: true }, false, () => {
      suppressions.all = {};
    });

    const result = await recordOptIn({ ...deps, providerOptOuts: provider.list }, 'demo', change, NOW);

    expect(result.outcome).toBe('re_opt_in');
    expect(provider.removed).toEqual(['+447400123456']);
    expect(provider.added).toEqual(['+447400123456']);
    // The opt-out dropped the pending removal in its own transaction; there is nothing to mark done.
    expect(calls.removalDone).toEqual([]);
  });

  it('takes the number off the lists for good when only a topic opt-out commits meanwhile', async () => {
    const { deps, calls, suppressions } = recordingStore({ suppressions: { all: {} } });
    const provider = providerList({ removed: true }, false, () => {
      suppressions.offers = {};
    });

    await recordOptIn({ ...deps, providerOptOuts: provider.list }, 'demo', change, NOW);

    expect(provider.added).toEqual([]);
    expect(calls.removalDone).toEqual(['abc']);
  });

  it('records nothing for an opt-in sent before the opt-out standing, and lists that opt-out again', async () => {
    const provider = providerList();
    const { deps, calls } = recordingStore({ suppressions: { all: { since: '2026-11-24T12:00:02.000Z' } } });
    const sentAt = new Date('2026-11-24T12:00:01.000Z');

    const result = await recordOptIn(
      { ...deps, providerOptOuts: provider.list },
      'demo',
      { ...change, sentAt },
      NOW,
    );

    expect(result.outcome).toBe('unchanged');
    expect(calls.optIn).toEqual([]);
    expect(provider.removed).toEqual([]);
    expect(provider.added).toEqual(['+447400123456']);
  });

  it('still records an opt-in sent at the same instant as the opt-out, or after it', async () => {
    for (const sentAt of ['2026-11-24T12:00:02.000Z', '2026-11-24T12:00:03.000Z']) {
      const { deps, calls } = recordingStore({
        suppressions: { all: { since: '2026-11-24T12:00:02.000Z' } },
      });

      const result = await recordOptIn(deps, 'demo', { ...change, sentAt: new Date(sentAt) }, NOW);

      expect(result.outcome).toBe('re_opt_in');
      expect(calls.optIn).toHaveLength(1);
    }
  });

  it('is superseded only by an opt-out of its own scope', async () => {
    // GIVEN an opt-out of everything from before the START, and a topic opt-out from after it
    const { deps, calls } = recordingStore({
      suppressions: {
        all: { since: '2026-11-24T11:00:00.000Z' },
        offers: { since: '2026-11-24T12:00:02.000Z' },
      },
      head: '2026-11-24T12:00:02.000Z#offers',
    });

    const result = await recordOptIn(
      deps,
      'demo',
      { ...change, sentAt: new Date('2026-11-24T12:00:01.000Z') },
      NOW,
    );

    // THEN the START still lifts the opt-out of everything; the later topic opt-out stands
    expect(result.outcome).toBe('re_opt_in');
    expect(calls.optIn[0]?.[0]).toMatchObject({ scope: 'all' });
    expect(calls.optIn[0]?.[1]).toMatchObject({ clearSuppression: true });
  });

  it('honours a superseded opt-in of one topic as nothing, and lists nothing again', async () => {
    const provider = providerList();
    const { deps, calls } = recordingStore({
      suppressions: { all: {}, offers: { since: '2026-11-24T12:00:02.000Z' } },
    });

    const result = await recordOptIn(
      { ...deps, providerOptOuts: provider.list },
      'demo',
      { ...change, scope: 'offers', sentAt: new Date('2026-11-24T12:00:01.000Z') },
      NOW,
    );

    expect(result.outcome).toBe('unchanged');
    expect(calls.optIn).toEqual([]);
    expect(provider.added).toEqual([]);
  });

  it('asks an inbound opt-in to be retried when listing the number again fails, and nobody else', async () => {
    const sentAt = new Date('2026-11-24T11:59:59.000Z');
    const inbound = { ...change, causeId: 'm-1', sentAt };
    const api = { ...change, source: 'api' as const, sentAt };
    for (const given of [inbound, api, change]) {
      const { deps, calls, suppressions } = recordingStore({ suppressions: { all: {} } });
      const provider = providerList({ removed: true }, true, () => {
        suppressions.all = {};
      });

      const attempt = recordOptIn({ ...deps, providerOptOuts: provider.list }, 'demo', given, NOW);

      // An SQS redelivery keeps its sentAt, so it is superseded by the opt-out and lists the number again; an API
      // client's retry may carry a later capturedAt, which would be new consent that lifts the opt-out, so the API
      // path gets no retryable error.
      if (given === inbound)
        await expect(attempt).rejects.toMatchObject({ name: 'ProviderMirrorPendingError', status: 503 });
      else await expect(attempt).resolves.toMatchObject({ outcome: 're_opt_in' });
      expect(provider.removed).toEqual(['+447400123456']);
      expect(calls.removalDone).toEqual([]);
    }
  });

  it('records nothing when nothing was suppressed or pending', async () => {
    const { deps, calls } = recordingStore({ suppressions: { offers: {} } });

    const result = await recordOptIn(deps, 'demo', change, NOW);

    expect(result.outcome).toBe('unchanged');
    expect(calls.optIn).toEqual([]);
  });
});

describe('nextEventInstant', () => {
  it('is now when the head is older, and just after the head when the clock is behind it', () => {
    expect(nextEventInstant(NOW, undefined)).toEqual(NOW);
    expect(nextEventInstant(NOW, '2026-11-24T11:59:59.999Z#e')).toEqual(NOW);
    expect(nextEventInstant(NOW, '2026-11-24T12:00:05.000Z#e')).toEqual(new Date('2026-11-24T12:00:05.001Z'));
  });
});
