/** node:crypto implementation of the subject-id port, for local mode and tests (DESIGN §3). */
import { createHmac } from 'node:crypto';
import { macToBase64Url, subjectIdMessage, type SubjectIdDeriver } from '../domain/subject-id';

export class LocalSubjectIdDeriver implements SubjectIdDeriver {
  private readonly key: Buffer;

  /** `key` is the raw HMAC key; a string is taken as its UTF-8 bytes. */
  constructor(key: Uint8Array | string) {
    this.key = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
    if (this.key.length === 0) throw new TypeError('LocalSubjectIdDeriver: the key must not be empty');
  }

  async derive(tenantId: string, e164: string): Promise<string> {
    const mac = createHmac('sha256', this.key).update(subjectIdMessage(tenantId, e164)).digest();
    return macToBase64Url(mac);
  }
}
