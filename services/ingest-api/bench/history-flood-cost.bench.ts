/**
 * What one full `GET /v1/index/history` page (5,000 prints, ~385 KB) costs the built daemon, thread
 * by thread (issue 16, "History query blocks the bet loop"): the admission (uWS) thread that writes
 * the bytes, the reader thread (`tap-reader`) that builds them, and the rest (V8's GC workers,
 * libuv). A real redis-server and a segment with 10 prints/s over the last hour; `concurrency`
 * clients ask for the bet-under-abuse flood's page back to back. CPU from
 * /proc/<pid>/task/<tid>/schedstat (nanoseconds), µs per page; a loaded host inflates it. Set
 * PROFILE_DIR to also write the daemon's V8 CPU profiles there (--cpu-prof: one per thread).
 *
 *   npx tsx services/ingest-api/bench/history-flood-cost.bench.ts [pages] [concurrency]
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isoWeekOf, migrate, SEGMENT_MIGRATIONS } from '@tap/domain';
import { freePort, freshPrefix, startDaemon, startRedis, waitForHealthy } from '@tap/testkit/standalone';
import Database from 'better-sqlite3';

const PAGES = Number(process.argv[2] ?? 400);
const CONCURRENCY = Number(process.argv[3] ?? 4);
const NOW = Date.now();

const dataDir = mkdtempSync(join(tmpdir(), 'tap-history-flood-'));
mkdirSync(join(dataDir, 'segments'));
const db = new Database(join(dataDir, 'segments', `${isoWeekOf(NOW)}.db`));
migrate(db, SEGMENT_MIGRATIONS);
const insert = db.prepare(
  'INSERT INTO index_prints (id, t, price_cents, venues, sigma, simulated) VALUES (?, ?, ?, 3, 0.0001, 0)',
);
db.transaction(() => {
  for (let i = 0; i < 36_000; i += 1) insert.run(i + 1, NOW - 3_600_000 + i * 100, 9_500_000 + (i % 977));
})();
db.close();

const redis = await startRedis();
const port = await freePort();
const profileDir = process.env.PROFILE_DIR;
const daemon = startDaemon(
  'ingest-api',
  {
    REDIS_URL: redis.url,
    TAP_KEY_PREFIX: freshPrefix(),
    HTTP_PORT: String(port),
    LOGIN_DOMAIN: 'tap.test',
    LOGIN_URI: 'https://tap.test',
    LOGIN_CHAIN_IDS: '1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  },
  [],
  profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {},
);
const baseUrl = `http://127.0.0.1:${port}`;
// No batcher heartbeat here: /healthz may say degraded, the history route answers anyway.
await waitForHealthy(`${baseUrl}/healthz`).catch(() => undefined);

/** On-CPU ns of each thread of the daemon, keyed `tid name`. */
const threadTimes = () =>
  new Map(
    readdirSync(`/proc/${daemon.pid}/task`).map((tid) => {
      const dir = `/proc/${daemon.pid}/task/${tid}`;
      const name = readFileSync(`${dir}/comm`, 'utf8').trim();
      return [`${tid} ${name}`, Number(readFileSync(`${dir}/schedstat`, 'utf8').split(' ')[0])];
    }),
  );

// The bet-under-abuse flood's page: the last 55 minutes and 5 ahead, the biggest (5,000 prints).
const path = `/v1/index/history?from=${NOW - 3_300_000}&to=${NOW + 300_000}&limit=5000`;
const page = async () => (await (await fetch(baseUrl + path)).arrayBuffer()).byteLength;
for (let i = 0; i < 20; i += 1) await page(); // warm: blocks read once, code optimised
const before = threadTimes();
const began = performance.now();
const sizes = await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    let bytes = 0;
    for (let i = 0; i < PAGES / CONCURRENCY; i += 1) bytes += await page();
    return bytes;
  }),
);
const after = threadTimes();
const bytes = sizes.reduce((a, b) => a + b, 0);
console.log(
  `${PAGES} pages of ${Math.round(bytes / PAGES)} bytes in ${Math.round(performance.now() - began)} ms`,
);
const perPage = (key: string) => ((after.get(key) ?? 0) - (before.get(key) ?? 0)) / 1_000 / PAGES;
const main = `${daemon.pid} ${[...after.keys()].find((k) => k.startsWith(`${daemon.pid} `))?.split(' ')[1]}`;
const reader = [...after.keys()].find((k) => k.endsWith(' tap-reader'));
const total = [...after.keys()].reduce((sum, key) => sum + perPage(key), 0);
console.log(`admission (main) thread: ${perPage(main).toFixed(0)} µs a page`);
console.log(`reader thread: ${reader ? perPage(reader).toFixed(0) : '?'} µs a page`);
console.log(
  `other threads (GC, libuv): ${(total - perPage(main) - (reader ? perPage(reader) : 0)).toFixed(0)} µs a page`,
);
console.log(`whole daemon: ${total.toFixed(0)} µs a page`);
await daemon.stop();
await redis.stop();
rmSync(dataDir, { recursive: true, force: true });
