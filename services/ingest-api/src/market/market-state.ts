/**
 * The market state admission needs on every bet — the breaker, the latest index print and the
 * batcher's heartbeat — kept
 * in memory and refreshed every `refreshMs` with one pipelined round trip, instead of two Redis
 * reads per bet. The staleness rules still use the data's own timestamps (the print's `t`, the
 * breaker's `heartbeatAt`), so a refresh lag of a few ms can only make a check stricter.
 */
import type { Channels } from '@tap/channels';
import { decodeEntry } from '@tap/channels';
import type { PrintEntry } from '@tap/domain';
import type { Logger, Redis } from '@tap/runtime';
import { type BatcherHeartbeat, parseBatcherHeartbeat } from './batcher-check.js';

export interface BreakerSnapshot {
  state: string;
  reason: string;
  heartbeatAt: number;
}

export interface MarketSnapshot {
  breaker: BreakerSnapshot | null;
  print: PrintEntry | null;
  /** The batcher's heartbeat (batcher-check.ts), read with the breaker and the print. */
  batcher: BatcherHeartbeat | null;
}

export type TradingCheck =
  | { ok: true; print: PrintEntry }
  | { ok: false; code: 'trading_halted' | 'price_stale'; reason: string };

/** SPEC §6.1 fail closed, then SPEC §3 fresh print. */
export function checkTrading(
  market: MarketSnapshot,
  nowMs: number,
  rules: { heartbeatAgeMsMax: number; printAgeMsMax: number },
): TradingCheck {
  const { breaker, print } = market;
  if (!breaker) return { ok: false, code: 'trading_halted', reason: 'no breaker heartbeat' };
  if (nowMs - breaker.heartbeatAt > rules.heartbeatAgeMsMax) {
    return { ok: false, code: 'trading_halted', reason: 'breaker heartbeat is stale' };
  }
  if (breaker.state !== 'closed')
    return { ok: false, code: 'trading_halted', reason: `breaker open: ${breaker.reason}` };
  if (!print || nowMs - print.t > rules.printAgeMsMax) {
    return { ok: false, code: 'price_stale', reason: 'no index print in the last 500 ms' };
  }
  return { ok: true, print };
}

/** A trading check as health shows it: the verdict without the print. */
export function tradingOf(check: TradingCheck) {
  return check.ok ? { ok: true } : { ok: false, code: check.code, reason: check.reason };
}

export function startMarketState(redis: Redis, channels: Channels, log: Logger, refreshMs: number) {
  let snapshot: MarketSnapshot = { breaker: null, print: null, batcher: null };
  // The same print read again is the same object: the quotes of its cells are remembered by it
  // (print-quote-memo.ts), and a refresh every few ms between prints parses nothing new.
  let lastRaw: string | null = null;
  let lastParsed: PrintEntry | null = null;
  const printOf = (raw: string | null) => {
    if (raw !== lastRaw) {
      lastRaw = raw;
      lastParsed = parsePrint(raw);
    }
    return lastParsed;
  };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const refresh = async () => {
    const [breakerFields, lastPrint, batcherFields] = await Promise.all([
      redis.hgetall(channels.keys.breakerState),
      redis.get(channels.keys.priceLast),
      redis.hgetall(channels.keys.batcherHeartbeat),
    ]);
    snapshot = {
      breaker: parseBreaker(breakerFields),
      print: printOf(lastPrint),
      batcher: parseBatcherHeartbeat(batcherFields),
    };
  };
  const loop = () => {
    if (stopped) return;
    refresh()
      .catch((err: unknown) => {
        // Keep the last snapshot: its own timestamps age it out, so trading halts by itself.
        log.warn({ err }, 'market_state.refresh_failed');
      })
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, refreshMs);
      });
  };
  loop();
  return {
    snapshot: () => snapshot,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

export type MarketState = ReturnType<typeof startMarketState>;

function parseBreaker(fields: Record<string, string>): BreakerSnapshot | null {
  const heartbeatAt = Number(fields.heartbeatAt);
  if (!fields.state || !Number.isFinite(heartbeatAt)) return null;
  return { state: fields.state, reason: fields.reason ?? '', heartbeatAt };
}

function parsePrint(raw: string | null): PrintEntry | null {
  if (!raw) return null;
  const decoded = decodeEntry('prices', ['d', raw]);
  return decoded.ok ? decoded.value : null;
}
