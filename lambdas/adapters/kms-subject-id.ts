/**
 * KMS implementation of the subject-id port: GenerateMac with the cell's HMAC_256 key, so the secret never
 * leaves KMS (DESIGN §3).
 */
import { GenerateMacCommand, type KMSClient, MacAlgorithmSpec } from '@aws-sdk/client-kms';
import {
  MAC_LENGTH_BYTES,
  macToBase64Url,
  subjectIdMessage,
  type SubjectIdDeriver,
} from '../domain/subject-id';

export interface KmsSubjectIdDeriverOptions {
  /** Most ids kept in memory per execution environment. @default 1000 */
  readonly cacheSize?: number;
}

export class KmsSubjectIdDeriver implements SubjectIdDeriver {
  private readonly cacheSize: number;
  // Ids are stable for a key, so warm invocations reuse them instead of calling KMS again. Promises are
  // cached so concurrent lookups of one subject (a batch of records) share a single call. Map order is
  // insertion order, which makes the first key the least recently used.
  private readonly cache = new Map<string, Promise<string>>();

  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
    options: KmsSubjectIdDeriverOptions = {},
  ) {
    this.cacheSize = options.cacheSize ?? 1000;
    if (!Number.isInteger(this.cacheSize) || this.cacheSize < 0) {
      throw new RangeError('KmsSubjectIdDeriver: cacheSize must be a non-negative integer');
    }
  }

  async derive(tenantId: string, e164: string): Promise<string> {
    // Validates before touching the cache, so a bad number fails the same way whether cached or not; being
    // async, that failure is a rejection like every other one.
    const message = subjectIdMessage(tenantId, e164);
    const cacheKey = `${tenantId}:${e164}`;
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) {
      this.cache.delete(cacheKey);
      this.cache.set(cacheKey, cached);
      return cached;
    }

    const pending = this.generate(message);
    if (this.cacheSize === 0) return pending;
    this.cache.set(cacheKey, pending);
    if (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next();
      if (oldest.done !== true) this.cache.delete(oldest.value);
    }
    // A failure must not be remembered: drop it so the next call retries KMS.
    pending.catch(() => {
      if (this.cache.get(cacheKey) === pending) this.cache.delete(cacheKey);
    });
    return pending;
  }

  private async generate(message: Uint8Array): Promise<string> {
    const output = await this.kms.send(
      new GenerateMacCommand({
        KeyId: this.keyId,
        MacAlgorithm: MacAlgorithmSpec.HMAC_SHA_256,
        Message: message,
      }),
    );
    if (output.Mac === undefined || output.Mac.byteLength !== MAC_LENGTH_BYTES) {
      throw new Error('KMS GenerateMac returned no HMAC-SHA256 tag');
    }
    return macToBase64Url(output.Mac);
  }
}
