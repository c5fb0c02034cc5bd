/**
 * The S3 transfer context every archiver mode runs with: the bucket, the retry policy from config
 * (capped at 15 s between attempts) and retries logged as `s3.retry`. One place, so the timer jobs
 * and the restore worker cannot drift apart in how they talk to S3.
 */
import { createS3, type TransferContext } from '@tap/archive';
import type { Logger } from '@tap/runtime';
import type { Config } from './config.js';
import type { ProgressFn } from './progress.js';

const RETRY_DELAY_MS_MAX = 15_000;

export function transferContext(
  config: Config,
  log: Logger,
  signal: AbortSignal,
  onProgress?: ProgressFn,
): TransferContext {
  return {
    s3: createS3(config),
    bucket: config.S3_BUCKET,
    retry: {
      attempts: config.S3_RETRY_ATTEMPTS,
      baseDelayMs: config.S3_RETRY_BASE_MS,
      maxDelayMs: RETRY_DELAY_MS_MAX,
    },
    signal,
    onRetry: ({ what, attempt, delayMs, err }) => log.warn({ what, attempt, delayMs, err }, 's3.retry'),
    ...(onProgress ? { onProgress } : {}),
  };
}
