/**
 * Integration-test helpers: a real Redis and the built batcher for the enclosing `describe`, and a
 * runner for the built CLI with the same prefix and data dir (and testkit's operator key, which
 * testkit's startDaemon gives every process).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Channels, createChannels } from '@tap/channels';
import { Redis } from '@tap/runtime';
import {
  freePort,
  freshPrefix,
  type Started,
  startDaemon,
  startRedis,
  type TestRedis,
  waitForHealthy,
} from '@tap/testkit';
import { afterAll, beforeAll } from 'vitest';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  json(): Record<string, unknown>;
}

export interface TapctlSuite {
  readonly redis: Redis;
  readonly channels: Channels;
  readonly dataDir: string;
  tapctl(...args: string[]): Promise<CliRun>;
  /** The same, with extra environment variables (e.g. a missing or different key). */
  tapctlWith(env: Record<string, string>, ...args: string[]): Promise<CliRun>;
  /** The id of the last entry ever added to a stream (XLEN shrinks: the batcher trims what it applied). */
  lastAddedId(stream: string): Promise<string>;
}

export function tapctlSuite(batcherEnv: Record<string, string> = {}): TapctlSuite {
  let server: TestRedis | undefined;
  let redis: Redis | undefined;
  let batcher: Started | undefined;
  const prefix = freshPrefix();
  const dataDir = mkdtempSync(join(tmpdir(), 'tap-tapctl-'));
  const channels = createChannels(prefix);

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
    const port = await freePort();
    batcher = startDaemon('batcher', {
      REDIS_URL: server.url,
      TAP_KEY_PREFIX: prefix,
      DATA_DIR: dataDir,
      OPS_PORT: String(port),
      LOG_LEVEL: 'warn',
      // Fixture bets lie in the past: the dead-man sweep would void them before a test looks.
      DEAD_MAN_SWEEP_INTERVAL_MS: '0',
      ...batcherEnv,
    });
    await waitForHealthy(`http://127.0.0.1:${port}/healthz`, 15_000);
  });
  afterAll(async () => {
    await batcher?.stop();
    redis?.disconnect();
    await server?.stop();
  });

  const tapctlWith = async (env: Record<string, string>, ...args: string[]): Promise<CliRun> => {
    if (!server) throw new Error('tapctlSuite: run tapctl inside a test');
    const run = startDaemon(
      'tapctl',
      { REDIS_URL: server.url, TAP_KEY_PREFIX: prefix, DATA_DIR: dataDir, ...env },
      args,
    );
    const { code } = await run.exited;
    const stdout = run.lines.join('\n');
    return {
      code,
      stdout,
      stderr: run.stderr.join('\n'),
      json: () => JSON.parse(stdout) as Record<string, unknown>,
    };
  };
  return {
    get redis() {
      if (!redis) throw new Error('tapctlSuite: read redis inside a test');
      return redis;
    },
    channels,
    dataDir,
    tapctl: (...args) => tapctlWith({}, ...args),
    tapctlWith,
    async lastAddedId(stream) {
      if (!redis) throw new Error('tapctlSuite: run inside a test');
      if ((await redis.exists(stream)) === 0) return '0-0';
      const info = (await redis.xinfo('STREAM', stream)) as unknown[];
      return String(info[info.indexOf('last-generated-id') + 1]);
    },
  };
}
