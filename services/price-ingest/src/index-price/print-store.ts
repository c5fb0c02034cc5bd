/**
 * Where prints go (SPEC §9): the `tap:prices` stream (trimmed by MINID to the last hour),
 * `price:last` (the print as JSON) and the 1-second candle sorted set (scored by epoch second,
 * trimmed to 7 days) — all in one MULTI, so a reader never sees a print in one place and not the
 * others. Also reads back what a restart needs: the last print (ids keep increasing), the last
 * candle (a restart inside a second extends it), and the last hour of prints (σ warm-up). A print
 * that cannot be stored is reported on `pubsub.priceWriteFailures` for health-monitor's breaker.
 */
import { type Channels, decodeEntry, encodeEntry } from '@tap/channels';
import type { Candle1s } from '@tap/domain';
import { type PrintEntry, printEntrySchema } from '@tap/domain';
import type { Redis } from '@tap/runtime';

export const PRINTS_RETENTION_MS = 3_600_000;
export const CANDLES_RETENTION_S = 7 * 86_400;
const READ_PAGE = 1_000;

export interface PrintStore {
  publish(print: PrintEntry, candle: Candle1s, trimCandles: boolean): Promise<void>;
  /**
   * Tells health-monitor that the print at `t` could not be stored, so the breaker opens (issue
   * 16: a refused write is a breaker event, not a silent gap). PUBLISH, because Redis still takes
   * it when it refuses writes for memory. Resolves false when even that failed.
   */
  reportWriteFailure(t: number, err: unknown): Promise<boolean>;
  lastPrint(): Promise<PrintEntry | null>;
  lastCandle(): Promise<Candle1s | null>;
  /** Prints with t ≥ sinceMs, oldest first, in pages (at most the stream's one hour). */
  forEachPrintSince(sinceMs: number, visit: (print: PrintEntry) => void): Promise<void>;
}

export function createPrintStore(redis: Redis, channels: Channels): PrintStore {
  const { streams, keys } = channels;
  return {
    async publish(print, candle, trimCandles) {
      const json = JSON.stringify(print);
      const multi = redis
        .multi()
        .xadd(
          streams.prices,
          'MINID',
          '~',
          String(print.t - PRINTS_RETENTION_MS),
          '*',
          ...encodeEntry('prices', print),
        )
        .set(keys.priceLast, json)
        .zremrangebyscore(keys.candles1s, candle.t, candle.t)
        .zadd(keys.candles1s, candle.t, JSON.stringify(candle));
      if (trimCandles) multi.zremrangebyscore(keys.candles1s, '-inf', `(${candle.t - CANDLES_RETENTION_S}`);
      const results = await multi.exec();
      const failed = results?.find(([err]) => err);
      if (!results || failed) throw failed?.[0] ?? new Error('MULTI aborted');
    },
    async reportWriteFailure(t, err) {
      const error = err instanceof Error ? err.message.slice(0, 200) : String(err);
      try {
        await redis.publish(channels.pubsub.priceWriteFailures, JSON.stringify({ t, error }));
        return true;
      } catch {
        // Redis is unreachable: nothing can be told, and the prints stop; the breaker's staleness
        // rule (10 s) opens it, and ingest-api's fail-closed heartbeat check halts trading.
        return false;
      }
    },
    async lastPrint() {
      const [raw, tail] = await Promise.all([
        redis.get(keys.priceLast),
        redis.xrevrange(streams.prices, '+', '-', 'COUNT', 1),
      ]);
      const fromKey = raw ? printEntrySchema.safeParse(parseOrNull(raw)) : undefined;
      const fromStream = tail[0] ? decodeEntry('prices', tail[0][1]) : undefined;
      const candidates = [
        fromKey?.success ? fromKey.data : undefined,
        fromStream?.ok ? fromStream.value : undefined,
      ].filter((p): p is PrintEntry => p !== undefined);
      return candidates.sort((a, b) => b.id - a.id)[0] ?? null;
    },
    async lastCandle() {
      const [member] = await redis.zrange(keys.candles1s, -1, -1);
      return member ? (JSON.parse(member) as Candle1s) : null;
    },
    async forEachPrintSince(sinceMs, visit) {
      let start = String(Math.max(0, sinceMs));
      for (;;) {
        const page = await redis.xrange(streams.prices, start, '+', 'COUNT', READ_PAGE);
        for (const [, fields] of page) {
          const decoded = decodeEntry('prices', fields);
          if (decoded.ok) visit(decoded.value);
        }
        if (page.length < READ_PAGE) return;
        start = `(${page[page.length - 1]![0]}`;
      }
    },
  };
}

function parseOrNull(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    // A corrupt price:last is ignored; the stream's last entry still gives the last id.
    return null;
  }
}
