/** The S3 client for archives and backups; path-style addressing when a custom endpoint is set. */
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config.js';

export function createS3(config: Config): S3Client {
  return new S3Client({
    region: config.S3_REGION,
    ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT, forcePathStyle: true } : {}),
    ...(config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
      ? {
          credentials: { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY },
        }
      : {}),
    maxAttempts: 3,
  });
}

/** Fails unless the bucket exists and the credentials may use it. */
export async function checkBucket(s3: S3Client, bucket: string, signal: AbortSignal): Promise<void> {
  await s3.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal });
}
