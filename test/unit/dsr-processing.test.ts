import { InMemoryProviderOptOutList } from '../../lambdas/adapters/optout-list/in-memory-provider-optout-list';
import type { AuditRecord } from '../../lambdas/domain/audit';
import type { ConsentStore } from '../../lambdas/domain/consent';
import { receiveDsr, type DsrRecord, type DsrStatus } from '../../lambdas/domain/dsr';
import type { DsrStore, ExportStore, SubjectDataStore } from '../../lambdas/domain/dsr-ports';
import {
  exportKeyOf,
  openDsr,
  processDsr,
  REQUEUE_AFTER_MS,
  viewDsr,
  type DsrApiDeps,
  type DsrWorkerDeps,
} from '../../lambdas/domain/dsr-processing';

/** In-memory ports: the DynamoDB adapters are tested against DynamoDB Local in test/integration/dsr.test.ts. */
class MemoryDsrStore implements DsrStore {
  readonly records = new Map<string, DsrRecord>();
  readonly audits: AuditRecord[] = [];
  /** Statuses another delivery "wins" with: the next transition from them fails. */
  loseNextTransition = false;

  async create(record: DsrRecord, audit: AuditRecord) {
    this.records.set(record.requestId, record);
    this.audits.push(audit);
  }
  async get(_tenantId: string, requestId: string) {
    return this.records.get(requestId);
  }
  async transition(next: DsrRecord, from: DsrStatus, audit: AuditRecord) {
    const current = this.records.get(next.requestId);
    if (this.loseNextTransition || current?.status !== from) {
      this.loseNextTransition = false;
      return false;
    }
    this.records.set(next.requestId, { ...next, extendedUntil: current.extendedUntil });
    this.audits.push(audit);
    return true;
  }
  async extend() {
    return false;
  }
  async bySubject(_tenantId: string, subjectId: string) {
    return [...this.records.values()].filter((r) => r.subjectId === subjectId);
  }
  async forgetContents(earlier: DsrRecord, parts: { exportKey: boolean; changes: boolean }) {
    const { changes, ...record } = this.records.get(earlier.requestId)!;
    const { exportKey, exportExpiresAt, ...result } = record.result ?? { retained: [] };
    this.records.set(earlier.requestId, {
      ...record,
      ...(parts.changes ? {} : { changes }),
      ...(record.result
        ? { result: parts.exportKey ? result : { ...result, exportKey, exportExpiresAt } }
        : {}),
    });
  }
  async openRequests() {
    return [];
  }
}

const noSubject: SubjectDataStore = {
  read: async () => ({ consentEvents: [], suppressions: [], messages: [] }),
  profile: async () => undefined,
  deleteProfile: async () => 'absent',
  deleteMarketing: async () => false,
  deleteMessages: async () => 0,
  restrict: async () => false,
  rectify: async () => false,
};

const NOW = new Date('2026-11-24T12:00:00Z');
const REQUEST_ID = '6f1d2c7e-8a44-4b1f-9c3d-5e7a9b0c1d23';

function record(type: DsrRecord['type'], overrides: Partial<DsrRecord> = {}): DsrRecord {
  return {
    ...receiveDsr({
      tenantId: 'demo',
      requestId: REQUEST_ID,
      type,
      subjectId: 'subject-1',
      regime: 'GDPR',
      receivedAt: NOW,
      verification: { method: 'email', reference: 'r-1' },
      ...(type === 'rectification' ? { changes: { locale: 'de' } } : {}),
    }),
    ...overrides,
  };
}

function workerDeps(dsrs: MemoryDsrStore, subjects: Partial<SubjectDataStore> = {}) {
  const files = new Map<string, string>();
  const exports: ExportStore = {
    put: jest.fn(async (key: string, json: string) => void files.set(key, json)),
    delete: jest.fn(async (key: string) => void files.delete(key)),
    downloadUrl: async (key) => `https://example.test/${key}`,
  };
  const deps: DsrWorkerDeps = {
    dsrs,
    subjects: { ...noSubject, ...subjects },
    exports,
    consent: {} as ConsentStore,
    providerOptOuts: new InMemoryProviderOptOutList(() => NOW),
    clock: () => NOW,
  };
  return { deps, files, exports };
}

describe('processDsr', () => {
  it('ignores an unknown request id without writing anything', async () => {
    const dsrs = new MemoryDsrStore();
    const { deps, exports } = workerDeps(dsrs);

    expect(await processDsr(deps, { tenantId: 'demo', requestId: REQUEST_ID })).toBe('unknown_request');
    expect(dsrs.audits).toEqual([]);
    expect(exports.put).not.toHaveBeenCalled();
  });

  it('does not redo a closed request', async () => {
    const dsrs = new MemoryDsrStore();
    dsrs.records.set(REQUEST_ID, record('access', { status: 'completed' }));
    const { deps, exports } = workerDeps(dsrs);

    expect(await processDsr(deps, { tenantId: 'demo', requestId: REQUEST_ID })).toBe('already_closed');
    expect(exports.put).not.toHaveBeenCalled();
    expect(dsrs.audits).toEqual([]);
  });

  it('writes the export to a key fixed by the request, and records start and completion once each', async () => {
    const dsrs = new MemoryDsrStore();
    dsrs.records.set(REQUEST_ID, record('access'));
    const { deps, files } = workerDeps(dsrs);

    expect(await processDsr(deps, { tenantId: 'demo', requestId: REQUEST_ID })).toBe('completed');
    expect(await processDsr(deps, { tenantId: 'demo', requestId: REQUEST_ID })).toBe('already_closed');

    expect([...files.keys()]).toEqual([exportKeyOf('demo', REQUEST_ID)]);
    expect(dsrs.records.get(REQUEST_ID)).toMatchObject({
      status: 'completed',
      result: {
        exportKey: 'dsr/demo/6f1d2c7e-8a44-4b1f-9c3d-5e7a9b0c1d23.json',
        exportExpiresAt: '2026-12-01T12:00:00.000Z',
      },
    });
    expect(dsrs.audits.map((a) => a.action)).toEqual(['dsr_started', 'dsr_completed']);
  });

  it('resumes a request left in progress by a delivery that died, without a second start entry', async () => {
    const dsrs = new MemoryDsrStore();
    dsrs.records.set(REQUEST_ID, record('restriction', { status: 'in_progress' }));
    const restrict = jest.fn(async () => true);
    const { deps } = workerDeps(dsrs, { restrict });

    expect(await processDsr(deps, { tenantId: 'demo', requestId: REQUEST_ID })).toBe('completed');
    expect(restrict).toHaveBeenCalledTimes(1);
    expect(dsrs.audits.map((a) => a.action)).toEqual(['dsr_completed']);
  });

  it('leaves the completion to a concurrent delivery that closed the request first', async () => {
    const dsrs = new MemoryDsrStore();
    dsrs.records.set(REQUEST_ID, record('restriction', { status: 'in_progress' }));
    const { deps } = workerDeps(dsrs, { restrict: async () => true });
    dsrs.loseNextTransition = true;

    expect(await processDsr(deps, { tenantId: 'demo', requestId: REQUEST_ID })).toBe('already_closed');
    expect(dsrs.audits).toEqual([]);
  });

  it('rejects a restriction of a subject without a profile, with the reason', async () => {
    const dsrs = new MemoryDsrStore();
    dsrs.records.set(REQUEST_ID, record('restriction'));
    const { deps } = workerDeps(dsrs);

    expect(await processDsr(deps, { tenantId: 'demo', requestId: REQUEST_ID })).toBe('rejected');
    expect(dsrs.records.get(REQUEST_ID)).toMatchObject({
      status: 'rejected',
      rejectionReason: expect.stringContaining('no subscriber profile'),
    });
    expect(dsrs.audits.map((a) => a.action)).toEqual(['dsr_started', 'dsr_rejected']);
  });

  it('erasure deletes the export files of earlier requests of the subject and forgets their keys', async () => {
    const dsrs = new MemoryDsrStore();
    const earlierId = '0b9c6a52-3f0e-4d7b-9a51-2c8e4f1d7a60';
    const rectificationId = '5d2e8f14-7a3b-4c69-8e01-b4f7c2a9d3e5';
    dsrs.records.set(
      earlierId,
      record('access', {
        requestId: earlierId,
        status: 'completed',
        result: { exportKey: exportKeyOf('demo', earlierId), retained: [] },
      }),
    );
    dsrs.records.set(
      rectificationId,
      record('rectification', {
        requestId: rectificationId,
        status: 'completed',
        changes: { locale: 'fr-FR', timeZone: 'Europe/Paris' },
        result: { retained: [], counts: { profilesUpdated: 1 } },
      }),
    );
    dsrs.records.set(REQUEST_ID, record('erasure'));
    const { deps, exports } = workerDeps(dsrs, {
      deleteMessages: async () => 4,
      deleteProfile: async () => 'deleted',
    });

    await processDsr(deps, { tenantId: 'demo', requestId: REQUEST_ID });

    expect(exports.delete).toHaveBeenCalledWith(exportKeyOf('demo', earlierId));
    expect(exports.delete).toHaveBeenCalledTimes(1);
    expect(dsrs.records.get(earlierId)!.result).toEqual({ retained: [] });
    expect(dsrs.records.get(rectificationId)!.changes).toBeUndefined();
    expect(dsrs.records.get(rectificationId)!.result).toEqual({
      retained: [],
      counts: { profilesUpdated: 1 },
    });
    expect(dsrs.records.get(REQUEST_ID)!.result).toMatchObject({
      retained: [{ category: 'consentProof' }, { category: 'optOutSuppression' }],
      counts: {
        profilesDeleted: 1,
        messagesDeleted: 4,
        exportFilesDeleted: 1,
        marketingItemsDeleted: 0,
        rectificationsErased: 1,
      },
    });
  });

  it('keeps the rectification changes of a subject under legal hold, whose profile the erasure keeps', async () => {
    const dsrs = new MemoryDsrStore();
    const rectificationId = '5d2e8f14-7a3b-4c69-8e01-b4f7c2a9d3e5';
    dsrs.records.set(rectificationId, record('rectification', { requestId: rectificationId }));
    dsrs.records.set(REQUEST_ID, record('erasure'));
    const { deps } = workerDeps(dsrs, {
      profile: async () => ({
        tenantId: 'demo',
        subjectId: 'subject-1',
        phone: '+447400123456',
        status: 'active',
        topics: [],
        createdAt: NOW.toISOString(),
        lastInteractionAt: NOW.toISOString(),
        legalHold: { reason: 'Litigation', heldBy: 'legal', since: NOW.toISOString() },
      }),
    });

    await processDsr(deps, { tenantId: 'demo', requestId: REQUEST_ID });

    expect(dsrs.records.get(rectificationId)!.changes).toEqual({ locale: 'de' });
    expect(dsrs.records.get(REQUEST_ID)!.result).toMatchObject({ counts: { rectificationsErased: 0 } });
  });

  it('erasure deletes the file of an earlier export still under way, which has recorded no key yet', async () => {
    const dsrs = new MemoryDsrStore();
    const inFlightId = '0b7c5e2a-4d19-4f6e-a8b3-2c1d9e7f6a54';
    dsrs.records.set(inFlightId, record('access', { requestId: inFlightId, status: 'in_progress' }));
    dsrs.records.set(REQUEST_ID, record('erasure'));
    const { deps, exports } = workerDeps(dsrs);

    await processDsr(deps, { tenantId: 'demo', requestId: REQUEST_ID });

    expect(exports.delete).toHaveBeenCalledWith(exportKeyOf('demo', inFlightId));
    expect(dsrs.records.get(REQUEST_ID)!.result).toMatchObject({ counts: { exportFilesDeleted: 0 } });
  });

  it('drops its file and asks for a retry when an erasure of the subject ran while it exported', async () => {
    const dsrs = new MemoryDsrStore();
    const erasureId = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
    dsrs.records.set(REQUEST_ID, record('access'));
    dsrs.records.set(erasureId, record('erasure', { requestId: erasureId, status: 'received' }));
    // The erasure starts while the export reads the subject's data the first time.
    let reads = 0;
    const { deps, files, exports } = workerDeps(dsrs, {
      read: async () => {
        reads += 1;
        if (reads === 1)
          dsrs.records.set(erasureId, { ...dsrs.records.get(erasureId)!, status: 'in_progress' });
        return { consentEvents: [], suppressions: [], messages: [] };
      },
    });

    await expect(processDsr(deps, { tenantId: 'demo', requestId: REQUEST_ID })).rejects.toThrow(
      expect.objectContaining({ name: 'ErasureOverlapError' }),
    );
    expect(exports.put).toHaveBeenCalledTimes(1);
    expect(files.size).toBe(0);
    expect(dsrs.records.get(REQUEST_ID)!.status).toBe('in_progress');

    // Once the erasure has closed, the redelivered request exports what it left.
    dsrs.records.set(erasureId, {
      ...dsrs.records.get(erasureId)!,
      status: 'completed',
      completedAt: new Date(NOW.getTime() - 1_000).toISOString(),
    });
    expect(await processDsr(deps, { tenantId: 'demo', requestId: REQUEST_ID })).toBe('completed');
    expect([...files.keys()]).toEqual([exportKeyOf('demo', REQUEST_ID)]);
  });

  it('waits for an erasure of the subject that is still to run, which could delete the file behind it', async () => {
    const dsrs = new MemoryDsrStore();
    const erasureId = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
    dsrs.records.set(REQUEST_ID, record('access'));
    dsrs.records.set(erasureId, record('erasure', { requestId: erasureId, status: 'received' }));
    const { deps, files } = workerDeps(dsrs);

    await expect(processDsr(deps, { tenantId: 'demo', requestId: REQUEST_ID })).rejects.toThrow(
      expect.objectContaining({ name: 'ErasureOverlapError' }),
    );
    expect(files.size).toBe(0);
    expect(dsrs.records.get(REQUEST_ID)!.result).toBeUndefined();
  });

  it('keeps the profile and the messages when a legal hold was placed after the erasure read the profile', async () => {
    const dsrs = new MemoryDsrStore();
    dsrs.records.set(REQUEST_ID, record('erasure'));
    const deleteMessages = jest.fn(async () => 4);
    const { deps } = workerDeps(dsrs, { deleteProfile: async () => 'held', deleteMessages });

    await processDsr(deps, { tenantId: 'demo', requestId: REQUEST_ID });

    expect(deleteMessages).not.toHaveBeenCalled();
    const result = dsrs.records.get(REQUEST_ID)!.result!;
    expect(result.counts).toMatchObject({ profilesDeleted: 0, messagesDeleted: 0 });
    expect(result.retained.map((r) => r.category)).toEqual(
      expect.arrayContaining(['consentProof', 'optOutSuppression', 'subscriberProfile']),
    );
  });

  it('rejects a rectification whose changes an erasure erased while it waited, and touches no profile', async () => {
    const dsrs = new MemoryDsrStore();
    const { changes: _erased, ...waiting } = record('rectification', { changes: { locale: 'de' } });
    dsrs.records.set(REQUEST_ID, waiting);
    const rectify = jest.fn(async () => true);
    const { deps } = workerDeps(dsrs, { rectify });

    await processDsr(deps, { tenantId: 'demo', requestId: REQUEST_ID });

    expect(rectify).not.toHaveBeenCalled();
    expect(dsrs.records.get(REQUEST_ID)).toMatchObject({
      status: 'rejected',
      rejectionReason: expect.stringMatching(/erased before this rectification/),
    });
  });
});

describe('openDsr and viewDsr', () => {
  const apiDeps = (dsrs: MemoryDsrStore, enqueue: jest.Mock, clock: () => Date = () => NOW): DsrApiDeps => ({
    dsrs,
    queue: { enqueue },
    exports: { downloadUrl: async (key, seconds) => `https://example.test/${key}?expires=${seconds}` },
    subjectIds: { derive: async () => 'subject-1' },
    regime: 'GDPR',
    clock,
    newId: () => REQUEST_ID,
  });

  it('keeps a request it could not queue, and reports the failure instead of failing the call', async () => {
    const dsrs = new MemoryDsrStore();
    const failed: unknown[] = [];
    const deps = {
      ...apiDeps(dsrs, jest.fn().mockRejectedValue(new Error('down'))),
      onEnqueueFailed: (e: unknown) => failed.push(e),
    };

    const stored = await openDsr(deps, 'demo', {
      type: 'access',
      phone: '+447400123456',
      verification: { method: 'email', reference: 'r-1' },
    });

    expect(stored.status).toBe('received');
    expect(dsrs.records.get(REQUEST_ID)).toEqual(stored);
    expect(dsrs.audits.map((a) => a.action)).toEqual(['dsr_received']);
    expect(JSON.stringify(dsrs.audits)).not.toContain('7400123456');
    expect(failed).toHaveLength(1);
  });

  it(`queues a request again once it has been received for ${REQUEUE_AFTER_MS / 60_000} minutes, not before`, async () => {
    const dsrs = new MemoryDsrStore();
    dsrs.records.set(REQUEST_ID, record('access'));
    const enqueue = jest.fn().mockResolvedValue(undefined);
    let now = new Date(NOW.getTime() + REQUEUE_AFTER_MS - 1);
    const deps = apiDeps(dsrs, enqueue, () => now);

    await viewDsr(deps, 'demo', REQUEST_ID);
    expect(enqueue).not.toHaveBeenCalled();
    now = new Date(NOW.getTime() + REQUEUE_AFTER_MS);
    await viewDsr(deps, 'demo', REQUEST_ID);
    expect(enqueue).toHaveBeenCalledWith({ tenantId: 'demo', requestId: REQUEST_ID });
  });

  it('never issues a URL that outlives the export file', async () => {
    const dsrs = new MemoryDsrStore();
    dsrs.records.set(
      REQUEST_ID,
      record('access', {
        status: 'completed',
        result: {
          exportKey: 'k',
          exportExpiresAt: new Date(NOW.getTime() + 90_000).toISOString(),
          retained: [],
        },
      }),
    );

    const view = await viewDsr(apiDeps(dsrs, jest.fn()), 'demo', REQUEST_ID);

    expect(view.download).toEqual({
      url: 'https://example.test/k?expires=90',
      expiresAt: new Date(NOW.getTime() + 90_000),
    });
  });
});
