/**
 * What the data-subject request code needs from the outside world (DESIGN §4 DSR), as interfaces: the
 * DsrRequests store, the subject's data read and changed by its keys, the export files, the work queue and
 * metrics. The DynamoDB, S3, SQS and Powertools adapters implement them when deployed; the local server and the
 * tests use the same DynamoDB adapters with DynamoDB Local, and local stand-ins for the rest.
 */
import type { AuditRecord } from './audit';
import type { DsrRecord, DsrStatus, RectificationChanges } from './dsr';
import type {
  ExportConsentEventInput,
  ExportMessageInput,
  ExportProfileInput,
  ExportSuppressionInput,
} from './export-document';
import type { SubscriberRecord } from './subscribers';

/** An open request as the deadline index holds it: enough to place it against its deadline and enqueue it. */
export type OpenDsrSummary = Pick<
  DsrRecord,
  'tenantId' | 'requestId' | 'status' | 'dueAt' | 'extendedUntil' | 'receivedAt'
>;

export interface DsrStore {
  /** Writes a new request and its audit entry in one transaction. */
  create(record: DsrRecord, audit: AuditRecord): Promise<void>;
  /** The tenant's request, read strongly consistent; undefined for an unknown or foreign id. */
  get(tenantId: string, requestId: string): Promise<DsrRecord | undefined>;
  /**
   * Moves a request to `next.status` (with `completedAt`, `result`, `rejectionReason` and `expiresAt` when it
   * closes), with its audit entry, in one transaction, only while the stored status is still `from`.
   * False, and nothing written, when it no longer is (another delivery got there first).
   */
  transition(next: DsrRecord, from: DsrStatus, audit: AuditRecord): Promise<boolean>;
  /**
   * Writes the one extension with its audit entry, only while the request is open and not yet extended.
   * False, and nothing written, otherwise.
   */
  extend(next: DsrRecord, audit: AuditRecord): Promise<boolean>;
  /** Every request of the subject (the `BySubject` index), oldest first. */
  bySubject(tenantId: string, subjectId: string): Promise<DsrRecord[]>;
  /**
   * Erases what an earlier request of an erased subject still holds about them: the export key of its deleted
   * export file (so no URL is issued for it again) and its rectification changes. The request itself stays, as
   * the controller's record of what was asked and done (retention category `dsrRecord`). No-op when neither
   * part is asked for.
   */
  forgetContents(
    earlier: DsrRecord,
    parts: { readonly exportKey: boolean; readonly changes: boolean },
  ): Promise<void>;
  /**
   * Open requests of one status across the cell (the `ByStatusDue` index), optionally only those whose
   * original deadline is at or before `dueBy`.
   */
  openRequests(status: DsrStatus, dueBy?: Date): Promise<OpenDsrSummary[]>;
}

/** Everything optline holds about one subject, read by the subject's keys only. */
export interface SubjectData {
  readonly profile?: ExportProfileInput;
  readonly marketing?: Readonly<Record<string, unknown>>;
  readonly consentEvents: readonly ExportConsentEventInput[];
  readonly suppressions: readonly ExportSuppressionInput[];
  readonly messages: readonly ExportMessageInput[];
}

export interface SubjectDataStore {
  /** Reads every category of the subject; expired items count as absent. */
  read(tenantId: string, subjectId: string, now: Date): Promise<SubjectData>;
  /** The live profile, or undefined. */
  profile(tenantId: string, subjectId: string, now: Date): Promise<SubscriberRecord | undefined>;
  /**
   * Deletes the profile item unless it is under legal hold, checked in the same write: a hold placed since the
   * caller read the profile keeps it. Returns what happened.
   */
  deleteProfile(tenantId: string, subjectId: string): Promise<'deleted' | 'absent' | 'held'>;
  /** Deletes the marketing item (`#MKT`); returns whether there was one. */
  deleteMarketing(tenantId: string, subjectId: string): Promise<boolean>;
  /** Deletes every MessageLog item of the subject; returns how many. */
  deleteMessages(tenantId: string, subjectId: string): Promise<number>;
  /** Sets status `restricted` on a live profile; false when there is none. */
  restrict(tenantId: string, subjectId: string, now: Date): Promise<boolean>;
  /** Applies validated corrections to a live profile; false when there is none. */
  rectify(tenantId: string, subjectId: string, changes: RectificationChanges, now: Date): Promise<boolean>;
}

/** The export files of access and portability requests (the KMS-encrypted export bucket when deployed). */
export interface ExportStore {
  /** Writes (or overwrites) one JSON document. */
  put(key: string, json: string): Promise<void>;
  /** Deletes one file; deleting a missing file is not an error. */
  delete(key: string): Promise<void>;
  /** A URL that downloads the file for `validForSeconds` (at most 15 minutes). */
  downloadUrl(key: string, validForSeconds: number): Promise<string>;
}

/** The message the API puts on the DSR queue: ids only. */
export interface DsrWorkItem {
  readonly tenantId: string;
  readonly requestId: string;
}

export interface DsrQueue {
  enqueue(item: DsrWorkItem): Promise<void>;
}

/** Counts published as metrics (Powertools EMF when deployed); no personal data, ever. */
export interface MetricsPort {
  count(name: string, value: number): void;
  /** Sends what was counted since the last flush. */
  flush(): void;
}
