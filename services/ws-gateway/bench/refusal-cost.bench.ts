/**
 * What one hostile resume attempt costs the gateway (issue 16, "WebSocket resume amplifies into
 * Redis"): `clients` sessions, each resuming in a loop with no pause — connect, `auth` with a
 * `lastEventId`, wait for the answer, close — against the built daemon and a real redis-server,
 * for `seconds`. Almost every attempt is refused 4429 `resume_rate` before any Redis call; the
 * figure is the daemon's CPU (user + system, /proc/<pid>/stat) per attempt. Set PROFILE_DIR to
 * also write the daemon's V8 CPU profile there (--cpu-prof).
 *
 *   npx tsx services/ws-gateway/bench/refusal-cost.bench.ts [seconds] [clients]
 */
import { randomBytes } from 'node:crypto';
import { createChannels, encodeEntry } from '@tap/channels';
import { Redis } from '@tap/runtime';
import {
  freePort,
  freshPrefix,
  readProcStat,
  startDaemon,
  startRedis,
  waitForHealthy,
} from '@tap/testkit/standalone';
import WebSocket from 'ws';
import { sha256hex } from '../src/auth/session-lookup.js';

const SECONDS = Number(process.argv[2] ?? 10);
const CLIENTS = Number(process.argv[3] ?? 50);
const TICKS_PER_S = 100;

const testRedis = await startRedis();
const redis = new Redis(testRedis.url);
const channels = createChannels(freshPrefix());
const port = await freePort();
const profileDir = process.env.PROFILE_DIR;
const daemon = startDaemon(
  'ws-gateway',
  {
    REDIS_URL: testRedis.url,
    TAP_KEY_PREFIX: channels.prefix,
    WS_PORT: String(port),
    LOG_LEVEL: 'warn',
    // Every client here is 127.0.0.1: the per-address limits are lifted, as for an attacker with many addresses.
    WS_UPGRADES_PER_IP_PER_S: '1000000',
    WS_UPGRADE_BURST: '1000000',
  },
  [],
  profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {},
);
await waitForHealthy(`http://127.0.0.1:${port}/healthz`);
const url = `ws://127.0.0.1:${port}/v1/ws`;
const tokens: string[] = [];
for (let i = 0; i < CLIENTS; i += 1) {
  const token = randomBytes(32).toString('base64url');
  await redis.set(channels.keys.session(sha256hex(token)), `0x${String(i).padStart(40, '0')}`, 'EX', 3_600);
  tokens.push(token);
}
const event = { type: 'balance', userId: '0x1', balanceMicros: 1, refType: 'deposit', refId: 'd' } as const;
const lastEventId = (await redis.xadd(
  channels.streams.events,
  '*',
  ...encodeEntry('events', event),
)) as string;

const outcomes: Record<string, number> = {};
let running = true;
const attempt = (token: string) =>
  new Promise<void>((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let answered = false;
    const done = (outcome: string) => {
      if (answered) return; // the close that follows our own terminate is not a second outcome
      answered = true;
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      ws.terminate();
      resolve();
    };
    ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token, lastEventId })));
    ws.on('message', (data) => {
      if (String(data).startsWith('{"type":"ready"')) done('ready');
    });
    ws.on('close', (code) => done(`closed:${code}`));
    ws.on('error', () => done('error'));
  });

const pid = daemon.pid;
const ticks = () => readProcStat(pid)?.cpuTicks ?? Number.NaN;
const before = ticks();
const began = performance.now();
const loops = tokens.map(async (token) => {
  while (running) await attempt(token);
});
await new Promise((resolve) => setTimeout(resolve, SECONDS * 1_000));
running = false;
await Promise.all(loops);
const cpuMs = ((ticks() - before) / TICKS_PER_S) * 1_000;
const elapsedS = (performance.now() - began) / 1_000;
const attempts = Object.values(outcomes).reduce((a, b) => a + b, 0);
console.log(
  `${attempts} attempts in ${elapsedS.toFixed(1)} s (${Math.round(attempts / elapsedS)}/s): ${JSON.stringify(outcomes)}`,
);
console.log(
  `gateway CPU: ${Math.round((cpuMs * 1_000) / attempts)} µs an attempt (${Math.round((cpuMs / 10 / elapsedS) * 10) / 10} % of a core)`,
);
await daemon.stop('SIGTERM');
redis.disconnect();
await testRedis.stop();
