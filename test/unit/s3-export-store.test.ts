import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { S3ExportStore } from '../../lambdas/adapters/s3-export-store';

const s3 = new S3Client({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
});
const mock = mockClient(s3);
const store = new S3ExportStore(s3, 'optline-eu-exports');
const key = 'dsr/demo/6f1d2c7e-8a44-4b1f-9c3d-5e7a9b0c1d23.json';

beforeEach(() => mock.reset());

describe('S3ExportStore', () => {
  it('writes the document as a JSON download, leaving encryption to the bucket default (SSE-KMS, cell key)', async () => {
    mock.on(PutObjectCommand).resolves({});

    await store.put(key, '{"schemaVersion":"1.0"}');

    expect(mock).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: 'optline-eu-exports',
      Key: key,
      Body: '{"schemaVersion":"1.0"}',
      ContentType: 'application/json; charset=utf-8',
      CacheControl: 'no-store',
    });
    // An explicit aws:kms header without a key id would use the AWS managed key instead of the cell key.
    const input = mock.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(input.ServerSideEncryption).toBeUndefined();
    expect(input.SSEKMSKeyId).toBeUndefined();
  });

  it('deletes a file by its key', async () => {
    mock.on(DeleteObjectCommand).resolves({});

    await store.delete(key);

    expect(mock).toHaveReceivedCommandWith(DeleteObjectCommand, { Bucket: 'optline-eu-exports', Key: key });
  });

  it('presigns a GET of that one object, valid for what is asked up to 15 minutes', async () => {
    const short = new URL(await store.downloadUrl(key, 120));
    const capped = new URL(await store.downloadUrl(key, 7 * 86_400));

    expect(short.hostname).toContain('optline-eu-exports');
    expect(short.pathname).toBe(`/${key}`);
    expect(short.searchParams.get('X-Amz-Expires')).toBe('120');
    expect(short.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(capped.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(mock.calls()).toHaveLength(0);
  });
});
