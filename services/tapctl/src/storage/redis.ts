/** A short-lived Redis connection for one command: fails fast with a clear message instead of retrying. */
import { Redis } from '@tap/runtime';
import { failure } from '../cli-error.js';

const CONNECT_TIMEOUT_MS = 3_000;

export async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  // Connection errors surface through connect() below; the listener keeps the most telling one.
  let lastError: Error | undefined;
  redis.on('error', (err: Error) => {
    lastError = err;
  });
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw failure(`cannot reach Redis at ${url}: ${(lastError ?? (err as Error)).message}`);
  }
  return redis;
}
