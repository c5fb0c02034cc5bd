/**
 * The S3 client of the archive (archiver jobs and tapctl restore): the endpoint, region and
 * credentials are configuration, so AWS S3 in production and s3rver in tests differ only there.
 * The same variables, validated the same way, for every user.
 */
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';

/** The environment variables of the archive bucket (zod shape for `parseEnv`). */
export const s3Env = {
  /** S3 endpoint URL; unset means AWS's regional endpoint. Path-style addressing when set. */
  S3_ENDPOINT: z.string().url().optional(),
  /** Bucket for segments/ and backups/ (a valid DNS name). Default tap-archive. */
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name')
    .default('tap-archive'),
  /** S3 region. Default us-east-1. */
  S3_REGION: z.string().min(1).default('us-east-1'),
  /** Static credentials; unset means the SDK's default chain (instance role, env, files). */
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Tries per S3 operation (upload, read-back, download) before the run fails. Default 5. */
  S3_RETRY_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  /** First backoff pause in ms (doubles per try, full jitter, at most 15 s). Default 500. */
  S3_RETRY_BASE_MS: z.coerce.number().int().min(1).max(60_000).default(500),
  /** An S3 request whose connection moves no byte for this long is abandoned (and retried). Default 60000. */
  S3_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(60_000),
};

export interface S3Settings {
  S3_ENDPOINT?: string | undefined;
  S3_BUCKET: string;
  S3_REGION: string;
  S3_ACCESS_KEY_ID?: string | undefined;
  S3_SECRET_ACCESS_KEY?: string | undefined;
  S3_RETRY_ATTEMPTS: number;
  S3_RETRY_BASE_MS: number;
  S3_REQUEST_TIMEOUT_MS: number;
}

/** The one cross-variable rule: static credentials come in pairs. */
export function s3EnvProblems(vars: Record<string, string | undefined>): string[] {
  return Boolean(vars.S3_ACCESS_KEY_ID) !== Boolean(vars.S3_SECRET_ACCESS_KEY)
    ? ['S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY: set both or neither']
    : [];
}

export function createS3(settings: S3Settings): S3Client {
  const { S3_ACCESS_KEY_ID: accessKeyId, S3_SECRET_ACCESS_KEY: secretAccessKey } = settings;
  return new S3Client({
    region: settings.S3_REGION,
    ...(settings.S3_ENDPOINT ? { endpoint: settings.S3_ENDPOINT, forcePathStyle: true } : {}),
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
    // Retries are ours (retry.ts: whole upload + read-back per try, logged); the SDK's would hide them.
    maxAttempts: 1,
    // Integrity is checked end to end by our own sha256 (read-back, restore); the SDK's optional
    // per-request CRCs use aws-chunked trailers that S3-compatible servers (s3rver) do not all speak.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      requestTimeout: settings.S3_REQUEST_TIMEOUT_MS,
      connectionTimeout: Math.min(settings.S3_REQUEST_TIMEOUT_MS, 10_000),
      // A stalled S3 must fail the try (and be retried), not hang the job until systemd kills it.
      throwOnRequestTimeout: true,
    },
  });
}

/** Fails unless the bucket exists and the credentials may use it. */
export async function checkBucket(s3: S3Client, bucket: string, signal?: AbortSignal): Promise<void> {
  await s3.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal });
}
