#!/usr/bin/env node
// Runs the local BTC Tap stack: Redis (infra/redis.conf, data in .demo/redis), a local S3 (s3rver,
// .demo/s3), and every daemon from its built bundle, each logging JSON to .demo/logs/<name>.log.
// Waits until every daemon is healthy, prints the URLs, and on Ctrl-C (or SIGTERM) stops the
// daemons with SIGTERM by PID, then S3 and Redis.
//
//   node scripts/stack.mjs           run until Ctrl-C
//   node scripts/stack.mjs --smoke   check health, run each timer job once, stop, exit 0/1
//
// Ports: the daemons use their defaults (README table); Redis 6390 and S3 9190 so a system Redis on
// 6379 is left alone. Override with DEMO_REDIS_PORT / DEMO_S3_PORT.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const demo = join(root, '.demo');
const smoke = process.argv.includes('--smoke');
const redisPort = Number(process.env.DEMO_REDIS_PORT ?? 6390);
const s3Port = Number(process.env.DEMO_S3_PORT ?? 9190);
const HEALTH_TIMEOUT_MS = 30_000;
const STOP_LIMIT_MS = 5_000;

const common = {
  PATH: process.env.PATH,
  LOG_LEVEL: 'info',
  REDIS_URL: `redis://127.0.0.1:${redisPort}`,
  TAP_KEY_PREFIX: 'tap:',
  DATA_DIR: join(demo, 'data'),
  TEXTFILE_DIR: join(demo, 'textfile'),
  S3_ENDPOINT: `http://127.0.0.1:${s3Port}`,
  S3_BUCKET: 'tap-archive',
  S3_ACCESS_KEY_ID: 'S3RVER',
  S3_SECRET_ACCESS_KEY: 'S3RVER',
  // The backup job ships Redis' RDB/AOF from here with each segment backup.
  REDIS_DATA_DIR: join(demo, 'redis'),
};

const daemons = [
  // The demo runs on the simulator, by name (price-ingest has no venue default), and the API accepts
  // bets on simulated prints only because DEMO_MODE says so (SPEC §9).
  { name: 'ingest-api', env: { HTTP_PORT: '8080', DEMO_MODE: '1' }, health: 'http://127.0.0.1:8080/healthz' },
  { name: 'ws-gateway', env: { WS_PORT: '8081' }, health: 'http://127.0.0.1:8081/healthz' },
  {
    name: 'price-ingest',
    env: { OPS_PORT: '9101', VENUES: 'simulator' },
    health: 'http://127.0.0.1:9101/healthz',
  },
  { name: 'health-monitor', env: { OPS_PORT: '9102' }, health: 'http://127.0.0.1:9102/healthz' },
  { name: 'resolver', env: { OPS_PORT: '9103' }, health: 'http://127.0.0.1:9103/healthz' },
  { name: 'batcher', env: { OPS_PORT: '9104' }, health: 'http://127.0.0.1:9104/healthz' },
];
const jobs = [
  { name: 'archiver', args: ['archive'] },
  { name: 'archiver', args: ['backup'] },
  { name: 'integrity-cron', args: [] },
];

const say = (message) => process.stdout.write(`[stack] ${message}\n`);
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

function start(name, command, args, options = {}) {
  const log = createWriteStream(join(demo, 'logs', `${name}.log`), { flags: 'a' });
  const child = spawn(command, args, {
    cwd: options.cwd ?? root,
    env: options.env ?? common,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
  return { name, child, exited, log };
}

async function waitFor(check, what, timeoutMs = HEALTH_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`${what} not ready within ${timeoutMs} ms (see .demo/logs/)`);
}

const healthy = (url) => async () => (await fetch(url)).status === 200;

async function stop(proc) {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null)
    return { ...(await proc.exited), ms: 0 };
  const began = Date.now();
  proc.child.kill('SIGTERM');
  const killer = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
  const result = await proc.exited;
  clearTimeout(killer);
  return { ...result, ms: Date.now() - began };
}

async function main() {
  for (const dir of ['logs', 'redis', 's3', 'data', 'textfile'])
    mkdirSync(join(demo, dir), { recursive: true });
  const infra = [];
  const running = [];
  let stopping = false;

  const stopAll = async () => {
    if (stopping) return true;
    stopping = true;
    let clean = true;
    for (const proc of running.reverse()) {
      const result = await stop(proc);
      const ok = result.code === 0 && result.ms < STOP_LIMIT_MS;
      clean &&= ok;
      say(
        `${proc.name} stopped: exit ${result.code ?? result.signal} in ${result.ms} ms${ok ? '' : '  <-- NOT CLEAN'}`,
      );
    }
    for (const proc of infra.reverse()) await stop(proc);
    return clean;
  };
  process.on('SIGINT', () => void stopAll().then((clean) => process.exit(clean ? 0 : 1)));
  process.on('SIGTERM', () => void stopAll().then((clean) => process.exit(clean ? 0 : 1)));

  try {
    say(`redis-server on 127.0.0.1:${redisPort} (data in .demo/redis)`);
    const redis = start('redis', 'redis-server', [
      join(root, 'infra/redis.conf'),
      '--port',
      String(redisPort),
      '--dir',
      join(demo, 'redis'),
      '--daemonize',
      'no',
    ]);
    infra.push(redis);
    await waitFor(() => probe(redisPort), 'redis');
    say(`s3rver on 127.0.0.1:${s3Port} (bucket tap-archive, data in .demo/s3)`);
    infra.push(
      start(
        's3rver',
        process.execPath,
        [join(root, 'packages/testkit/bin/s3rver.cjs'), String(s3Port), join(demo, 's3'), 'tap-archive'],
        { cwd: join(root, 'packages/testkit'), env: process.env },
      ),
    );
    await waitFor(() => probe(s3Port), 's3rver');

    for (const daemon of daemons) {
      running.push(
        start(daemon.name, process.execPath, [join(root, 'services', daemon.name, 'dist/main.js')], {
          env: { ...common, ...daemon.env },
        }),
      );
    }
    for (const daemon of daemons) {
      await waitFor(healthy(daemon.health), daemon.name);
      say(`${daemon.name.padEnd(15)} healthy  ${daemon.health}`);
    }
    say('API        http://127.0.0.1:8080/v1/  (health /healthz, metrics /metrics)');
    say('WebSocket  ws://127.0.0.1:8081/v1/ws');
    say('logs       .demo/logs/<daemon>.log');

    if (!smoke) {
      say('running; press Ctrl-C to stop');
      await new Promise(() => {});
    }
    let ok = true;
    for (const job of jobs) {
      const run = start(
        `${job.name}-${job.args.join('-') || 'run'}`,
        process.execPath,
        [join(root, 'services', job.name, 'dist/main.js'), ...job.args],
        { env: { ...common, OPS_PORT: '0' } },
      );
      const result = await run.exited;
      ok &&= result.code === 0;
      say(`timer job ${job.name} ${job.args.join(' ')}: exit ${result.code}`);
    }
    const clean = await stopAll();
    say(ok && clean ? 'smoke passed' : 'smoke FAILED');
    process.exit(ok && clean ? 0 : 1);
  } catch (err) {
    say(`failed: ${err.message}`);
    await stopAll();
    process.exit(1);
  }
}

function probe(port) {
  return new Promise((done) => {
    import('node:net').then(({ connect }) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.end();
        done(true);
      });
      socket.once('error', () => done(false));
    });
  });
}

await main();
