#!/usr/bin/env node
// Runs the local BTC Tap stack: Redis (infra/redis.conf, data in .demo/redis), a local S3 (s3rver,
// .demo/s3), every daemon from its built bundle (each logging JSON to .demo/logs/<name>.log), and
// nginx (nginx/tap.conf, plain HTTP, through the test kit) serving the web client's build with the
// API behind it. ingest-api runs in demo mode (DEMO_MODE=1: the faucet, bets on simulated prints)
// with the SIWE domain of that one URL. Waits until everything is healthy, starts a few simulated
// traders (web/scripts/demo-traders.ts, on @tap/client) so the grid is alive, prints the URL to
// open, and on Ctrl-C (or SIGTERM) stops the traders and daemons with SIGTERM by PID, then nginx,
// S3 and Redis.
//
//   node scripts/stack.mjs           run until Ctrl-C
//   node scripts/stack.mjs --smoke   check health and the page through nginx, run each timer job
//                                    once, stop, exit 0/1 (no traders)
//
// Ports: the daemons use their defaults (README table); Redis 6390 and S3 9190 so a system Redis on
// 6379 is left alone, the web page 8088. Override with DEMO_REDIS_PORT / DEMO_S3_PORT /
// DEMO_WEB_PORT. Open the page by the printed address: the SIWE domain is exactly that host:port.
//
// The operator key (OPERATOR_MAC_KEY, which the batcher requires) is made once per checkout in
// .demo/operator.env (0600); source it to use tapctl against the demo:
//   set -a; . .demo/operator.env; set +a; REDIS_URL=redis://127.0.0.1:6390 DATA_DIR=$PWD/.demo/data \
//     node services/tapctl/dist/main.js credit 0x… 100 --kind deposit --reason "demo funds" --wait
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const demo = join(root, '.demo');
const smoke = process.argv.includes('--smoke');
const redisPort = Number(process.env.DEMO_REDIS_PORT ?? 6390);
const s3Port = Number(process.env.DEMO_S3_PORT ?? 9190);
const webPort = Number(process.env.DEMO_WEB_PORT ?? 8088);
const webUrl = `http://127.0.0.1:${webPort}`;
const DEMO_TRADERS = 3;
const HEALTH_TIMEOUT_MS = 30_000;
const STOP_LIMIT_MS = 5_000;

/** The demo's operator key, made once: a fresh random key, never a fixed one in the repository. */
function operatorKey() {
  const path = join(demo, 'operator.env');
  if (!existsSync(path)) {
    mkdirSync(demo, { recursive: true });
    writeFileSync(path, `OPERATOR_MAC_KEY=${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  }
  return /^OPERATOR_MAC_KEY=([0-9a-f]+)$/m.exec(readFileSync(path, 'utf8'))[1];
}

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
  // bets on simulated prints only because DEMO_MODE says so (SPEC §9); DEMO_MODE also opens the
  // faucet. The SIWE domain is the one URL the demo prints. BET_ENTRY, BET_ENTRY_DELAY and
  // INDEX_FILTER are left to their defaults: the demo prices as production does (next-tick entry,
  // the adaptive fill delay, the filtered index), and its traders use the page's default tolerance.
  {
    name: 'ingest-api',
    env: {
      HTTP_PORT: '8080',
      DEMO_MODE: '1',
      // Demo mode only: the faucet signs its play-money deposits with the operator key.
      OPERATOR_MAC_KEY: operatorKey(),
      LOGIN_DOMAIN: `127.0.0.1:${webPort}`,
      LOGIN_URI: webUrl,
    },
    health: 'http://127.0.0.1:8080/healthz',
  },
  { name: 'ws-gateway', env: { WS_PORT: '8081' }, health: 'http://127.0.0.1:8081/healthz' },
  {
    name: 'price-ingest',
    env: { OPS_PORT: '9101', VENUES: 'simulator' },
    health: 'http://127.0.0.1:9101/healthz',
  },
  { name: 'health-monitor', env: { OPS_PORT: '9102' }, health: 'http://127.0.0.1:9102/healthz' },
  { name: 'resolver', env: { OPS_PORT: '9103' }, health: 'http://127.0.0.1:9103/healthz' },
  // The batcher (and tapctl) hold the operator key; ingest-api only in demo mode (its faucet).
  {
    name: 'batcher',
    env: { OPS_PORT: '9104', OPERATOR_MAC_KEY: operatorKey() },
    health: 'http://127.0.0.1:9104/healthz',
  },
];
const jobs = [
  { name: 'archiver', args: ['archive'] },
  { name: 'archiver', args: ['backup'] },
  { name: 'integrity-cron', args: [] },
];

const say = (message) => process.stdout.write(`[stack] ${message}\n`);
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** Children still running: killed if this script exits without stopping them (a crash). */
const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function start(name, command, args, options = {}) {
  const log = createWriteStream(join(demo, 'logs', `${name}.log`), { flags: 'a' });
  const child = spawn(command, args, {
    cwd: options.cwd ?? root,
    env: options.env ?? common,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a terminal's Ctrl-C (SIGINT to the whole foreground group) reaches
    // only this script, which stops the daemons first and Redis last — Redis quitting on the same
    // SIGINT as the batcher made the batcher's last flush fail (exit 1).
    detached: true,
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
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
  let nginx = null;
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
    await nginx?.stop();
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
      // The demo runs on Redis's default user (its faucet writes tap:adjustments): no ACL file.
      '--aclfile',
      '',
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
      say(`${daemon.name.padEnd(15)} healthy  (port ${new URL(daemon.health).port})`);
    }
    nginx = await startWeb();
    say(`nginx          serving web/dist, /v1/ and /v1/ws on ${webUrl}`);
    say('logs           .demo/logs/<daemon>.log');

    if (!smoke) {
      running.push(
        start(
          'demo-traders',
          process.execPath,
          ['--import', 'tsx', join(root, 'web/scripts/demo-traders.ts'), webUrl, String(DEMO_TRADERS)],
          { cwd: join(root, 'web'), env: { PATH: process.env.PATH } },
        ),
      );
      say(`${DEMO_TRADERS} simulated traders betting (.demo/logs/demo-traders.log)`);
      say('');
      say(`open ${webUrl}/ and sign in with the demo wallet; press Ctrl-C to stop`);
      await new Promise(() => {});
    }
    let ok = await checkWeb();
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

/** nginx through the test kit (the same rendering of nginx/tap.conf the tests use). */
async function startWeb() {
  if (!existsSync(join(root, 'web/dist/index.html'))) throw new Error('web/dist is missing: run pnpm build');
  const { register } = await import('tsx/esm/api');
  register();
  const { startNginx } = await import('../packages/testkit/src/standalone.ts');
  return startNginx({ apiPort: 8080, wsPort: 8081, port: webPort, webRoot: join(root, 'web/dist') });
}

/** Smoke: the page and the API answer through nginx. */
async function checkWeb() {
  const page = await fetch(`${webUrl}/`);
  const pageOk = page.status === 200 && (await page.text()).includes('id="root"');
  const now = Date.now();
  const api = await fetch(`${webUrl}/v1/index/history?resolution=1s&from=${now - 10_000}&to=${now}`);
  say(`web page through nginx: ${page.status}, API through nginx: ${api.status}`);
  return pageOk && api.status === 200;
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
