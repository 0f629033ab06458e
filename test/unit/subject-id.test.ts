import { createHmac } from 'node:crypto';
import { GenerateMacCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import fc from 'fast-check';
import { KmsSubjectIdDeriver } from '../../lambdas/adapters/kms-subject-id';
import { LocalSubjectIdDeriver } from '../../lambdas/adapters/local-subject-id';
import { macToBase64Url, SUBJECT_ID_PATTERN, subjectIdMessage } from '../../lambdas/domain/subject-id';

const KEY_ID = 'arn:aws:kms:eu-west-1:111122223333:key/0b6f2c55-0000-4000-8000-000000000001';
const PHONE = '+447400123456';
const HMAC_KEY = Buffer.from('a local cell hmac key of some length', 'utf8');

/** The reference computation straight from DESIGN §3, independent of the code under test. */
const reference = (key: Uint8Array, tenantId: string, e164: string): string =>
  createHmac('sha256', key).update(`${tenantId}:${e164}`, 'utf8').digest('base64url');

const macOf = (text: string): Uint8Array => createHmac('sha256', HMAC_KEY).update(text, 'utf8').digest();

const kms = mockClient(KMSClient);

beforeEach(() => {
  kms.reset();
});

afterAll(() => {
  kms.restore();
});

const utf8 = (bytes: Uint8Array | undefined): string =>
  Buffer.from(bytes ?? new Uint8Array()).toString('utf8');

describe('subject id domain helpers', () => {
  it('MACs the UTF-8 bytes of tenantId, a colon and the E.164 number', () => {
    const message = subjectIdMessage('demo', PHONE);

    expect(message).toBeInstanceOf(Uint8Array);
    expect(utf8(message)).toBe('demo:+447400123456');
  });

  it('refuses a number that is not normalised E.164, without echoing it', () => {
    for (const notE164 of ['447400123456', '+44 7400 123456', '07400123456', '', '+0447400123456']) {
      expect(() => subjectIdMessage('demo', notE164)).toThrow(TypeError);
      expect(() => subjectIdMessage('demo', notE164)).not.toThrow(/7400/);
    }
    expect(() => subjectIdMessage('', PHONE)).toThrow(TypeError);
  });

  it('encodes MAC bytes as base64url without padding', () => {
    // 0xfb 0xff is "+/8=" in standard base64: both special characters and the padding must change.
    expect(macToBase64Url(Uint8Array.from([0xfb, 0xff]))).toBe('-_8');
    expect(macToBase64Url(new Uint8Array(32))).toBe('A'.repeat(43));
  });

  it('encodes only the viewed bytes of a Uint8Array that shares a larger buffer', () => {
    const backing = Uint8Array.from([1, 2, 0xfb, 0xff, 3]);

    expect(macToBase64Url(backing.subarray(2, 4))).toBe('-_8');
  });
});

describe('KmsSubjectIdDeriver', () => {
  it('sends the exact GenerateMac request and returns the MAC as base64url', async () => {
    // GIVEN KMS answers with a known MAC
    const mac = macOf('demo:+447400123456');
    kms.on(GenerateMacCommand).resolves({ Mac: mac, KeyId: KEY_ID, MacAlgorithm: 'HMAC_SHA_256' });
    const deriver = new KmsSubjectIdDeriver(new KMSClient({ region: 'eu-west-1' }), KEY_ID);

    // WHEN a subject id is derived
    const id = await deriver.derive('demo', PHONE);

    // THEN KMS was asked for HMAC_SHA_256 over "tenant:e164" with the cell key, and the id is its base64url
    expect(kms).toHaveReceivedCommandTimes(GenerateMacCommand, 1);
    expect(kms).toHaveReceivedCommandWith(GenerateMacCommand, {
      KeyId: KEY_ID,
      MacAlgorithm: 'HMAC_SHA_256',
      Message: new TextEncoder().encode('demo:+447400123456'),
    });
    const input = kms.commandCalls(GenerateMacCommand)[0]?.args[0].input;
    expect(Object.keys(input ?? {}).sort()).toEqual(['KeyId', 'MacAlgorithm', 'Message']);
    expect(utf8(input?.Message)).toBe('demo:+447400123456');
    expect(id).toBe(Buffer.from(mac).toString('base64url'));
    expect(id).toMatch(SUBJECT_ID_PATTERN);
  });

  it('serves a repeated subject from the cache without a second KMS call', async () => {
    kms
      .on(GenerateMacCommand)
      .callsFake((input: { Message: Uint8Array }) => ({ Mac: macOf(utf8(input.Message)) }));
    const deriver = new KmsSubjectIdDeriver(new KMSClient({ region: 'eu-west-1' }), KEY_ID);

    const first = await deriver.derive('demo', PHONE);
    const second = await deriver.derive('demo', PHONE);

    expect(second).toBe(first);
    expect(kms).toHaveReceivedCommandTimes(GenerateMacCommand, 1);
  });

  it('keys the cache by tenant as well as number', async () => {
    kms
      .on(GenerateMacCommand)
      .callsFake((input: { Message: Uint8Array }) => ({ Mac: macOf(utf8(input.Message)) }));
    const deriver = new KmsSubjectIdDeriver(new KMSClient({ region: 'eu-west-1' }), KEY_ID);

    const demo = await deriver.derive('demo', PHONE);
    const acme = await deriver.derive('acme', PHONE);

    expect(acme).not.toBe(demo);
    expect(kms).toHaveReceivedCommandTimes(GenerateMacCommand, 2);
  });

  it('shares one KMS call between concurrent lookups of the same subject', async () => {
    kms
      .on(GenerateMacCommand)
      .callsFake((input: { Message: Uint8Array }) => ({ Mac: macOf(utf8(input.Message)) }));
    const deriver = new KmsSubjectIdDeriver(new KMSClient({ region: 'eu-west-1' }), KEY_ID);

    const ids = await Promise.all([deriver.derive('demo', PHONE), deriver.derive('demo', PHONE)]);

    expect(ids[0]).toBe(ids[1]);
    expect(kms).toHaveReceivedCommandTimes(GenerateMacCommand, 1);
  });

  it('evicts the least recently used subject once the cache is full', async () => {
    // GIVEN a cache of two, holding a and b, where a was used last
    kms
      .on(GenerateMacCommand)
      .callsFake((input: { Message: Uint8Array }) => ({ Mac: macOf(utf8(input.Message)) }));
    const deriver = new KmsSubjectIdDeriver(new KMSClient({ region: 'eu-west-1' }), KEY_ID, { cacheSize: 2 });
    await deriver.derive('a', PHONE);
    await deriver.derive('b', PHONE);
    await deriver.derive('a', PHONE);
    expect(kms).toHaveReceivedCommandTimes(GenerateMacCommand, 2);

    // WHEN a third subject arrives
    await deriver.derive('c', PHONE);

    // THEN b was evicted and a was kept
    await deriver.derive('a', PHONE);
    expect(kms).toHaveReceivedCommandTimes(GenerateMacCommand, 3);
    await deriver.derive('b', PHONE);
    expect(kms).toHaveReceivedCommandTimes(GenerateMacCommand, 4);
  });

  it('propagates a KMS error and retries on the next call instead of caching the failure', async () => {
    // GIVEN KMS refuses once, then answers
    const denied = Object.assign(new Error('User is not authorized to perform kms:GenerateMac'), {
      name: 'AccessDeniedException',
    });
    kms
      .on(GenerateMacCommand)
      .rejectsOnce(denied)
      .resolves({ Mac: macOf('demo:+447400123456') });
    const deriver = new KmsSubjectIdDeriver(new KMSClient({ region: 'eu-west-1' }), KEY_ID);

    // WHEN derived twice
    await expect(deriver.derive('demo', PHONE)).rejects.toThrow('not authorized');
    const id = await deriver.derive('demo', PHONE);

    // THEN the error reached the caller and the second call went to KMS again
    expect(id).toBe(reference(HMAC_KEY, 'demo', PHONE));
    expect(kms).toHaveReceivedCommandTimes(GenerateMacCommand, 2);
  });

  it('refuses a response without a 32-byte MAC', async () => {
    kms
      .on(GenerateMacCommand)
      .resolvesOnce({})
      .resolvesOnce({ Mac: new Uint8Array(16) });
    const deriver = new KmsSubjectIdDeriver(new KMSClient({ region: 'eu-west-1' }), KEY_ID);

    await expect(deriver.derive('demo', PHONE)).rejects.toThrow('no HMAC-SHA256 tag');
    await expect(deriver.derive('demo', PHONE)).rejects.toThrow('no HMAC-SHA256 tag');
  });

  it('rejects a non-E.164 number without calling KMS', async () => {
    const deriver = new KmsSubjectIdDeriver(new KMSClient({ region: 'eu-west-1' }), KEY_ID);

    await expect(deriver.derive('demo', '07400 123456')).rejects.toThrow(TypeError);
    expect(kms).toHaveReceivedCommandTimes(GenerateMacCommand, 0);
  });
});

describe('LocalSubjectIdDeriver', () => {
  it('matches the reference HMAC-SHA256 computation', async () => {
    const deriver = new LocalSubjectIdDeriver(HMAC_KEY);

    const id = await deriver.derive('demo', PHONE);

    expect(id).toBe(reference(HMAC_KEY, 'demo', PHONE));
    expect(id).toMatch(SUBJECT_ID_PATTERN);
  });

  it('gives the same number a different id in each tenant and under each key', async () => {
    const deriver = new LocalSubjectIdDeriver(HMAC_KEY);

    const demo = await deriver.derive('demo', PHONE);
    const acme = await deriver.derive('acme', PHONE);
    const otherKey = await new LocalSubjectIdDeriver('another key').derive('demo', PHONE);

    expect(acme).not.toBe(demo);
    expect(otherKey).not.toBe(demo);
  });

  it('treats a string key as its UTF-8 bytes', async () => {
    const fromString = await new LocalSubjectIdDeriver(HMAC_KEY.toString('utf8')).derive('demo', PHONE);
    const fromBytes = await new LocalSubjectIdDeriver(new Uint8Array(HMAC_KEY)).derive('demo', PHONE);

    expect(fromString).toBe(fromBytes);
  });

  it('refuses an empty key', () => {
    expect(() => new LocalSubjectIdDeriver('')).toThrow(TypeError);
  });
});

describe('KMS and local adapters', () => {
  it('derive the same id when KMS holds the same key as the local adapter', async () => {
    // GIVEN KMS computes HMAC-SHA256 with the local key, as the real service does with its own
    kms.on(GenerateMacCommand).callsFake((input: { Message: Uint8Array }) => ({
      Mac: createHmac('sha256', HMAC_KEY).update(input.Message).digest(),
    }));
    const local = new LocalSubjectIdDeriver(HMAC_KEY);

    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }),
        fc.stringMatching(/^\+[1-9]\d{6,14}$/),
        async (tenantId, e164) => {
          // WHEN both adapters derive the id (a fresh KMS deriver, so the cache cannot answer)
          const viaKms = await new KmsSubjectIdDeriver(new KMSClient({ region: 'eu-west-1' }), KEY_ID).derive(
            tenantId,
            e164,
          );

          // THEN they agree byte for byte
          expect(viaKms).toBe(await local.derive(tenantId, e164));
        },
      ),
    );
  });
});
