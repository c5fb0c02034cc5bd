/**
 * Starts the BTC Tap stack a scenario measures, on 127.0.0.1 with random ports and a temp dir:
 * a real redis-server (infra/redis.conf, plus any extra arguments such as `--appendfsync always`),
 * the built daemons (`services/<name>/dist/main.js`) it asks for, and the market source. Logs go
 * to `<outDir>/logs/<name>.log`. `stop()` stops everything it started, by PID, in reverse order.
 * Daemons named in `cpuProfile` run under `node --cpu-prof`; each writes its profiles (one per
 * thread) into `<cpuProfile.dir>/<name>/` when it exits after SIGTERM.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Channels, createChannels } from '@tap/channels';
import { Redis } from 'ioredis';
import { type Child, startChild } from './child.js';
import { type MarketSource, startMarketSource, waitUntil } from './market-source.js';
import { freePort, REDIS_CONF, REDIS_NO_ACL_ARGS, serviceEntry, TEST_OPERATOR_KEY } from './repo.js';

export const LOGIN_DOMAIN = 'tap.bench';
export const LOGIN_URI = 'https://tap.bench';
const HEALTH_TIMEOUT_MS = 20_000;
/** A profiled daemon serialises its whole profile at exit (seconds for a long run): don't SIGKILL it. */
const PROFILED_STOP_GRACE_MS = 60_000;

export type DaemonName =
  | 'ingest-api'
  | 'ws-gateway'
  | 'batcher'
  | 'price-ingest'
  | 'health-monitor'
  | 'resolver';

export interface StackOptions {
  outDir: string;
  /** Daemons to run besides Redis; `market` adds the market source. */
  daemons: readonly ('ingest-api' | 'ws-gateway' | 'batcher' | 'resolver')[];
  market?: 'auto' | 'fake' | 'none';
  redisArgs?: readonly string[];
  env?: Partial<Record<DaemonName, Record<string, string>>>;
  /** Daemons to run under `node --cpu-prof --cpu-prof-dir=<dir>/<name>`. */
  cpuProfile?: { dir: string; daemons: readonly DaemonName[] };
}

export interface Stack {
  redisUrl: string;
  channels: Channels;
  dataDir: string;
  apiUrl: string;
  wsUrl: string;
  /** A connection for the harness itself (funding, audit, sampling). */
  redis: Redis;
  market: string;
  /** PIDs of everything measured: redis-server and each daemon. */
  pids(): Record<string, number>;
  /** `healthTimeoutMs`: how long to wait for its health endpoint (default HEALTH_TIMEOUT_MS). */
  startDaemon(name: DaemonName, env?: Record<string, string>, healthTimeoutMs?: number): Promise<boolean>;
  /** Starts a daemon again with the extra environment it was last started with (as systemd would). */
  restartDaemon(name: DaemonName): Promise<boolean>;
  /** The extra environment the next restart uses (e.g. a fake clock), as if its unit were edited. */
  setRestartEnv(name: DaemonName, extra: Record<string, string>): void;
  stopDaemon(name: DaemonName): Promise<void>;
  /** kill -9 of a daemon by its PID; resolves once it has exited (the chaos runner restarts it). */
  killDaemon(name: DaemonName): Promise<void>;
  /** kill -9 of redis-server; `startRedis()` starts it again on the same port and directory. */
  killRedis(): Promise<void>;
  startRedis(): Promise<void>;
  /** SIGSTOP / SIGCONT to redis-server or a daemon (a stall, or a pause while the audit reads). */
  signal(name: DaemonName | 'redis', signal: 'SIGSTOP' | 'SIGCONT'): void;
  /** True while the process was started and has not exited. */
  isRunning(name: DaemonName | 'redis'): boolean;
  /** Whether the daemon answers its health endpoint with 200 now. */
  healthy(name: DaemonName): Promise<boolean>;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const tmp = await mkdtemp(join(tmpdir(), 'tap-bench-'));
  const children = new Map<string, Child>();
  const redisPort = await freePort();
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const channels = createChannels('tap:');
  const dataDir = join(tmp, 'data');
  const ports = { api: await freePort(), ws: await freePort() };
  let redis: Redis | undefined;
  let market: MarketSource | undefined;

  const stopAll = async () => {
    await market?.stop();
    redis?.disconnect();
    for (const child of [...children.values()].reverse()) await child.stop();
    children.clear();
    await rm(tmp, { recursive: true, force: true });
  };

  const launchRedis = async () => {
    const redisChild = startChild(
      'redis',
      'redis-server',
      [
        REDIS_CONF,
        '--port',
        String(redisPort),
        '--dir',
        tmp,
        '--daemonize',
        'no',
        ...REDIS_NO_ACL_ARGS,
        ...(options.redisArgs ?? []),
      ],
      { logPath: join(options.outDir, 'logs', 'redis.log') },
    );
    children.set('redis', redisChild);
    // Replaying a long AOF after a kill takes a while on a loaded machine.
    await redisChild.waitForLine((line) => line.includes('Ready to accept connections'), 60_000);
  };
  const killChild = async (name: string) => {
    const child = children.get(name);
    if (!child) return;
    process.kill(child.pid, 'SIGKILL');
    await child.exited;
    if (children.get(name) === child) children.delete(name);
  };

  try {
    await launchRedis();
    redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
    // Redis may be down on purpose (the chaos runner kills it): a failed command rejects where it is
    // awaited; the connection's own error events need no report of their own.
    redis.on('error', () => undefined);

    const common = {
      REDIS_URL: redisUrl,
      TAP_KEY_PREFIX: channels.prefix,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
    };
    const daemonEnv: Record<DaemonName, Record<string, string>> = {
      // DEMO_MODE: the benchmark markets (simulator or the fake) mark their prints simulated (SPEC §9);
      // demo mode serves the faucet, which signs its deposits, so ingest-api needs the operator key.
      'ingest-api': {
        ...{ HTTP_PORT: String(ports.api), LOGIN_DOMAIN, LOGIN_URI, DEMO_MODE: '1' },
        OPERATOR_MAC_KEY: TEST_OPERATOR_KEY,
      },
      // Every harness socket comes from 127.0.0.1 straight to the gateway (no nginx, no X-Real-IP):
      // the per-address cap (issue 16) would cap the load generator, so it is lifted here.
      'ws-gateway': { WS_PORT: String(ports.ws), WS_CONNECTIONS_PER_IP_MAX: '1000000' },
      // The benchmark funds its wallets with deposits signed by testkit's public key (load/wallets.ts).
      batcher: { OPERATOR_MAC_KEY: TEST_OPERATOR_KEY },
      'price-ingest': {},
      'health-monitor': {},
      resolver: {},
    };
    const healthUrl = async (name: DaemonName, env: Record<string, string>) => {
      if (name === 'ingest-api') return `http://127.0.0.1:${ports.api}/healthz`;
      if (name === 'ws-gateway') return `http://127.0.0.1:${ports.ws}/healthz`;
      env.OPS_PORT ??= String(await freePort());
      return `http://127.0.0.1:${env.OPS_PORT}/healthz`;
    };
    const lastExtra = new Map<DaemonName, Record<string, string>>();
    const healthUrls = new Map<DaemonName, string>();
    const startDaemon = async (
      name: DaemonName,
      extra: Record<string, string> = {},
      healthTimeoutMs = HEALTH_TIMEOUT_MS,
    ) => {
      lastExtra.set(name, extra);
      const env = { ...daemonEnv[name], ...options.env?.[name], ...extra };
      const url = await healthUrl(name, env);
      healthUrls.set(name, url);
      const nodeArgs = profileArgs(options, name);
      const child = startChild(name, process.execPath, [...nodeArgs, serviceEntry(name)], {
        env: { PATH: process.env.PATH ?? '', ...common, ...env },
        logPath: join(options.outDir, 'logs', `${name}.log`),
        stopGraceMs: nodeArgs.length ? PROFILED_STOP_GRACE_MS : undefined,
      });
      children.set(name, child);
      const healthy = await waitUntil(async () => (await fetch(url)).status === 200, healthTimeoutMs, 100);
      if (!healthy && child.process.exitCode !== null) {
        process.stderr.write(`[stack] ${name} exited: ${child.tail()}\n`);
      }
      return healthy;
    };
    const stopDaemon = async (name: DaemonName) => {
      await children.get(name)?.stop();
      children.delete(name);
    };

    for (const name of options.daemons) {
      if (!(await startDaemon(name))) throw new Error(`${name} not healthy within ${HEALTH_TIMEOUT_MS} ms`);
    }
    const marketMode = options.market ?? 'none';
    if (marketMode !== 'none') {
      market = await startMarketSource({ redis, channels, startDaemon, stopDaemon }, marketMode);
    }
    if (options.daemons.includes('batcher')) {
      const ready = await waitUntil(
        async () => (await redis!.get(channels.keys.balanceCacheReady)) === '1',
        HEALTH_TIMEOUT_MS,
      );
      if (!ready) throw new Error('the batcher did not set the balance cache ready flag');
    }
    const connection = redis;
    return {
      redisUrl,
      channels,
      dataDir,
      apiUrl: `http://127.0.0.1:${ports.api}`,
      wsUrl: `ws://127.0.0.1:${ports.ws}/v1/ws`,
      redis: connection,
      market: market?.describe ?? 'none',
      pids: () => Object.fromEntries([...children.entries()].map(([name, child]) => [name, child.pid])),
      startDaemon,
      restartDaemon: (name) => startDaemon(name, lastExtra.get(name)),
      setRestartEnv: (name, extra) => void lastExtra.set(name, extra),
      stopDaemon,
      killDaemon: killChild,
      killRedis: () => killChild('redis'),
      startRedis: launchRedis,
      signal(name, signal) {
        const child = children.get(name);
        if (child) process.kill(child.pid, signal);
      },
      isRunning(name) {
        const child = children.get(name);
        return child !== undefined && child.process.exitCode === null && child.process.signalCode === null;
      },
      async healthy(name) {
        const url = healthUrls.get(name);
        if (!url) return false;
        try {
          return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).status === 200;
        } catch {
          return false; // not listening (yet): that is the answer
        }
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Where a profiled daemon's profiles go (one directory per daemon: workers write their own files). */
export function cpuProfileDir(dir: string, name: DaemonName): string {
  return join(dir, name);
}

function profileArgs(options: StackOptions, name: DaemonName): string[] {
  const profile = options.cpuProfile;
  if (!profile?.daemons.includes(name)) return [];
  return ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir(profile.dir, name)}`];
}
