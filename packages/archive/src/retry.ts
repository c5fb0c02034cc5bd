/**
 * Retries with exponential backoff and full jitter for S3 calls: a flaky network or a 5xx costs a
 * pause, not the week's archive. Bounded: after `attempts` tries the last error is thrown, and an
 * abort (SIGTERM) stops at once. Every retry is reported so the log shows the struggle.
 */
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 15_000 };

export async function withRetry<T>(
  what: string,
  fn: (attempt: number) => Promise<T>,
  options: { policy?: RetryPolicy; signal?: AbortSignal; onRetry?: (info: RetryInfo) => void } = {},
): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY;
  for (let attempt = 1; ; attempt += 1) {
    options.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (err) {
      if (options.signal?.aborted || attempt >= policy.attempts || !isRetryable(err)) throw err;
      const delayMs = Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      options.onRetry?.({ what, attempt, delayMs: Math.round(delayMs), err });
      await sleep(delayMs, options.signal);
    }
  }
}

export interface RetryInfo {
  what: string;
  attempt: number;
  delayMs: number;
  err: unknown;
}

/**
 * A client error (4xx: no such bucket, access denied, …) will answer the same again, so it is not
 * retried; a timeout, a throttle, a 5xx, a reset connection or a failed read-back is.
 */
function isRetryable(err: unknown): boolean {
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === undefined || status >= 500 || status === 408 || status === 429;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
