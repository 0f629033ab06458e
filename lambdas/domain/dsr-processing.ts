/**
 * Receiving, extending and carrying out data-subject requests (DESIGN §2 erasure, §4 DSR), over the ports of
 * `dsr-ports.ts`. Pure module: no AWS SDK.
 *
 * Crash safety. `POST /v1/dsr` writes the request (status `received`) and its audit entry first, then puts
 * its id on the queue. If the process dies between the two, the request is not lost: it is durable and
 * `received`, and both `GET /v1/dsr/{id}` and the daily `dsr-deadlines` job put a request that has stayed
 * `received` longer than {@link REQUEUE_AFTER_MS} on the queue again.
 *
 * Idempotency. The queue may deliver a message twice, or two messages for one request. The worker reads the
 * request first and ignores a closed one; it moves `received` → `in_progress` and `in_progress` → `completed`
 * only through conditional writes, so one delivery alone records each state change and its audit entry. The
 * work in between is safe to repeat: the export is written to a key fixed by the request id, deletes and
 * updates converge, and an opt-out that already stands is not recorded twice.
 */
import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../shared/problem';
import { auditRecord, type AuditEntry } from './audit';
import { recordOptOut, type ConsentStore, type ProviderOptOutList } from './consent';
import {
  completeDsr,
  DsrAlreadyExtendedError,
  DsrClosedError,
  ERASURE_RETAINED,
  extend,
  isOpen,
  LEGAL_HOLD_RETAINED,
  OBJECTION_OPT_OUT,
  receiveDsr,
  rejectDsr,
  startDsr,
  type DsrRecord,
  type DsrResult,
  type DsrType,
  type RectificationChanges,
  type RetainedCategory,
} from './dsr';
import type { DsrQueue, DsrStore, ExportStore, SubjectDataStore } from './dsr-ports';
import { buildExportDocument } from './export-document';
import { normalizeE164 } from './phone';
import type { Regime } from './regimes';
import { expiresAt } from './retention';
import type { SubjectIdDeriver } from './subject-id';

/** A request still `received` this long after receipt is assumed never to have reached the queue. */
export const REQUEUE_AFTER_MS = 5 * 60_000;
/** Presigned download URLs live at most this long (DESIGN §4: 15 minutes or less). */
export const DOWNLOAD_URL_SECONDS = 15 * 60;

/** Where the export of a request is written: fixed by the request, so a repeated run overwrites it. */
export const exportKeyOf = (tenantId: string, requestId: string): string =>
  `dsr/${tenantId}/${requestId}.json`;

/**
 * An erasure of the subject ran while an export read their data and wrote the file: the file may hold what the
 * erasure deleted, or have been written after the erasure looked for files. The export drops its file and fails,
 * so SQS delivers the request again and the next run exports what the erasure left.
 */
export class ErasureOverlapError extends Error {
  override readonly name = 'ErasureOverlapError';
  constructor() {
    super('An erasure of the data subject ran while the export was prepared; the export is tried again');
  }
}

export interface DsrApiDeps {
  readonly dsrs: DsrStore;
  readonly queue: DsrQueue;
  readonly exports: Pick<ExportStore, 'downloadUrl'>;
  readonly subjectIds: SubjectIdDeriver;
  readonly regime: Regime;
  readonly clock: () => Date;
  /** @default randomUUID */
  readonly newId?: () => string;
  /** Told when a request could not be put on the queue; it will be re-enqueued later. @default - nothing */
  readonly onEnqueueFailed?: (error: unknown) => void;
}

export interface NewDsrInput {
  readonly type: DsrType;
  readonly phone: string;
  readonly verification: DsrRecord['verification'];
  readonly changes?: RectificationChanges;
}

const dsrAudit = (
  record: DsrRecord,
  actor: string,
  action: string,
  outcome: string,
  counts?: Readonly<Record<string, number>>,
): AuditEntry => ({
  tenantId: record.tenantId,
  actor,
  action,
  subjectId: record.subjectId,
  requestId: record.requestId,
  outcome,
  ...(counts ? { counts } : {}),
});

/** Best effort: the request is already stored, and a lost enqueue is repaired by a later GET or the daily job. */
async function enqueue(
  deps: Pick<DsrApiDeps, 'queue' | 'onEnqueueFailed'>,
  record: DsrRecord,
): Promise<boolean> {
  try {
    await deps.queue.enqueue({ tenantId: record.tenantId, requestId: record.requestId });
    return true;
  } catch (error) {
    deps.onEnqueueFailed?.(error);
    return false;
  }
}

/** `POST /v1/dsr`: stores the request with its deadline, verification and audit entry, then queues it. */
export async function openDsr(deps: DsrApiDeps, tenantId: string, input: NewDsrInput): Promise<DsrRecord> {
  const now = deps.clock();
  const phone = normalizeE164(input.phone, { field: 'phone' });
  const record = receiveDsr({
    tenantId,
    requestId: (deps.newId ?? randomUUID)(),
    type: input.type,
    subjectId: await deps.subjectIds.derive(tenantId, phone),
    regime: deps.regime,
    receivedAt: now,
    verification: input.verification,
    changes: input.changes,
  });
  await deps.dsrs.create(
    record,
    auditRecord(dsrAudit(record, 'api', 'dsr_received', 'received', { [`type_${record.type}`]: 1 }), now),
  );
  await enqueue(deps, record);
  return record;
}

export interface DsrView {
  readonly record: DsrRecord;
  readonly download?: { readonly url: string; readonly expiresAt: Date };
}

const notFound = () => new NotFoundError({ detail: 'No data-subject request with this id.' });

async function find(deps: Pick<DsrApiDeps, 'dsrs'>, tenantId: string, requestId: string): Promise<DsrRecord> {
  const record = await deps.dsrs.get(tenantId, requestId);
  if (!record) throw notFound();
  return record;
}

/** Whether a request has waited in `received` long enough to be queued again. */
export const isStale = (record: Pick<DsrRecord, 'status' | 'receivedAt'>, now: Date): boolean =>
  record.status === 'received' && now.getTime() - new Date(record.receivedAt).getTime() >= REQUEUE_AFTER_MS;

/**
 * `GET /v1/dsr/{id}`: the request, with a fresh presigned URL (15 minutes at most) while its export file
 * exists. A request that stayed `received` too long is queued again.
 */
export async function viewDsr(deps: DsrApiDeps, tenantId: string, requestId: string): Promise<DsrView> {
  const record = await find(deps, tenantId, requestId);
  const now = deps.clock();
  if (isStale(record, now)) await enqueue(deps, record);
  const key = record.result?.exportKey;
  const fileExpiresAt = record.result?.exportExpiresAt ? new Date(record.result.exportExpiresAt) : undefined;
  if (record.status !== 'completed' || !key || !fileExpiresAt || fileExpiresAt <= now) return { record };
  const seconds = Math.min(
    DOWNLOAD_URL_SECONDS,
    Math.floor((fileExpiresAt.getTime() - now.getTime()) / 1000),
  );
  if (seconds < 1) return { record };
  const url = await deps.exports.downloadUrl(key, seconds);
  return { record, download: { url, expiresAt: new Date(now.getTime() + seconds * 1000) } };
}

/** `POST /v1/dsr/{id}/extend`: the one extension, with its reason and audit entry. */
export async function extendDsr(
  deps: DsrApiDeps,
  tenantId: string,
  requestId: string,
  reason: string,
): Promise<DsrRecord> {
  const record = await find(deps, tenantId, requestId);
  const now = deps.clock();
  const extended = extend(record, reason, now);
  const written = await deps.dsrs.extend(
    extended,
    auditRecord(dsrAudit(extended, 'api', 'dsr_extended', 'extended'), now),
  );
  if (written) return extended;
  // Lost a race with another extension or the worker closing the request: report what stands now.
  const current = await find(deps, tenantId, requestId);
  if (current.extendedUntil !== undefined) throw new DsrAlreadyExtendedError(current.extendedUntil);
  throw new DsrClosedError(current.status, 'extended');
}

export interface DsrWorkerDeps {
  readonly dsrs: DsrStore;
  readonly subjects: SubjectDataStore;
  readonly exports: ExportStore;
  readonly consent: ConsentStore;
  /** The provider opt-out lists, which mirror an objection's opt-out as they mirror a STOP. */
  readonly providerOptOuts: ProviderOptOutList;
  readonly clock: () => Date;
}

export type DsrWorkOutcome = 'completed' | 'rejected' | 'already_closed' | 'unknown_request';

const WORKER = 'dsr-worker';

interface Done {
  readonly result?: DsrResult;
  readonly rejection?: string;
}

/** Carries out one request. Safe to call again for the same request, also concurrently. */
export async function processDsr(
  deps: DsrWorkerDeps,
  item: { tenantId: string; requestId: string },
): Promise<DsrWorkOutcome> {
  let record = await deps.dsrs.get(item.tenantId, item.requestId);
  if (!record) return 'unknown_request';
  if (!isOpen(record)) return 'already_closed';
  if (record.status === 'received') {
    const started = startDsr(record);
    const now = deps.clock();
    const moved = await deps.dsrs.transition(
      started,
      'received',
      auditRecord(dsrAudit(started, WORKER, 'dsr_started', 'in_progress'), now),
    );
    if (moved) record = started;
    else {
      record = await deps.dsrs.get(item.tenantId, item.requestId);
      if (!record || !isOpen(record)) return 'already_closed';
    }
  }

  const done = await carryOut(deps, record);
  const now = deps.clock();
  const closed =
    done.rejection !== undefined
      ? rejectDsr(record, done.rejection, now)
      : completeDsr(record, done.result!, now);
  const action = closed.status === 'rejected' ? 'dsr_rejected' : 'dsr_completed';
  const written = await deps.dsrs.transition(
    closed,
    'in_progress',
    auditRecord(dsrAudit(closed, WORKER, action, closed.status, closed.result?.counts), now),
  );
  if (!written) return 'already_closed';
  return closed.status === 'rejected' ? 'rejected' : 'completed';
}

async function carryOut(deps: DsrWorkerDeps, record: DsrRecord): Promise<Done> {
  switch (record.type) {
    case 'access':
    case 'portability':
      return exportData(deps, record);
    case 'erasure':
      return erase(deps, record);
    case 'rectification':
      // An erasure carried out while this request waited has erased its changes too.
      if (!record.changes) {
        return { rejection: "The data subject's data was erased before this rectification was carried out." };
      }
      return (await deps.subjects.rectify(record.tenantId, record.subjectId, record.changes, deps.clock()))
        ? { result: { retained: [], counts: { profilesUpdated: 1 } } }
        : { rejection: 'There is no subscriber profile of this data subject to rectify.' };
    case 'restriction':
      return (await deps.subjects.restrict(record.tenantId, record.subjectId, deps.clock()))
        ? { result: { retained: [], counts: { profilesRestricted: 1 } } }
        : { rejection: 'There is no subscriber profile of this data subject to restrict.' };
    case 'objection':
      return object(deps, record);
  }
}

const isExport = (record: DsrRecord): boolean => record.type === 'access' || record.type === 'portability';

/** Access and portability: one versioned JSON document with every category, in the export bucket. */
async function exportData(deps: DsrWorkerDeps, record: DsrRecord): Promise<Done> {
  const { tenantId, subjectId, requestId } = record;
  const now = deps.clock();
  const [data, requests] = await Promise.all([
    deps.subjects.read(tenantId, subjectId, now),
    deps.dsrs.bySubject(tenantId, subjectId),
  ]);
  const document = buildExportDocument({
    tenantId,
    subjectId,
    requestId,
    generatedAt: now,
    profile: data.profile,
    marketing: data.marketing,
    consentEvents: data.consentEvents,
    suppressions: data.suppressions,
    messages: data.messages,
    dsrRequests: requests,
  });
  const key = exportKeyOf(tenantId, requestId);
  await deps.exports.put(key, `${JSON.stringify(document, null, 2)}\n`);
  if (await erasureOverlaps(deps, tenantId, subjectId, now)) {
    await deps.exports.delete(key);
    throw new ErasureOverlapError();
  }
  return {
    result: {
      exportKey: key,
      exportExpiresAt: new Date(expiresAt('dsrExportFiles', now) * 1000).toISOString(),
      retained: [],
      counts: {
        consentEvents: document.consentLedger.length,
        suppressions: document.suppressions.length,
        messages: document.messages.length,
        dsrRequests: document.dsrRequests.length,
      },
    },
  };
}

/**
 * Whether an erasure of the subject is waiting or under way, or closed after `since`. A waiting one counts too:
 * it may run before this export records its file, and delete the file behind it. Each erasure is read again by
 * key: the `BySubject` index may not show its latest status yet.
 */
async function erasureOverlaps(
  deps: DsrWorkerDeps,
  tenantId: string,
  subjectId: string,
  since: Date,
): Promise<boolean> {
  const erasures = (await deps.dsrs.bySubject(tenantId, subjectId)).filter((r) => r.type === 'erasure');
  for (const listed of erasures) {
    const erasure = await deps.dsrs.get(tenantId, listed.requestId);
    if (erasure?.status === 'received' || erasure?.status === 'in_progress') return true;
    if (erasure?.status === 'completed' && Date.parse(erasure.completedAt ?? '') > since.getTime())
      return true;
  }
  return false;
}

/**
 * Erasure (DESIGN §2): deletes the profile, the marketing item, the message log, earlier export files and the
 * changes of earlier rectification requests; keeps the consent ledger and the suppression entries (and the
 * per-subject consent state beside them), and reports each kept category with its reason. Under legal hold the
 * profile, its rectification changes and the messages are kept too.
 */
async function erase(deps: DsrWorkerDeps, record: DsrRecord): Promise<Done> {
  const { tenantId, subjectId, requestId } = record;
  const now = deps.clock();
  const profile = await deps.subjects.profile(tenantId, subjectId, now);
  const marketingDeleted = await deps.subjects.deleteMarketing(tenantId, subjectId);
  // A hold placed after the read above still keeps the profile: the delete checks it again.
  const profileOutcome =
    profile?.legalHold !== undefined ? 'held' : await deps.subjects.deleteProfile(tenantId, subjectId);
  const held = profileOutcome === 'held';
  const retained: RetainedCategory[] = [...ERASURE_RETAINED, ...(held ? LEGAL_HOLD_RETAINED : [])];
  const messagesDeleted = held ? 0 : await deps.subjects.deleteMessages(tenantId, subjectId);
  let exportFilesDeleted = 0;
  let rectificationsErased = 0;
  for (const earlier of await deps.dsrs.bySubject(tenantId, subjectId)) {
    if (earlier.requestId === requestId) continue;
    const key = earlier.result?.exportKey;
    // A held profile stays, and so do the changes made or still to be made to it.
    const changes = !held && earlier.changes !== undefined;
    // The file goes before its key, so a crash in between leaves a key the next delivery deletes again. An export
    // still under way has recorded no key yet, but writes to its fixed one.
    const file = key ?? (isExport(earlier) ? exportKeyOf(tenantId, earlier.requestId) : undefined);
    if (file) await deps.exports.delete(file);
    await deps.dsrs.forgetContents(earlier, { exportKey: key !== undefined, changes });
    if (key) exportFilesDeleted += 1;
    if (changes) rectificationsErased += 1;
  }
  return {
    result: {
      retained,
      counts: {
        profilesDeleted: profileOutcome === 'deleted' ? 1 : 0,
        marketingItemsDeleted: marketingDeleted ? 1 : 0,
        messagesDeleted,
        exportFilesDeleted,
        rectificationsErased,
      },
    },
  };
}

/**
 * Objection to direct marketing (GDPR Art. 21(2)-(3)): a marketing opt-out of every scope, as a STOP is. The
 * request holds no phone number; the provider opt-out lists get the profile's number when there is a profile,
 * and nothing otherwise (optline's own suppression is what every send checks).
 */
async function object(deps: DsrWorkerDeps, record: DsrRecord): Promise<Done> {
  const profile = await deps.subjects.profile(record.tenantId, record.subjectId, deps.clock());
  const consentDeps = {
    consent: deps.consent,
    // The worker knows the subject id already.
    subjectIds: { derive: () => Promise.reject(new Error('the DSR worker derives no subject ids')) },
    ...(profile ? { providerOptOuts: deps.providerOptOuts } : {}),
  };
  const { recordedByThisChange } = await recordOptOut(
    consentDeps,
    record.tenantId,
    {
      subjectId: record.subjectId,
      e164: profile?.phone ?? '',
      scope: OBJECTION_OPT_OUT.scope,
      source: OBJECTION_OPT_OUT.source,
      // A redelivery after a provider failure finds its own suppression, and still counts it.
      causeId: record.requestId,
    },
    deps.clock(),
  );
  return { result: { retained: [], counts: { optOutsRecorded: recordedByThisChange ? 1 : 0 } } };
}
