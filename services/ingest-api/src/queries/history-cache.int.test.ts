/**
 * A flood of `GET /v1/index/history` through nginx reaches ingest-api a bounded number of times
 * (issue 16: 50 queries/s must not move the bet p99): grid pages are cached by nginx
 * (nginx/tap.conf, tap_history) as ingest-api's Cache-Control allows — a closed page once, the page
 * still filling about once a second — and any other query takes a token from a global budget.
 * Upstream queries are counted by ingest-api's own metric (`tap_ingest_api_outcomes_total`). Real
 * nginx with the production config, the built ingest-api, real segment files.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  isoWeekOf,
  migrate,
  PRINT_PAGE_MS,
  printPageQuery as pageQuery,
  SEGMENT_MIGRATIONS,
} from '@tap/domain';
import { startNginx, startRedis, type TestNginx, type TestRedis } from '@tap/testkit';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../testing.js';

/** Prints every 100 ms over the last 10 minutes, up to now (the newest page is still filling). */
const NOW = Date.now();
const START_MS = NOW - 600_000;
const RANGES_BURST = 5;
let redis: TestRedis;
let api: TestApi;
let nginx: TestNginx;
let dataDir: string;
let db: Database.Database;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tap-history-cache-'));
  mkdirSync(join(dataDir, 'segments'));
  db = new Database(join(dataDir, 'segments', `${isoWeekOf(START_MS)}.db`));
  migrate(db, SEGMENT_MIGRATIONS);
  const insert = db.prepare(
    'INSERT INTO index_prints (id, t, price_cents, venues, sigma, simulated) VALUES (?, ?, ?, 3, 0.0001, 0)',
  );
  db.transaction(() => {
    for (let t = START_MS, id = 1; t <= NOW; t += 100, id += 1) insert.run(id, t, 9_500_000 + (id % 977));
  })();
  redis = await startRedis();
  api = await startTestApi(redis, {
    DATA_DIR: dataDir,
    HISTORY_RANGES_PER_S: '1',
    HISTORY_RANGES_BURST: String(RANGES_BURST),
  });
  // The per-IP history rate lifted: the test is one address standing for many.
  nginx = await startNginx({
    apiPort: Number(new URL(api.baseUrl).port),
    wsPort: 1,
    historyRatePerS: 1_000_000,
  });
});
afterAll(async () => {
  await nginx?.stop();
  await api?.stop();
  await redis?.stop();
  db?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** History queries ingest-api answered itself, by kind (grid_page, range, ranges_busy). */
async function upstreamQueries() {
  const text = await (await fetch(`${api.baseUrl}/metrics`)).text();
  const lines = text.split('\n').filter((line) => line.startsWith('tap_ingest_api_outcomes_total{'));
  const count = (outcome: string) =>
    Number(
      lines
        .find((line) => line.includes('route="index_history"') && line.includes(`outcome="${outcome}"`))
        ?.split(' ')
        .at(-1) ?? 0,
    );
  return { grid_page: count('grid_page'), range: count('range'), ranges_busy: count('ranges_busy') };
}

const pageStart = (t: number) => t - (t % PRINT_PAGE_MS);
const history = (query: string) => fetch(`${nginx.url}/v1/index/history?${query}`);

/** `count` requests, 16 at a time (within the history location's burst of 20), their status and body. */
async function flood(queries: (i: number) => string, count: number) {
  const answers: { status: number; cacheControl: string | null; body: string }[] = [];
  for (let at = 0; at < count; at += 16) {
    const batch = Array.from({ length: Math.min(16, count - at) }, async (_, i) => {
      const res = await history(queries(at + i));
      return { status: res.status, cacheControl: res.headers.get('cache-control'), body: await res.text() };
    });
    answers.push(...(await Promise.all(batch)));
  }
  return answers;
}

describe('the index history through nginx', () => {
  it('answers a flood of one closed page from the cache: one query reaches ingest-api', async () => {
    const page = pageStart(START_MS) + 10 * PRINT_PAGE_MS;
    const before = await upstreamQueries();
    const answers = await flood(() => pageQuery(page), 200);
    const bodies = answers.map((answer) => answer.body);
    const after = await upstreamQueries();

    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
    expect(answers[0]?.cacheControl).toBe('public, max-age=31536000, immutable');
    expect(after.grid_page - before.grid_page).toBe(1);
    // Every copy is the page ingest-api answers directly, and holds exactly its ten seconds.
    const direct = await (await fetch(`${api.baseUrl}/v1/index/history?${pageQuery(page)}`)).text();
    expect(new Set(bodies)).toEqual(new Set([direct]));
    const { prints, nextCursor } = JSON.parse(direct) as { prints: { t: number }[]; nextCursor: null };
    expect(prints.map((p) => p.t)).toEqual(
      Array.from({ length: 100 }, (_, i) => page + (START_MS % 100) + i * 100),
    );
    expect(nextCursor).toBeNull();
  });

  it('answers a flood over many pages with one query per distinct page', async () => {
    const pages = Array.from({ length: 30 }, (_, i) => pageStart(START_MS) + (20 + i) * PRINT_PAGE_MS);
    const before = await upstreamQueries();
    const answers = await flood((i) => pageQuery(pages[i % pages.length] ?? 0), pages.length * 5);
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    const after = await upstreamQueries();
    expect(after.grid_page - before.grid_page).toBe(pages.length);
  });

  it('asks ingest-api for the page still filling about once a second, and sees its new prints', async () => {
    const page = pageStart(Date.now());
    const before = await upstreamQueries();
    const started = Date.now();
    let answered = 0;
    while (Date.now() - started < 3_000) {
      const batch = await Promise.all(Array.from({ length: 20 }, () => history(pageQuery(page))));
      for (const res of batch) {
        expect(res.status).toBe(200);
        expect(res.headers.get('cache-control')).toBe('public, max-age=1');
        await res.arrayBuffer();
      }
      answered += batch.length;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const seconds = (Date.now() - started) / 1000;
    const after = await upstreamQueries();
    expect(answered).toBeGreaterThan(200);
    expect(after.grid_page - before.grid_page).toBeLessThanOrEqual(Math.ceil(seconds) + 2);

    // A print stored now shows on its page within about a second: the page still filling is not frozen.
    const late = Date.now();
    db.prepare(
      'INSERT INTO index_prints (id, t, price_cents, venues, sigma, simulated) VALUES (?, ?, 1, 3, 0.0001, 0)',
    ).run(9_999_999, late);
    const seenAfter = Date.now();
    let seen = false;
    while (!seen && Date.now() - seenAfter < 4_000) {
      const body = (await (await history(pageQuery(pageStart(late)))).json()) as { prints: { t: number }[] };
      seen = body.prints.some((p) => p.t === late);
      if (!seen) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen).toBe(true);
    expect(Date.now() - seenAfter).toBeLessThan(2_500);
  });

  it('passes other queries uncached, within a global budget (503 service_busy past it)', async () => {
    const from = START_MS + 1_234; // not on the grid
    const variants = [
      `from=${from}&to=${from + 10_000}`,
      // A grid page spelt another way is not a grid page: a cache could not bound its spellings.
      `to=${pageStart(START_MS) + 2 * PRINT_PAGE_MS}&from=${pageStart(START_MS) + PRINT_PAGE_MS}`,
      `from=0${pageStart(START_MS) + PRINT_PAGE_MS}&to=${pageStart(START_MS) + 2 * PRINT_PAGE_MS}`,
    ];
    const before = await upstreamQueries();
    const started = Date.now();
    const answers = await flood((i) => variants[i % variants.length] ?? '', 30);
    const seconds = (Date.now() - started) / 1000;
    const after = await upstreamQueries();
    const statuses = answers.map((answer) => answer.status);
    expect(answers.find((answer) => answer.status === 200)?.cacheControl).toBe('no-store');
    // The burst, plus the one token a second refilled meanwhile (concurrent misses of one URL
    // wait for each other at nginx's cache lock, so this takes a few seconds).
    expect(after.range - before.range).toBeGreaterThanOrEqual(1);
    expect(after.range - before.range).toBeLessThanOrEqual(RANGES_BURST + Math.ceil(seconds));
    expect(statuses.filter((s) => s === 503).length).toBe(after.ranges_busy - before.ranges_busy);
    expect(statuses.filter((s) => s === 200).length + statuses.filter((s) => s === 503).length).toBe(30);
    expect(JSON.parse(answers.find((answer) => answer.status === 503)?.body ?? '{}')).toMatchObject({
      error: 'service_busy',
    });
  });
});
