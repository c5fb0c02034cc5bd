/**
 * ioredis connections with the settings every daemon wants: auto-pipelining (one round trip for many
 * commands issued in the same tick), bounded connect retries with backoff, and a log line per state
 * change rather than per failed attempt.
 *
 * `commandTimeoutMs` bounds every command, including one queued while Redis is unreachable: a
 * stalled Redis (SIGSTOP, a long fork, a full disk under AOF) then fails the command with
 * "Command timed out" instead of hanging its caller (issue 20). A timed-out write may still be
 * executed by Redis later, so its caller must treat the outcome as unknown (ingest-api answers
 * 503 `store_unavailable`; a bet retried with the same clientBetId is never placed twice).
 * Daemons whose only long commands are blocking reads leave it unset.
 */
import { readFileSync } from 'node:fs';
import { Redis, type RedisOptions, ReplyError } from 'ioredis';
import type { Logger } from 'pino';

/** An error reply from Redis itself (`OOM …`, `NOPERM …`), as opposed to a lost connection. */
export { Redis, ReplyError };

/** Where and as whom to connect: the common variables of every daemon. */
export interface RedisTarget {
  REDIS_URL: string;
  REDIS_USERNAME?: string | undefined;
  REDIS_PASSWORD?: string | undefined;
  /** A file holding the password (a systemd credential); loadConfig refuses it with REDIS_PASSWORD. */
  REDIS_PASSWORD_FILE?: string | undefined;
}

/**
 * ioredis's credentials options for a target (none: the URL's, or Redis's default user). A password
 * file is read here, at connect time (start), one trailing newline dropped; a missing or empty file
 * throws, so the daemon exits at start instead of trying Redis's default user.
 */
export function redisCredentials(target: RedisTarget): { username?: string; password?: string } {
  const password = target.REDIS_PASSWORD_FILE
    ? passwordFrom(target.REDIS_PASSWORD_FILE)
    : target.REDIS_PASSWORD;
  return {
    ...(target.REDIS_USERNAME ? { username: target.REDIS_USERNAME } : {}),
    ...(password ? { password } : {}),
  };
}

function passwordFrom(file: string): string {
  const password = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  if (password === '') throw new Error(`REDIS_PASSWORD_FILE ${file} is empty`);
  return password;
}

/**
 * Where REDIS_URL points: `redis://host:port[/db]` or `rediss://…` as ioredis parses them, or
 * `unix:///run/tap-redis/redis.sock` — Redis's unix socket, production's (its group decides which
 * users may connect at all: systemd/README.md) — as ioredis's `path` option. loadConfig refuses any
 * other form (`env.redisUrl`).
 */
export function redisAddress(url: string): { path: string } | { url: string } {
  if (url.startsWith('unix://')) return { path: decodeURIComponent(new URL(url).pathname) };
  return { url };
}

/** A client for REDIS_URL: the one place a URL becomes a connection (daemons, tapctl). */
export function newRedis(url: string, options: RedisOptions): Redis {
  const address = redisAddress(url);
  return 'path' in address ? new Redis({ ...options, path: address.path }) : new Redis(address.url, options);
}

export function createRedis(
  target: RedisTarget,
  log: Logger,
  connectionName: string,
  options: { commandTimeoutMs?: number } = {},
): Redis {
  const redis = newRedis(target.REDIS_URL, {
    ...redisCredentials(target),
    connectionName,
    ...(options.commandTimeoutMs === undefined ? {} : { commandTimeout: options.commandTimeoutMs }),
    enableAutoPipelining: true,
    maxRetriesPerRequest: 3,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
  });
  let lastState = '';
  const report = (state: string, err?: unknown) => {
    if (state === lastState) return;
    lastState = state;
    if (err) log.warn({ err, connectionName }, `redis.${state}`);
    else log.info({ connectionName }, `redis.${state}`);
  };
  redis.on('ready', () => report('ready'));
  redis.on('error', (err) => report('error', err));
  redis.on('end', () => report('closed'));
  return redis;
}

/**
 * SUBSCRIBE on a connection once it is ready — the one way daemons subscribe. Once connected but
 * before ready, ioredis writes a SUBSCRIBE (a command Redis allows while loading) at once, in the
 * middle of its handshake; the handshake's next command (CLIENT SETINFO, the INFO ready check) is
 * then refused in subscriber mode, the connection is dropped and remade, and messages published
 * meanwhile are lost (a logout notice missed at ws-gateway's start, found in CI).
 */
export async function subscribeWhenReady(redis: Redis, channel: string): Promise<void> {
  if (redis.status !== 'ready') {
    await new Promise<void>((resolve, reject) => {
      const ready = () => {
        redis.off('end', ended);
        resolve();
      };
      const ended = () => {
        redis.off('ready', ready);
        reject(new Error(`redis connection ended before it was ready to subscribe to ${channel}`));
      };
      redis.once('ready', ready);
      redis.once('end', ended);
    });
  }
  await redis.subscribe(channel);
}

/** QUIT politely, and disconnect hard if Redis does not answer within the timeout. */
export async function closeRedis(redis: Redis, timeoutMs = 1_000): Promise<void> {
  if (redis.status === 'end') return;
  const timer = setTimeout(() => redis.disconnect(), timeoutMs);
  try {
    await redis.quit();
  } catch {
    // Already disconnected or unreachable: disconnect() below is the fallback and cannot fail.
    redis.disconnect();
  } finally {
    clearTimeout(timer);
  }
}

export function redisHealth(redis: Redis): { redis: string } {
  return { redis: redis.status };
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/**
 * True when `err` says Redis could not be reached or did not answer in time (as opposed to Redis
 * refusing the command, a ReplyError): the command timed out, the connection is closed, or its
 * reconnect attempts ran out.
 */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.message === 'Command timed out' || err.message === 'Connection is closed.') return true;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  return UNAVAILABLE_CODES.has((err as { code?: string }).code ?? '');
}
