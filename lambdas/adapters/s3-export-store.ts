/**
 * S3 implementation of the ExportStore port: the cell's export bucket, encrypted by its default SSE-KMS
 * configuration with the cell key (no per-request key header, which would pick the AWS managed key instead),
 * deleted by the bucket lifecycle 7 days after creation. Downloads are presigned GET URLs of 15 minutes at most.
 */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ExportStore } from '../domain/dsr-ports';
import { DOWNLOAD_URL_SECONDS } from '../domain/dsr-processing';

export class S3ExportStore implements ExportStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, json: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: json,
        ContentType: 'application/json; charset=utf-8',
        // A download is a file to keep, not a page to render.
        ContentDisposition: `attachment; filename="${key.split('/').pop()}"`,
        CacheControl: 'no-store',
      }),
    );
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async downloadUrl(key: string, validForSeconds: number): Promise<string> {
    const expiresIn = Math.max(1, Math.min(DOWNLOAD_URL_SECONDS, Math.floor(validForSeconds)));
    return getSignedUrl(this.s3, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn });
  }
}
