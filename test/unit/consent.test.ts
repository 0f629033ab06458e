import {
  recordOptIn,
  recordOptOut,
  type ConsentDeps,
  type ConsentStore,
  type OptInChanges,
  type Suppression,
} from '../../lambdas/domain/consent';
import { RETENTION, addPeriod } from '../../lambdas/domain/retention';
import type { ConsentEvent } from '../../lambdas/domain/subscribers';

const NOW = new Date('2026-11-24T12:00:00Z');

/** Records what the domain asks of its store port; the DynamoDB adapter is exercised by the integration tests. */
function recordingStore(initial: { scopes?: string[]; pending?: boolean; since?: string } = {}) {
  const calls: { optOut: Array<[Suppression, ConsentEvent]>; optIn: Array<[ConsentEvent, OptInChanges]> } = {
    optOut: [],
    optIn: [],
  };
  const store: ConsentStore = {
    suppressionState: async () => ({ scopes: initial.scopes ?? [], since: initial.since }),
    isPendingConfirmation: async () => initial.pending ?? false,
    optOut: async (suppression, event) => {
      calls.optOut.push([suppression, event]);
      return initial.since
        ? { outcome: 'already', since: initial.since }
        : { outcome: 'recorded', since: suppression.since };
    },
    optIn: async (event, changes) => {
      calls.optIn.push([event, changes]);
      return 'recorded';
    },
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
    newId: () => 'event-1',
  };
  return { deps, calls, derived };
}

describe('recordOptOut', () => {
  it('normalises the number, defaults to scope all, and keeps the proof for five years without the number', async () => {
    const { deps, calls, derived } = recordingStore();

    const result = await recordOptOut(
      deps,
      'demo',
      { e164: '+44 7400 123456', source: 'keyword', keyword: 'STOP' },
      NOW,
    );

    expect(result).toEqual({
      outcome: 'recorded',
      since: NOW.toISOString(),
      subjectId: 'subject-1',
      scope: 'all',
    });
    expect(derived).toEqual(['demo:+447400123456']);
    const [[suppression, event]] = calls.optOut as [[Suppression, ConsentEvent]];
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

  it('reports the standing suppression on a repeat', async () => {
    const { deps } = recordingStore({ since: '2026-01-01T00:00:00.000Z' });

    const result = await recordOptOut(
      deps,
      'demo',
      { subjectId: 'abc', source: 'api', scope: 'offers' },
      NOW,
    );

    expect(result).toMatchObject({ outcome: 'already', since: '2026-01-01T00:00:00.000Z', scope: 'offers' });
  });
});

describe('recordOptIn', () => {
  it('clears a standing suppression as re_opt_in', async () => {
    const { deps, calls } = recordingStore({ scopes: ['all'] });

    const result = await recordOptIn(
      deps,
      'demo',
      { subjectId: 'abc', source: 'keyword', keyword: 'START' },
      NOW,
    );

    expect(result).toEqual({ outcome: 're_opt_in', subjectId: 'abc' });
    expect(calls.optIn).toEqual([
      [
        expect.objectContaining({ type: 're_opt_in', scope: 'all' }),
        { clearSuppression: true, confirmSubscriber: false },
      ],
    ]);
  });

  it('confirms a pending double opt-in as opt_in_confirmed', async () => {
    const { deps, calls } = recordingStore({ pending: true });

    const result = await recordOptIn(
      deps,
      'demo',
      { subjectId: 'abc', source: 'keyword', keyword: 'YES' },
      NOW,
    );

    expect(result.outcome).toBe('opt_in_confirmed');
    expect(calls.optIn[0]?.[1]).toEqual({ clearSuppression: false, confirmSubscriber: true });
  });

  it('records nothing when nothing was suppressed or pending', async () => {
    const { deps, calls } = recordingStore({ scopes: ['offers'] });

    const result = await recordOptIn(deps, 'demo', { subjectId: 'abc', source: 'keyword' }, NOW);

    expect(result.outcome).toBe('unchanged');
    expect(calls.optIn).toEqual([]);
  });
});
