/**
 * The reader worker thread in the built daemon (issue 19): it follows a segment that appears while
 * it runs (a roll-over) and still reads the one before; its queue is bounded (`READER_QUEUE_MAX=0`
 * here: a query finds the worker idle or is refused 503 service_busy, never a 500 and never an
 * unbounded wait); list ranges wider than LIST_RANGE_DAYS_MAX are refused 400 before any SQLite
 * work; its metrics and health are exported, and its thread runs at a lower CPU priority under its own name.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isoWeekOf, migrate, SEGMENT_MIGRATIONS } from '@tap/domain';
import { findThreadByName, readScheduling, startRedis, type TestRedis } from '@tap/testkit';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fundedTrader, getJson, startTestApi, type TestApi } from '../testing.js';
import { READER_THREAD_NAME } from './reader-worker.js';

const NOW = Date.now();
const PRINTS = 6_000;
const DAY_MS = 86_400_000;
let redis: TestRedis;
let api: TestApi;
let dataDir: string;

/** A segment file named for `weekOfMs` holding `count` prints 10 ms apart from `fromMs`. */
function writeSegment(weekOfMs: number, fromMs: number, count: number, firstId: number): void {
  const db = new Database(join(dataDir, 'segments', `${isoWeekOf(weekOfMs)}.db`));
  migrate(db, SEGMENT_MIGRATIONS);
  const insert = db.prepare(
    'INSERT INTO index_prints (id, t, price_cents, venues, sigma, simulated) VALUES (?, ?, ?, 3, 0.0001, 0)',
  );
  db.transaction(() => {
    for (let i = 0; i < count; i += 1) insert.run(firstId + i, fromMs + i * 10, 9_500_000 + i);
  })();
  db.close();
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tap-reader-'));
  mkdirSync(join(dataDir, 'segments'));
  writeSegment(NOW, NOW - 60_000, PRINTS, 1);
  redis = await startRedis();
  api = await startTestApi(redis, { DATA_DIR: dataDir, READER_QUEUE_MAX: '0' });
  // With no queue a query finds the worker idle or is refused: wait until it has started.
  while (!((await getJson(api, '/healthz')).body.reader as { ready: boolean }).ready)
    await new Promise((resolve) => setTimeout(resolve, 20));
});
afterAll(async () => {
  await api.stop();
  await redis.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const printsPath = (from: number) => `/v1/index/history?from=${from}&to=${NOW}&limit=5000`;

describe('the reader worker', () => {
  it('follows a segment that appears while it runs and still reads the one before', async () => {
    const before = await getJson(api, printsPath(NOW - 1_000));
    expect(before.status).toBe(200);
    const seen = (before.body.prints as unknown[]).length;
    expect(seen).toBe(100); // the first file's prints at NOW-1,000 … NOW-10 ms
    // The batcher switched to a new week's file: the next query reads it too, newest first.
    writeSegment(NOW + 7 * DAY_MS, NOW - 5, 1, 1_000_000);
    const after = await getJson(api, printsPath(NOW - 1_000));
    expect((after.body.prints as { id: number }[]).map((p) => p.id)).toContain(1_000_000);
    expect((after.body.prints as unknown[]).length).toBe(seen + 1);
  });

  it('builds later pages in the buffers the uWS thread gives back: each body exactly its own bytes', async () => {
    const text = async (from: number, limit: number) => {
      const res = await fetch(`${api.baseUrl}/v1/index/history?from=${from}&to=${NOW}&limit=${limit}`);
      expect(res.status).toBe(200);
      return res.text();
    };
    // Big pages (~380 KB) are given back after the write; the smaller ones after them are built in
    // those buffers, as views of their own length — stale bytes past the end would break the JSON.
    const big = await text(NOW - 60_000, 5_000);
    expect(await text(NOW - 60_000, 5_000)).toBe(big);
    for (const [from, limit] of [
      [NOW - 20_000, 1_500],
      [NOW - 1_000, 5_000],
      [NOW - 60_000, 3],
    ] as const) {
      const body = JSON.parse(await text(from, limit)) as { prints: { t: number }[] };
      expect(body.prints.length).toBeGreaterThan(0);
      expect(body.prints.length).toBeLessThanOrEqual(limit);
      expect(body.prints.every((p) => p.t >= from && p.t < NOW)).toBe(true);
    }
    expect(await text(NOW - 60_000, 5_000)).toBe(big);
  });

  it('refuses with 503 service_busy, never queues or fails, when queries arrive faster than it reads', async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, () =>
        fetch(`${api.baseUrl}${printsPath(NOW - 60_000)}`).then(async (res) => ({
          status: res.status,
          retryAfter: res.headers.get('retry-after'),
          body: (await res.json()) as { error?: string; prints?: unknown[] },
        })),
      ),
    );
    const ok = answers.filter((a) => a.status === 200);
    const busy = answers.filter((a) => a.status === 503);
    expect(ok.length + busy.length).toBe(answers.length);
    expect(ok.length).toBeGreaterThan(0);
    expect(busy.length).toBeGreaterThan(0);
    for (const a of ok) expect(a.body.prints).toHaveLength(5_000);
    for (const a of busy) expect([a.body.error, a.retryAfter]).toEqual(['service_busy', '1']);
  });

  it('refuses a bet or ledger range wider than LIST_RANGE_DAYS_MAX (35 days) with 400 invalid_query', async () => {
    const client = new Redis(redis.url);
    const { token } = await fundedTrader(api, client, 1_000_000);
    client.disconnect();
    for (const route of ['/v1/bets', '/v1/ledger']) {
      const wide = await getJson(api, `${route}?from=${NOW - 36 * DAY_MS}&to=${NOW}`, token);
      expect([route, wide.status, wide.body.error]).toEqual([route, 400, 'invalid_query']);
      // `to` defaults to now: an old `from` alone is as wide.
      const open = await getJson(api, `${route}?from=${NOW - 36 * DAY_MS}`, token);
      expect([route, open.status]).toEqual([route, 400]);
      const fits = await getJson(api, `${route}?from=${NOW - 30 * DAY_MS}&to=${NOW}`, token);
      expect([route, fits.status]).toEqual([route, 200]);
    }
  });

  it('exports its queue and replacements, and shows in /healthz', async () => {
    const metrics = await (await fetch(`${api.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^tap_ingest_api_reader_queued_queries\{[^}]*\} 0$/m);
    expect(metrics).toContain('# TYPE tap_ingest_api_reader_restarts_total counter');
    const health = await getJson(api, '/healthz');
    // Linux: the reader thread runs at nice 10, below the bet thread (reader-worker.ts).
    expect(health.body.reader).toMatchObject({ ready: true, restarts: 0, nice: 10 });
    // …and is named, so `top -H` and the bet-under-abuse benchmark can find it among the `node` threads.
    const tid = findThreadByName(api.daemon.pid, READER_THREAD_NAME);
    expect(tid).not.toBeNull();
    expect(tid).not.toBe(api.daemon.pid);
    expect(readScheduling(api.daemon.pid, tid ?? 0)?.nice).toBe(10);
  });
});
