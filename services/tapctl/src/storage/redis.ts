/** A short-lived Redis connection for one command: fails fast with a clear message instead of retrying. */
import {
  newRedis,
  type Redis,
  type RedisTarget,
  redisCredentials,
  withoutUrlCredentials,
} from '@tap/runtime';
import { failure } from '../cli-error.js';

const CONNECT_TIMEOUT_MS = 3_000;

/** `target`: REDIS_URL and tapctl's ACL user (REDIS_USERNAME/REDIS_PASSWORD, the `tapctl` user). */
export async function connectRedis(target: RedisTarget): Promise<Redis> {
  const url = target.REDIS_URL;
  const redis = newRedis(url, {
    ...redisCredentials(target),
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
    const reason = (lastError ?? (err as Error)).message;
    throw failure(`cannot reach Redis at ${withoutUrlCredentials(url)}: ${reason}`);
  }
  return redis;
}
