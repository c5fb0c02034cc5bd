/**
 * Several built daemons sharing one test Redis, key prefix and data directory: the pieces of the
 * bet path wired as in production, on random loopback ports. Used by end-to-end tests; each daemon
 * can be killed and restarted by name for crash tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshPrefix, startDaemon, waitForHealthy } from './daemon.js';
import { freePort } from './ports.js';
import type { Started } from './process.js';
import { startRedis, type TestRedis } from './redis-server.js';

/** The daemons a stack can start (the harness's stack starts the same ones). */
export const STACK_DAEMONS = [
  'ingest-api',
  'ws-gateway',
  'batcher',
  'price-ingest',
  'health-monitor',
  'resolver',
] as const;
export type StackDaemon = (typeof STACK_DAEMONS)[number];

/**
 * What every test stack sets unless a test overrides it: the simulator by name (price-ingest has no
 * venue default) and demo mode on the API, so bets on simulated prints are accepted (SPEC §9).
 */
const DEFAULT_ENV: Partial<Record<StackDaemon, Record<string, string>>> = {
  'price-ingest': { VENUES: 'simulator' },
  'ingest-api': { DEMO_MODE: '1' },
};

const PORT_VARIABLE: Record<StackDaemon, string> = {
  'ingest-api': 'HTTP_PORT',
  'ws-gateway': 'WS_PORT',
  batcher: 'OPS_PORT',
  'price-ingest': 'OPS_PORT',
  'health-monitor': 'OPS_PORT',
  resolver: 'OPS_PORT',
};

export interface TestStack {
  redis: TestRedis;
  prefix: string;
  dataDir: string;
  apiUrl: string;
  wsUrl: string;
  daemon(name: StackDaemon): Started;
  /** kill -9 the daemon, then start it again on the same port and wait until it is healthy. */
  crashAndRestart(name: StackDaemon): Promise<void>;
  stop(): Promise<void>;
}

export async function startStack(options: {
  daemons: StackDaemon[];
  env?: Partial<Record<StackDaemon, Record<string, string>>>;
  common?: Record<string, string>;
  /** Redis with the production ACL users, each daemon signed in as its own (infra/redis-users.acl.in). */
  acl?: boolean;
  /** The daemons reach Redis over its unix socket, as in production (REDIS_URL=unix:///…). */
  redisSocket?: boolean;
}): Promise<TestStack> {
  const prefix = freshPrefix();
  const redis = await startRedis({
    ...(options.acl ? { aclPrefix: prefix } : {}),
    ...(options.redisSocket ? { unixSocket: true } : {}),
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'tap-stack-'));
  const ports = new Map<StackDaemon, number>();
  const running = new Map<StackDaemon, Started>();

  const launch = async (name: StackDaemon) => {
    const port = ports.get(name) ?? (await freePort());
    ports.set(name, port);
    const env = {
      REDIS_URL: redis.socketUrl ?? `redis://127.0.0.1:${redis.port}`,
      ...(options.acl ? redis.daemonCredentials(name) : {}),
      TAP_KEY_PREFIX: prefix,
      DATA_DIR: dataDir,
      ...DEFAULT_ENV[name],
      ...options.common,
      ...options.env?.[name],
      [PORT_VARIABLE[name]]: String(port),
    };
    const daemon = startDaemon(name, env);
    running.set(name, daemon);
    const exitedFirst = daemon.exited.then((exit) => {
      throw new Error(`${name} exited (${exit.code ?? exit.signal}) before it was healthy`);
    });
    exitedFirst.catch(() => {}); // only read when it wins the race
    await Promise.race([waitForHealthy(`http://127.0.0.1:${port}/healthz`, 20_000), exitedFirst]);
  };
  const stopAll = async () => {
    for (const name of [...options.daemons].reverse()) await running.get(name)?.stop('SIGTERM');
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    for (const name of options.daemons) await launch(name);
  } catch (err) {
    // A daemon that never got healthy: stop what was started (the caller gets no stack to stop,
    // so nothing else would), and say what the daemon printed.
    const failed = [...running.entries()].at(-1);
    const tail = failed ? `\n${failed[0]} stderr:\n${failed[1].stderr.slice(-20).join('\n')}` : '';
    await stopAll();
    throw new Error(`${(err as Error).message}${tail}`, { cause: err });
  }

  return {
    redis,
    prefix,
    dataDir,
    apiUrl: `http://127.0.0.1:${ports.get('ingest-api') ?? 0}`,
    wsUrl: `ws://127.0.0.1:${ports.get('ws-gateway') ?? 0}/v1/ws`,
    daemon(name) {
      const daemon = running.get(name);
      if (!daemon) throw new Error(`${name} is not part of this stack`);
      return daemon;
    },
    async crashAndRestart(name) {
      await running.get(name)?.stop('SIGKILL');
      await launch(name);
    },
    stop: stopAll,
  };
}
