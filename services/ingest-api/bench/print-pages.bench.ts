/**
 * What one full page of `GET /v1/index/history` (5,000 prints, the public maximum) costs the reader
 * thread (issue 16): `listPrints` + `JSON.stringify` + encoding, as every page cost before, against
 * the pre-encoded closed blocks (queries/print-pages.ts) once they are held. CPU time of this
 * thread (process.cpuUsage is per process; this script runs nothing else), so a loaded host
 * inflates both alike; the two alternate over ROUNDS, each figure is the median µs per page.
 * A real segment file with 10 prints/s over the last hour, the production schema.
 *
 *   npx tsx services/ingest-api/bench/print-pages.bench.ts [pagesPerRound]
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isoWeekOf, migrate, openSegmentView, SEGMENT_MIGRATIONS } from '@tap/domain';
import Database from 'better-sqlite3';
import { historyQuerySchema, listPrints } from '../src/queries/index-history.js';
import { createPrintPageCache } from '../src/queries/print-pages.js';

const PAGES = Number(process.argv[2] ?? 200);
const ROUNDS = 5;
const NOW = Date.now();

const dataDir = mkdtempSync(join(tmpdir(), 'tap-print-pages-bench-'));
mkdirSync(join(dataDir, 'segments'));
const db = new Database(join(dataDir, 'segments', `${isoWeekOf(NOW)}.db`));
migrate(db, SEGMENT_MIGRATIONS);
const insert = db.prepare(
  'INSERT INTO index_prints (id, t, price_cents, venues, sigma, simulated) VALUES (?, ?, ?, 3, ?, 0)',
);
db.transaction(() => {
  for (let i = 0; i < 36_000; i += 1)
    insert.run(i + 1, NOW - 3_600_000 + i * 100, 9_500_000 + (i % 977), 0.00012);
})();
const view = openSegmentView(dataDir);
// The bet-under-abuse flood's query: the last 55 minutes and 5 ahead, the biggest page.
const query = historyQuerySchema.parse({ from: `${NOW - 3_300_000}`, to: `${NOW + 300_000}`, limit: '5000' });
const cache = createPrintPageCache();
const encoder = new TextEncoder();

const ways = {
  'listPrints + JSON.stringify': () => encoder.encode(JSON.stringify(listPrints(view, query))).byteLength,
  'pre-encoded closed blocks': () => cache.page(view, query).body.byteLength,
};
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(ways).map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round += 1) {
  const order = Object.entries(ways);
  if (round % 2 === 1) order.reverse();
  for (const [name, run] of order) {
    run(); // warm (the cache's first page reads its blocks)
    const before = process.cpuUsage();
    for (let i = 0; i < PAGES; i += 1) run();
    const used = process.cpuUsage(before);
    samples[name]?.push((used.user + used.system) / PAGES);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const bytes = ways['pre-encoded closed blocks']();
console.log(
  `one page: ${bytes} bytes, ${JSON.parse(new TextDecoder().decode(cache.page(view, query).body)).prints.length} prints`,
);
for (const [name, xs] of Object.entries(samples))
  console.log(`${name}: ${Math.round(median(xs))} µs CPU a page (median of ${ROUNDS})`);
view.close();
db.close();
rmSync(dataDir, { recursive: true, force: true });
