/**
 * Local stand-ins for the DSR worker's AWS resources: a queue that delivers to the same SQS batch handler the
 * Lambda runs (with redelivery and a dead-letter list), and an export store that serves files at
 * `GET /_local/exports/<key>` behind signed, expiring URLs, as S3 presigned URLs behave.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { DsrQueue, DsrWorkItem, ExportStore } from '../lambdas/domain/dsr-ports';
import { DOWNLOAD_URL_SECONDS } from '../lambdas/domain/dsr-processing';
import { expiresAt } from '../lambdas/domain/retention';
import { ForbiddenError, NotFoundError } from '../lambdas/shared/problem';
import { LocalQueue } from './local-queue';

/**
 * The DSR work queue: delivers each request id, after the enqueueing request has returned, to the worker's SQS
 * batch handler, with the deployed queue's redrive policy (5 deliveries).
 */
export class LocalDsrQueue implements DsrQueue {
  private readonly queue: LocalQueue;

  /** `pickupDelayMs`: how long a request stays `received` before the worker takes it (see LocalQueueOptions). */
  constructor(handle: (event: SQSEvent) => Promise<SQSBatchResponse>, pickupDelayMs = 0) {
    this.queue = new LocalQueue(handle, {
      name: 'dsr',
      maxReceives: 5,
      redeliveryDelayMs: 20,
      pickupDelayMs,
    });
  }

  enqueue(item: DsrWorkItem): Promise<void> {
    this.queue.publish(JSON.stringify(item));
    return Promise.resolve();
  }

  /** Work items that failed every delivery. */
  get deadLetters(): DsrWorkItem[] {
    return this.queue.deadLetters.map((body) => JSON.parse(body) as DsrWorkItem);
  }

  /** Resolves once every message sent so far (and its redeliveries) has been handled. */
  idle(): Promise<void> {
    return this.queue.idle();
  }
}

export interface LocalExportStoreOptions {
  /** The local server's base URL, known once it listens. */
  readonly baseUrl: () => string;
  readonly clock: () => Date;
  /** Keep files under this directory. @default - in memory */
  readonly dir?: string;
}

/** Export keys as the worker writes them: `dsr/<tenant>/<uuid>.json`, nothing that could leave the directory. */
const EXPORT_KEY = /^dsr\/[a-z][a-z0-9-]{1,31}\/[0-9a-f-]{36}\.json$/;

/**
 * The export bucket in local mode. Like the deployed bucket, a file disappears 7 days after it was written;
 * like a presigned URL, a download URL carries its expiry and a signature, and stops working after it.
 */
export class LocalExportStore implements ExportStore {
  private readonly files = new Map<string, { json: string; createdAt: Date }>();
  private readonly secret = randomBytes(32);

  constructor(private readonly options: LocalExportStoreOptions) {
    if (options.dir) mkdirSync(options.dir, { recursive: true });
  }

  private path(key: string): string {
    if (!EXPORT_KEY.test(key)) throw new Error('not an export key');
    return normalize(join(this.options.dir!, key));
  }

  async put(key: string, json: string): Promise<void> {
    if (!this.options.dir) {
      this.files.set(key, { json, createdAt: this.options.clock() });
      return;
    }
    const file = this.path(key);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, json, { mode: 0o600 });
  }

  async delete(key: string): Promise<void> {
    if (!this.options.dir) this.files.delete(key);
    else rmSync(this.path(key), { force: true });
  }

  private signature(key: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${key}\n${expires}`).digest('base64url');
  }

  async downloadUrl(key: string, validForSeconds: number): Promise<string> {
    const seconds = Math.max(1, Math.min(DOWNLOAD_URL_SECONDS, Math.floor(validForSeconds)));
    const expires = Math.floor(this.options.clock().getTime() / 1000) + seconds;
    const query = new URLSearchParams({ expires: String(expires), signature: this.signature(key, expires) });
    return `${this.options.baseUrl()}/_local/exports/${key}?${query}`;
  }

  /** Whether a file exists (and has not passed its 7 days). */
  async exists(key: string): Promise<boolean> {
    return (await this.read(key)) !== undefined;
  }

  private async read(key: string): Promise<string | undefined> {
    if (!EXPORT_KEY.test(key)) return undefined;
    const now = this.options.clock();
    let file: { json: string; createdAt: Date } | undefined;
    if (!this.options.dir) file = this.files.get(key);
    else if (existsSync(this.path(key))) {
      file = { json: readFileSync(this.path(key), 'utf8'), createdAt: statSync(this.path(key)).mtime };
    }
    if (!file) return undefined;
    // The bucket lifecycle deletes files 7 days after creation.
    if (expiresAt('dsrExportFiles', file.createdAt) * 1000 <= now.getTime()) return undefined;
    return file.json;
  }

  /** `GET /_local/exports/<key>?expires=…&signature=…`: the file, or a problem as S3 would refuse it. */
  async serve(key: string, query: URLSearchParams): Promise<string> {
    const expires = Number(query.get('expires'));
    const given = Buffer.from(query.get('signature') ?? '');
    const expected = Buffer.from(
      EXPORT_KEY.test(key) && Number.isInteger(expires) ? this.signature(key, expires) : '',
    );
    if (expected.length === 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ForbiddenError({ detail: 'The download URL is not valid.' });
    }
    if (expires * 1000 <= this.options.clock().getTime()) {
      throw new ForbiddenError({
        detail: 'The download URL has expired; GET the request again for a new one.',
      });
    }
    const json = await this.read(key);
    if (json === undefined) throw new NotFoundError({ detail: 'No such export file.' });
    return json;
  }
}
