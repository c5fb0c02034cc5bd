/**
 * The JSON of `GET /v1/index/history` pages of prints, with the immutable past pre-encoded (issue 16,
 * "History query blocks the bet loop"). The query is public and unauthenticated, and a full page
 * (5,000 prints, ~430 KB) cost the reader thread ~6 ms of CPU — SQLite stepping, building rows,
 * one JSON.stringify — which a flood of 50 pages/s turns into a third of a core taken from the two
 * the bet path shares. But the prints of a stretch of time that has closed never change (they are
 * the settlement evidence, SPEC §4): so each closed 10-second block is read once, its prints encoded
 * once to UTF-8 JSON, and kept; a page is then those bytes copied together, plus an ordinary query
 * for the block still filling (~6× less CPU for a full page: bench/print-pages.bench.ts). What a page contains and how it is encoded is exactly what `listPrints` answers (a
 * differential test holds the two equal).
 *
 * When a block is closed: the view already holds a print at least CLOSED_AFTER_MS after its end.
 * Prints reach SQLite in the order price-ingest wrote them (one stream, applied in order by the
 * batcher), and their times only increase, so once a later print is stored nothing earlier can
 * still arrive; the margin covers a clock step of the index between two prints.
 *
 * Bounded: at most BLOCKS_MAX blocks are kept (least recently used dropped; one query spans at
 * most an hour, so an hour's flood is served from memory). Only the local segment view is cached:
 * a query that needs restored archived weeks is rare, rate-limited and answered by `listPrints`.
 */
import { PRINT_PAGE_MS, type PrintRow, printKeyset, printsBetween, type SegmentView } from '@tap/domain';
import type Database from 'better-sqlite3';
import type { z } from 'zod';
import { cursorOf, type historyQuerySchema } from './index-history.js';

/**
 * The unit kept: ten seconds of prints (short, so the part still filling — read from SQLite each
 * time — stays small), and the span of the public grid pages, so a closed grid page is one block.
 */
export const BLOCK_MS = PRINT_PAGE_MS;
/** Kept blocks: two hours of prints (~100 a block at 10 prints/s, ~8 KB each: ~6 MB). */
export const BLOCKS_MAX = 720;
/** A block is closed once the view holds a print this long after its end. */
export const CLOSED_AFTER_MS = 5_000;

type HistoryQuery = z.infer<typeof historyQuerySchema>;

interface Encoded {
  t: number;
  id: number;
  json: string;
}

/** A closed block: its prints in (t, id) order, and all of them as UTF-8 `row,row,…` for whole-block use. */
interface Block {
  rows: Encoded[];
  bytes: Uint8Array;
}

/**
 * A page's bytes, and whether they are final: every print its range can hold is stored (the range
 * ends before the closed blocks do), so the same query answers the same bytes for ever.
 */
export interface PrintPage {
  body: Uint8Array;
  final: boolean;
}

export interface PrintPageCache {
  /**
   * The page's JSON as UTF-8: `{"prints":[…],"nextCursor":…}`, as JSON.stringify(listPrints(…)) writes
   * it, in a buffer from `allocate` (default: a fresh one; the reader's given-back spares).
   */
  page(view: SegmentView, query: HistoryQuery, allocate?: (bytes: number) => Uint8Array): PrintPage;
  /** Blocks held now (for tests). */
  size(): number;
}

const encoder = new TextEncoder();

export function createPrintPageCache(blocksMax = BLOCKS_MAX): PrintPageCache {
  // A Map iterates in insertion order: re-inserting on use makes the first key the least recent.
  const blocks = new Map<number, Block>();
  const block = (view: SegmentView, start: number): Block => {
    const held = blocks.get(start);
    if (held) {
      blocks.delete(start);
      blocks.set(start, held);
      return held;
    }
    const rows = printsBetween(view, {
      fromMs: start,
      toMs: start + BLOCK_MS,
      limit: Number.MAX_SAFE_INTEGER,
    }).map(encodeRow);
    const read = { rows, bytes: encoder.encode(rows.map((r) => r.json).join(',')) };
    blocks.set(start, read);
    if (blocks.size > blocksMax) blocks.delete(blocks.keys().next().value as number);
    return read;
  };
  return {
    page: (view, query, allocate = (bytes) => new Uint8Array(bytes)) =>
      page(listedOnce(view), query, block, allocate),
    size: () => blocks.size,
  };
}

/**
 * The view as one listing of its segments, for one page: `segments()` lists the directory and
 * reads each segment's state again (segment-view.ts), and a page asked for it up to three times
 * (the newest print, a block read, the tail) — with the statements prepared anew, about a third of
 * a cached page's CPU on the reader thread. One listing also reads the whole page from the same
 * segments, whatever a roll-over does meanwhile.
 */
function listedOnce(view: SegmentView): SegmentView {
  const segments = view.segments();
  return { segments: () => segments, close: () => undefined };
}

function page(
  view: SegmentView,
  query: HistoryQuery,
  block: (view: SegmentView, start: number) => Block,
  allocate: (bytes: number) => Uint8Array,
): PrintPage {
  // Where the page starts: after the cursor, never before `from`.
  const after = printKeyset(query.from, cursorOf(query));
  const closedBefore = newestPrintT(view) - CLOSED_AFTER_MS;
  const body = new PageBody();
  let last: { t: number; id: number } | undefined;
  let start = Math.floor(after.t / BLOCK_MS) * BLOCK_MS;
  // Closed blocks from memory, in order, while the page has room: a block wholly inside the page
  // is copied as its bytes, the page's first and last blocks row by row.
  for (
    ;
    start < query.to && start + BLOCK_MS <= closedBefore && body.count < query.limit;
    start += BLOCK_MS
  ) {
    const { rows, bytes } = block(view, start);
    const first = rows[0];
    const final = rows.at(-1);
    if (
      first &&
      final &&
      isAfter(first, after) &&
      final.t < query.to &&
      body.count + rows.length <= query.limit
    ) {
      body.addBytes(bytes, rows.length);
      last = final;
      continue;
    }
    for (const row of rows) {
      if (!isAfter(row, after) || row.t >= query.to) continue;
      body.addRow(row.json);
      last = row;
      if (body.count === query.limit) break;
    }
  }
  // The block still filling (and anything after it) from SQLite, as listPrints reads it.
  if (start < query.to && body.count < query.limit) {
    // Every row of the closed blocks lies before `start`: the page goes on after the cursor, from
    // `start` on (printKeyset).
    const rows = printsBetween(view, {
      fromMs: Math.max(start, query.from),
      toMs: query.to,
      after,
      limit: query.limit - body.count,
    });
    for (const row of rows) {
      const encoded = encodeRow(row);
      body.addRow(encoded.json);
      last = encoded;
    }
  }
  const nextCursor = body.count === query.limit && last ? JSON.stringify(`${last.t}-${last.id}`) : 'null';
  return { body: body.finish(`],"nextCursor":${nextCursor}}`, allocate), final: query.to <= closedBefore };
}

/** `{"prints":[` + the rows, comma-separated, + the tail, into one buffer of its own (transferable). */
class PageBody {
  count = 0;
  private readonly chunks: Uint8Array[] = [encoder.encode('{"prints":[')];
  private pending: string[] = [];

  addRow(json: string): void {
    this.pending.push(json);
    this.count += 1;
  }

  addBytes(bytes: Uint8Array, rows: number): void {
    this.flush();
    this.chunks.push(bytes);
    this.count += rows;
  }

  finish(tail: string, allocate: (bytes: number) => Uint8Array): Uint8Array {
    this.flush();
    const comma = 0x2c;
    const rows = this.chunks.slice(1);
    const end = encoder.encode(tail);
    const total =
      this.chunks.reduce((n, c) => n + c.byteLength, 0) + Math.max(0, rows.length - 1) + end.byteLength;
    const out = allocate(total);
    let at = 0;
    this.chunks.forEach((chunk, i) => {
      if (i > 1) out[at++] = comma;
      out.set(chunk, at);
      at += chunk.byteLength;
    });
    out.set(end, at);
    return out;
  }

  private flush(): void {
    if (this.pending.length) this.chunks.push(encoder.encode(this.pending.join(',')));
    this.pending = [];
  }
}

const isAfter = (row: { t: number; id: number }, key: { t: number; id: number }) =>
  row.t > key.t || (row.t === key.t && row.id > key.id);

/** The same object, in the same key order, as listPrints makes of a row. */
function encodeRow(r: PrintRow): Encoded {
  const json = JSON.stringify({
    id: r.id,
    t: r.t,
    priceCents: r.price_cents,
    venues: r.venues,
    sigma: r.sigma,
  });
  return { t: r.t, id: r.id, json };
}

/** The newest print's time over the view's segments (an index lookup each), or -∞ with none. */
function newestPrintT(view: SegmentView): number {
  let newest = Number.NEGATIVE_INFINITY;
  for (const segment of view.segments()) {
    const t = newestStatement(segment.db).get() as number | null;
    if (t !== null) newest = Math.max(newest, t);
  }
  return newest;
}

/** Prepared once per connection (weakly keyed: it goes with its connection), as printsBetween's. */
const newestStatements = new WeakMap<Database.Database, Database.Statement>();

function newestStatement(db: Database.Database): Database.Statement {
  let statement = newestStatements.get(db);
  if (!statement) {
    statement = db.prepare('SELECT MAX(t) FROM index_prints').pluck();
    newestStatements.set(db, statement);
  }
  return statement;
}
