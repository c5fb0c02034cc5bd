/**
 * The pre-encoded pages must be byte for byte what listPrints answers — for any range, cursor and
 * limit, across closed blocks, the block still filling, prints that arrive later and a roll-over
 * (two segments). Real SQLite segment files, the production schema.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, openSegmentView, SEGMENT_MIGRATIONS, type SegmentView } from '@tap/domain';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyQuerySchema, listPrints } from './index-history.js';
import { BLOCK_MS, createPrintPageCache as createCache } from './print-pages.js';

/** The cache with its pages as text, to compare with listPrints' JSON. */
function createPrintPageCache(blocksMax?: number) {
  const cache = createCache(blocksMax);
  const decoder = new TextDecoder();
  return {
    page: (v: SegmentView, q: ReturnType<typeof queryOf>) => decoder.decode(cache.page(v, q).body),
    size: () => cache.size(),
  };
}

const T0 = 1_764_000_000_000 - (1_764_000_000_000 % BLOCK_MS) + 7_000; // inside a block
let dataDir: string;
let dbs: Database.Database[];
let view: SegmentView;
let nextId = 1;

/** Prints every 250 ms from `fromMs` for `count`, into one segment; two share each fifth time. */
function addPrints(db: Database.Database, fromMs: number, count: number): void {
  const insert = db.prepare(
    'INSERT INTO index_prints (id, t, price_cents, venues, sigma, simulated) VALUES (?, ?, ?, 3, ?, 0)',
  );
  db.transaction(() => {
    for (let i = 0; i < count; i += 1) {
      const t = fromMs + (i - (i % 5 === 4 ? 1 : 0)) * 250;
      insert.run(nextId, t, 9_500_000 + ((nextId * 7919) % 10_000), 0.0001 + nextId / 1e9);
      nextId += 1;
    }
  })();
}

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'tap-print-pages-'));
  mkdirSync(join(dataDir, 'segments'));
  // A roll-over inside the range: the older week's file and the newer one, as the view merges them.
  dbs = ['2025-W47', '2025-W48'].map((name) => {
    const db = new Database(join(dataDir, 'segments', `${name}.db`));
    migrate(db, SEGMENT_MIGRATIONS);
    return db;
  });
  addPrints(dbs[0]!, T0, 1_000); // ~4 min
  addPrints(dbs[1]!, T0 + 250_000, 800); // ~3.3 min, after the roll-over
  view = openSegmentView(dataDir);
});
afterAll(() => {
  view.close();
  for (const db of dbs) db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const queryOf = (raw: Record<string, string>) => historyQuerySchema.parse(raw);
const END = T0 + 250_000 + 200_000;
let storedRows: { t: number; id: number }[] | undefined;
/** Every print stored at the start, in (t, id) order. */
const stored = () => {
  storedRows ??= listPrints(view, queryOf({ from: `${T0}`, to: `${T0 + 3_600_000}`, limit: '5000' })).prints;
  return storedRows;
};
const expected = (query: ReturnType<typeof queryOf>) => JSON.stringify(listPrints(view, query));

describe('pre-encoded print pages', () => {
  it('answer exactly what listPrints answers, for any range, cursor and limit', () => {
    const cache = createPrintPageCache();
    fc.assert(
      fc.property(
        fc.integer({ min: T0 - 90_000, max: END }),
        // The end: any time after `from`, or a stored print's own time (`to` is exclusive: an edge).
        fc.oneof(
          fc.integer({ min: 1, max: 3_600_000 }).map((span) => ({ span })),
          fc.integer({ min: 0, max: 1_799 }).map((i) => ({ at: stored()[i]!.t })),
        ),
        fc.integer({ min: 1, max: 1_500 }),
        fc.option(
          fc.oneof(
            fc.tuple(fc.integer({ min: T0 - 10_000, max: END }), fc.integer({ min: 0, max: 2_000 })),
            // A stored print's own (t, id), as a nextCursor names it: the keyset's edge.
            fc.integer({ min: 0, max: 1_799 }).map((i) => [stored()[i]!.t, stored()[i]!.id] as const),
          ),
        ),
        (from, end, limit, cursor) => {
          const to = 'span' in end ? from + end.span : end.at;
          fc.pre(to > from && to - from <= 3_600_000);
          const raw: Record<string, string> = { from: `${from}`, to: `${to}`, limit: `${limit}` };
          if (cursor) raw.cursor = `${cursor[0]}-${cursor[1]}`;
          const query = queryOf(raw);
          expect(cache.page(view, query)).toBe(expected(query));
        },
      ),
      { numRuns: 300 },
    );
    expect(cache.size()).toBeGreaterThan(0);
  }, 60_000);

  it('pages through the whole range once, cursor after cursor, as listPrints does', () => {
    const cache = createPrintPageCache();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query = queryOf({ from: `${T0}`, to: `${END}`, limit: '333', ...(cursor ? { cursor } : {}) });
      const text = cache.page(view, query);
      expect(text).toBe(expected(query));
      cursor = (JSON.parse(text) as { nextCursor: string | null }).nextCursor;
      pages += 1;
    } while (cursor && pages < 20);
    expect(pages).toBe(Math.ceil(1_800 / 333));
  });

  it('keeps only closed blocks: prints that arrive later in the filling block are served', () => {
    const cache = createPrintPageCache();
    const query = queryOf({ from: `${END - 3_000_000}`, to: `${END + 600_000}`, limit: '5000' });
    const before = cache.page(view, query);
    expect(before).toBe(expected(query));
    // The feed goes on: the newest block fills up and the next ones start.
    addPrints(dbs[1]!, END - 1_000, 400);
    const after = cache.page(view, query);
    expect(after).toBe(expected(query));
    expect(after.length).toBeGreaterThan(before.length);
  });

  it('holds at most its bound of blocks, least recently used dropped', () => {
    const cache = createPrintPageCache(3);
    const query = queryOf({ from: `${T0}`, to: `${END}`, limit: '5000' });
    expect(cache.page(view, query)).toBe(expected(query));
    expect(cache.size()).toBe(3);
    expect(cache.page(view, query)).toBe(expected(query));
  });

  it('lists the segments once a page, whatever the page reads (closed blocks, the newest print, the tail)', () => {
    let listings = 0;
    const counting: SegmentView = {
      segments: () => {
        listings += 1;
        return view.segments();
      },
      close: () => undefined,
    };
    const cache = createPrintPageCache();
    const query = queryOf({ from: `${T0}`, to: `${END}`, limit: '5000' });
    // The first page reads every block from SQLite; the second copies them: one listing each.
    expect(cache.page(counting, query)).toBe(expected(query));
    expect(listings).toBe(1);
    expect(cache.page(counting, query)).toBe(expected(query));
    expect(listings).toBe(2);
  });

  it('keeps a print at exactly a block start whose id is lower than the block before (a restarted feed)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tap-print-pages-edge-'));
    mkdirSync(join(dir, 'segments'));
    const db = new Database(join(dir, 'segments', '2025-W47.db'));
    migrate(db, SEGMENT_MIGRATIONS);
    const insert = db.prepare(
      'INSERT INTO index_prints (id, t, price_cents, venues, sigma, simulated) VALUES (?, ?, 9500000, 3, 0.0001, 0)',
    );
    const start = T0 - (T0 % BLOCK_MS);
    // A closed block ending in id 900, then a print at exactly the next block's start with id 5,
    // then later prints so the first block is closed and the second is still filling.
    insert.run(900, start + BLOCK_MS - 100);
    insert.run(5, start + BLOCK_MS);
    for (let i = 1; i <= 80; i += 1) insert.run(1_000 + i, start + BLOCK_MS + i * 100);
    const edgeView = openSegmentView(dir);
    try {
      const query = queryOf({ from: `${start}`, to: `${start + 3_600_000}`, limit: '5000' });
      const page = JSON.parse(createPrintPageCache().page(edgeView, query)) as { prints: { id: number }[] };
      expect(page.prints.map((p) => p.id).slice(0, 3)).toEqual([900, 5, 1_001]);
      expect(JSON.stringify(listPrints(edgeView, query))).toBe(JSON.stringify(page));
      // A cursor before `from` starts the page at `from`, every id there included.
      const early = queryOf({
        from: `${start + BLOCK_MS}`,
        to: `${start + 3_600_000}`,
        limit: '5000',
        cursor: `${start + BLOCK_MS - 100}-900`,
      });
      const fromCache = JSON.parse(createPrintPageCache().page(edgeView, early)) as {
        prints: { id: number }[];
      };
      expect(fromCache.prints[0]?.id).toBe(5);
      expect(JSON.stringify(listPrints(edgeView, early))).toBe(JSON.stringify(fromCache));
    } finally {
      edgeView.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
