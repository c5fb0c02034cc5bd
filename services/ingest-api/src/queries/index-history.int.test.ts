/**
 * `GET /v1/index/history` is public: it must never make SQLite walk the week (issue 16 — 8 such
 * clients moved other traders' bet p99 13 → 206 ms). Keyset pages on (t, id) served by the time
 * index, no range starting in the future, bounded pages.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isoWeekOf, migrate, PRINTS_PAGE_SQL, SEGMENT_MIGRATIONS } from '@tap/domain';
import { startRedis, type TestRedis } from '@tap/testkit';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, startTestApi, type TestApi } from '../testing.js';

const START_MS = Date.now() - 600_000;
const PRINTS = 250;
let redis: TestRedis;
let api: TestApi;
let dataDir: string;
let db: Database.Database;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tap-history-'));
  mkdirSync(join(dataDir, 'segments'));
  db = new Database(join(dataDir, 'segments', `${isoWeekOf(START_MS)}.db`));
  migrate(db, SEGMENT_MIGRATIONS);
  const insert = db.prepare(
    'INSERT INTO index_prints (id, t, price_cents, venues, sigma, simulated) VALUES (?, ?, ?, 3, 0.0001, 0)',
  );
  // Ids out of time order on purpose (a restarted feed): the page order is (t, id), not id.
  for (let i = 0; i < PRINTS; i += 1)
    insert.run(i % 2 === 0 ? 10_000 + i : 5_000 + i, START_MS + Math.floor(i / 2) * 100, 9_500_000 + i);
  redis = await startRedis();
  api = await startTestApi(redis, { DATA_DIR: dataDir });
});
afterAll(async () => {
  await api.stop();
  await redis.stop();
  db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('GET /v1/index/history', () => {
  it('pages through every print once, in (t, id) order, with keyset cursors', async () => {
    const seen: { id: number; t: number }[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const query = `from=${START_MS}&to=${START_MS + 3_600_000 - 1}&limit=40${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await getJson(api, `/v1/index/history?${query}`);
      expect(res.status).toBe(200);
      seen.push(...(res.body.prints as { id: number; t: number }[]));
      cursor = res.body.nextCursor as string | null;
      if (!cursor) break;
    }
    expect(seen).toHaveLength(PRINTS);
    expect(new Set(seen.map((p) => p.id)).size).toBe(PRINTS);
    for (let i = 1; i < seen.length; i += 1) {
      const [a, b] = [seen[i - 1]!, seen[i]!];
      expect(a.t < b.t || (a.t === b.t && a.id < b.id)).toBe(true);
    }
  });

  it('refuses a range that starts in the future before touching SQLite', async () => {
    const from = Date.now() + 60_000;
    const res = await getJson(api, `/v1/index/history?from=${from}&to=${from + 3_600_000}`);
    expect([res.status, res.body.error, res.body.reason]).toEqual([400, 'invalid_query', 'from_in_future']);
  });

  it('refuses pages over 5,000 and ranges over an hour', async () => {
    const tooMany = await getJson(
      api,
      `/v1/index/history?from=${START_MS}&to=${START_MS + 1_000}&limit=5001`,
    );
    const tooWide = await getJson(api, `/v1/index/history?from=${START_MS}&to=${START_MS + 3_600_001}`);
    expect([tooMany.status, tooWide.status]).toEqual([400, 400]);
  });

  it('reads each page by a range scan of the time index, never a walk of the table', () => {
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN ${PRINTS_PAGE_SQL}`)
      .all(START_MS, 0, START_MS + 1_000, 10) as { detail: string }[];
    const details = plan.map((row) => row.detail).join('\n');
    expect(details).toMatch(/SEARCH index_prints USING (COVERING )?INDEX index_prints_by_time/);
    expect(details).not.toMatch(/SCAN index_prints|TEMP B-TREE/);
  });
});
