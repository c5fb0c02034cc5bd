/**
 * The cells a load worker bets on, refreshed from `price:last` every PRICE_REFRESH_MS (or from a
 * fixed price for servers without a market), handed out in rotation. Refreshing costs the load
 * thread a pricing pass over 27 cells (1–3 ms on the dev machine), so not every print: a cell picked
 * with a 4 s lead margin is still ≥ 3.5 s ahead (LEAD is 2 s) half a second later, and half a
 * second of index movement keeps a 1.5×–5× cell offered.
 */
import { createChannels } from '@tap/channels';
import { Redis } from 'ioredis';
import { type Cell, pickCells } from './cell-picker.js';
import type { PriceSource } from './worker-protocol.js';

const PRICE_REFRESH_MS = 500;

/** Rotates over the cells picked from the latest print, refreshed every PRICE_REFRESH_MS. */
export async function startCellFeed(source: PriceSource, enabled: boolean) {
  let list: Cell[] = [];
  let cursor = 0;
  let redis: Redis | undefined;
  const refresh = async () => {
    let print = { t: 0, priceCents: 0, sigma: 0 };
    if ('fixedCents' in source) print = { t: Date.now(), priceCents: source.fixedCents, sigma: 0.0001 };
    else {
      const raw = await redis!.get(createChannels(source.prefix).keys.priceLast);
      if (raw) print = JSON.parse(raw) as typeof print;
    }
    if (print.priceCents > 0) list = pickCells(print, Date.now());
  };
  if (!('fixedCents' in source)) {
    redis = new Redis(source.redisUrl, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined); // Redis down (a chaos run): refresh() fails and keeps the last cells
  }
  if (enabled) await refresh();
  const timer = enabled
    ? setInterval(() => {
        // A failed refresh keeps the previous cells; the server answers stale ones with an error code.
        refresh().catch(() => undefined);
      }, PRICE_REFRESH_MS)
    : undefined;
  return {
    next(): Cell {
      cursor = (cursor + 1) % Math.max(1, list.length);
      return list[cursor] ?? { t0: 0, p0: 0 };
    },
    stop() {
      clearInterval(timer);
      redis?.disconnect();
    },
  };
}
