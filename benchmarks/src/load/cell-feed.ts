/**
 * The cells the load workers bet on. The driver (main thread) refreshes them from `price:last`
 * every PRICE_REFRESH_MS (or from a fixed price for servers without a market) and posts each list
 * to the workers, which hand them out in rotation (CellRotation). Picking prices 27+ cells (1–3 ms
 * here), so it stays off the load threads, whose CPU per request is measured against wrk's — whose
 * bets are all made before its run. Not every print: a cell picked with a 4 s lead margin is still
 * ≥ 3.5 s ahead (LEAD is 2 s) half a second later, and half a second of index movement keeps a
 * 1.5×–5× cell offered.
 */
import { createChannels } from '@tap/channels';
import { Redis } from 'ioredis';
import { type Cell, pickCells } from './cell-picker.js';
import type { PriceSource } from './worker-protocol.js';

const PRICE_REFRESH_MS = 500;

/**
 * Calls `onCells` with the cells picked from the latest print, once before it resolves (also kept
 * as `latest()`) and then every PRICE_REFRESH_MS; a failed refresh (Redis down in a chaos run) keeps the previous cells,
 * and the server answers stale ones with an error code.
 */
export async function startCellFeed(source: PriceSource, onCells: (cells: Cell[]) => void) {
  let redis: Redis | undefined;
  let latest: Cell[] = [];
  const refresh = async () => {
    let print = { t: 0, priceCents: 0, sigma: 0 };
    if ('fixedCents' in source) print = { t: Date.now(), priceCents: source.fixedCents, sigma: 0.0001 };
    else {
      const raw = await redis!.get(createChannels(source.prefix).keys.priceLast);
      if (raw) print = JSON.parse(raw) as typeof print;
    }
    if (print.priceCents > 0) {
      latest = pickCells(print, Date.now());
      onCells(latest);
    }
  };
  if (!('fixedCents' in source)) {
    redis = new Redis(source.redisUrl, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
  }
  try {
    await refresh();
  } catch (err) {
    redis?.disconnect();
    throw err;
  }
  const timer = setInterval(() => {
    refresh().catch(() => undefined);
  }, PRICE_REFRESH_MS);
  return {
    /** The cells of the last successful refresh. */
    latest: () => latest,
    stop() {
      clearInterval(timer);
      redis?.disconnect();
    },
  };
}

/** A load worker's latest cells, handed out in rotation. */
export class CellRotation {
  private list: Cell[] = [];
  private cursor = 0;

  set(cells: Cell[]): void {
    this.list = cells;
  }

  next(): Cell {
    this.cursor = (this.cursor + 1) % Math.max(1, this.list.length);
    return this.list[this.cursor] ?? { t0: 0, p0: 0 };
  }
}
