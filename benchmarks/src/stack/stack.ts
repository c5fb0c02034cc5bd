/**
 * Starts the BTC Tap stack a scenario measures, on 127.0.0.1 with random ports and a temp dir:
 * a real redis-server (infra/redis.conf, plus any extra arguments such as `--appendfsync always`),
 * the built daemons (`services/<name>/dist/main.js`) it asks for, and the market source — each
 * started by the test kit (`startRedis`, `startDaemon`), with the harness's production key prefix
 * `tap:`, kill/restart/signal by name for the chaos runner, and CPU profiles. Logs go to
 * `<outDir>/logs/<name>.log`. `stop()` stops everything it started, by PID, in reverse order.
 * Daemons named in `cpuProfile` run under `node --cpu-prof`; each writes its profiles (one per
 * thread) into `<cpuProfile.dir>/<name>/` when it exits after SIGTERM.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Channels, createChannels } from '@tap/channels';
import {
  freePort,
  STACK_DAEMONS,
  type StackDaemon,
  type Started,
  startDaemon as startBuiltDaemon,
  startRedis as startTestRedis,
  type TestRedis,
  waitUntil,
} from '@tap/testkit/standalone';
import { Redis } from 'ioredis';
import { type MarketSource, startMarketSource } from './market-source.js';

export const LOGIN_DOMAIN = 'tap.bench';
export const LOGIN_URI = 'https://tap.bench';
const HEALTH_TIMEOUT_MS = 20_000;
/** A profiled daemon serialises its whole profile at exit (seconds for a long run): don't SIGKILL it. */
const PROFILED_STOP_GRACE_MS = 60_000;
/** Lines of each child's output kept in memory for error messages; all of it goes to its log file. */
const LINES_KEPT = 40;
/** Replaying a long AOF after a kill takes a while on a loaded machine. */
const REDIS_READY_TIMEOUT_MS = 60_000;

export const DAEMON_NAMES = STACK_DAEMONS;
export type DaemonName = StackDaemon;

export interface StackOptions {
  outDir: string;
  /** Daemons to run besides Redis; `market` adds the market source. */
  daemons: readonly ('ingest-api' | 'ws-gateway' | 'batcher' | 'resolver')[];
  market?: 'auto' | 'fake' | 'none';
  redisArgs?: readonly string[];
  env?: Partial<Record<DaemonName, Record<string, string>>>;
  /** Daemons to run under `node --cpu-prof --cpu-prof-dir=<dir>/<name>`. */
  cpuProfile?: { dir: string; daemons: readonly DaemonName[] };
  /** A data directory the caller made (and removes); default a fresh temp dir removed at stop. */
  dataDir?: string;
  /** A command every daemon runs under (testkit DaemonOptions.prefix), e.g. nsenter. */
  daemonPrefix?: readonly string[];
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
  /** The daemon's /metrics URL (beside its health endpoint), once it was started. */
  metricsUrl(name: DaemonName): string | undefined;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const channels = createChannels('tap:');
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'tap-bench-')));
  const ports = { api: await freePort(), ws: await freePort() };
  const daemons = new Map<DaemonName, Started>();
  let testRedis: TestRedis | undefined;
  let redis: Redis | undefined;
  let market: MarketSource | undefined;

  const stopAll = async () => {
    await market?.stop();
    redis?.disconnect();
    for (const daemon of [...daemons.values()].reverse()) await daemon.stop();
    daemons.clear();
    await testRedis?.stop();
    if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
  };

  try {
    testRedis = await startTestRedis({
      extraArgs: options.redisArgs,
      logPath: join(options.outDir, 'logs', 'redis.log'),
      linesMax: LINES_KEPT,
      readyTimeoutMs: REDIS_READY_TIMEOUT_MS,
    });
    redis = new Redis(testRedis.url, { maxRetriesPerRequest: 3 });
    // Redis may be down on purpose (the chaos runner kills it): a failed command rejects where it is
    // awaited; the connection's own error events need no report of their own.
    redis.on('error', () => undefined);
    const launcher = daemonLauncher(options, {
      common: { REDIS_URL: testRedis.url, TAP_KEY_PREFIX: channels.prefix, DATA_DIR: dataDir },
      ports,
      daemons,
    });
    for (const name of options.daemons) {
      if (!(await launcher.startDaemon(name)))
        throw new Error(`${name} not healthy within ${HEALTH_TIMEOUT_MS} ms`);
    }
    if ((options.market ?? 'none') !== 'none') {
      const deps = { redis, redisUrl: testRedis.url, channels, ...launcher };
      market = await startMarketSource(deps, options.market === 'fake' ? 'fake' : 'auto');
    }
    if (options.daemons.includes('batcher')) await waitForBalanceCache(redis, channels);
    const started = { redis: testRedis, connection: redis, daemons, market };
    return stackHandle(started, { channels, dataDir, ports, launcher, stop: stopAll });
  } catch (err) {
    await stopAll();
    throw err;
  }
}

type Launcher = ReturnType<typeof daemonLauncher>;

/** Starts, stops, kills and health-checks the daemons by name, remembering how each was started. */
function daemonLauncher(
  options: StackOptions,
  wiring: {
    common: Record<string, string>;
    ports: { api: number; ws: number };
    daemons: Map<DaemonName, Started>;
  },
) {
  const { common, ports, daemons } = wiring;
  const daemonEnv: Record<DaemonName, Record<string, string>> = {
    // DEMO_MODE: the benchmark markets (simulator or the fake) mark their prints simulated (SPEC §9);
    // demo mode serves the faucet, which signs its deposits with the operator key — the test kit
    // gives every daemon the test key, which also signs the harness's funding deposits
    // (load/wallets.ts) that the batcher checks.
    // BET_ENTRY=receipt: the recorded bet-path runs (SPEC §12's request → accepted) price at receipt;
    // `--env ingest-api:BET_ENTRY=next_print` measures the production default, the fill delay.
    'ingest-api': {
      HTTP_PORT: String(ports.api),
      LOGIN_DOMAIN,
      LOGIN_URI,
      DEMO_MODE: '1',
      BET_ENTRY: 'receipt',
    },
    // Every harness socket comes from 127.0.0.1 straight to the gateway (no nginx, no X-Real-IP):
    // the per-address caps (issue 16) — open sockets and upgrades per second — would cap the load
    // generator's own traders, so both are lifted here. A hostile scenario then measures the
    // gateway's per-session defences alone, as against an attacker with many addresses.
    'ws-gateway': {
      WS_PORT: String(ports.ws),
      WS_CONNECTIONS_PER_IP_MAX: '1000000',
      WS_UPGRADES_PER_IP_PER_S: '1000000',
      WS_UPGRADE_BURST: '1000000',
    },
    // The audit runs integrity-cron, whose anchors check needs the batcher's anchors file: anchored
    // every second (production: every minute), so a run of a few seconds has one. One small append
    // a second, next to thousands of bets.
    batcher: { ANCHOR_INTERVAL_MS: '1000' },
    'price-ingest': {},
    'health-monitor': {},
    resolver: {},
  };
  const lastExtra = new Map<DaemonName, Record<string, string>>();
  const healthUrls = new Map<DaemonName, string>();
  const healthUrl = async (name: DaemonName, env: Record<string, string>) => {
    if (name === 'ingest-api') return `http://127.0.0.1:${ports.api}/healthz`;
    if (name === 'ws-gateway') return `http://127.0.0.1:${ports.ws}/healthz`;
    env.OPS_PORT ??= String(await freePort());
    return `http://127.0.0.1:${env.OPS_PORT}/healthz`;
  };
  const start = async (
    name: DaemonName,
    extra: Record<string, string> = {},
    healthTimeoutMs = HEALTH_TIMEOUT_MS,
  ) => {
    lastExtra.set(name, extra);
    const env = { ...common, ...daemonEnv[name], ...options.env?.[name], ...extra };
    const url = await healthUrl(name, env);
    healthUrls.set(name, url);
    const nodeArgs = profileArgs(options, name);
    const daemon = startBuiltDaemon(name, env, [], {
      nodeArgs,
      prefix: options.daemonPrefix,
      logPath: join(options.outDir, 'logs', `${name}.log`),
      linesMax: LINES_KEPT,
      stopGraceMs: nodeArgs.length ? PROFILED_STOP_GRACE_MS : undefined,
    });
    daemons.set(name, daemon);
    const healthy = await waitUntil(async () => (await fetch(url)).status === 200, healthTimeoutMs, 100);
    if (!healthy && !daemon.running()) process.stderr.write(`[stack] ${name} exited: ${daemon.tail()}\n`);
    return healthy;
  };
  return {
    startDaemon: start,
    restartDaemon: (name: DaemonName) => start(name, lastExtra.get(name)),
    setRestartEnv: (name: DaemonName, extra: Record<string, string>) => void lastExtra.set(name, extra),
    stopDaemon: async (name: DaemonName) => {
      await daemons.get(name)?.stop();
      daemons.delete(name);
    },
    killDaemon: async (name: DaemonName) => {
      const daemon = daemons.get(name);
      if (!daemon) return;
      await daemon.stop('SIGKILL');
      if (daemons.get(name) === daemon) daemons.delete(name);
    },
    metricsUrl: (name: DaemonName) => healthUrls.get(name)?.replace(/\/healthz$/, '/metrics'),
    async healthy(name: DaemonName) {
      const url = healthUrls.get(name);
      if (!url) return false;
      try {
        return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).status === 200;
      } catch {
        return false; // not listening (yet): that is the answer
      }
    },
  };
}

async function waitForBalanceCache(redis: Redis, channels: Channels): Promise<void> {
  const ready = await waitUntil(
    async () => (await redis.get(channels.keys.balanceCacheReady)) === '1',
    HEALTH_TIMEOUT_MS,
  );
  if (!ready) throw new Error('the batcher did not set the balance cache ready flag');
}

function stackHandle(
  started: {
    redis: TestRedis;
    connection: Redis;
    daemons: Map<DaemonName, Started>;
    market: MarketSource | undefined;
  },
  parts: {
    channels: Channels;
    dataDir: string;
    ports: { api: number; ws: number };
    launcher: Launcher;
    stop: () => Promise<void>;
  },
): Stack {
  const { redis, daemons } = started;
  const { launcher } = parts;
  const pid = (name: DaemonName | 'redis') =>
    name === 'redis' ? (redis.running() ? redis.pid : undefined) : daemons.get(name)?.pid;
  return {
    redisUrl: redis.url,
    channels: parts.channels,
    dataDir: parts.dataDir,
    apiUrl: `http://127.0.0.1:${parts.ports.api}`,
    wsUrl: `ws://127.0.0.1:${parts.ports.ws}/v1/ws`,
    redis: started.connection,
    market: started.market?.describe ?? 'none',
    pids: () => ({
      ...(redis.running() ? { redis: redis.pid } : {}),
      ...Object.fromEntries([...daemons.entries()].map(([name, daemon]) => [name, daemon.pid])),
    }),
    ...launcher,
    killRedis: () => redis.crash(),
    startRedis: () => redis.restart(),
    signal(name, signal) {
      const target = pid(name);
      if (target !== undefined) process.kill(target, signal);
    },
    isRunning: (name) => (name === 'redis' ? redis.running() : (daemons.get(name)?.running() ?? false)),
    stop: parts.stop,
  };
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
