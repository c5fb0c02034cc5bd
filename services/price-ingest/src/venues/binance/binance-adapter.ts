/**
 * Binance spot market streams (wss://stream.binance.com:9443/ws), `<symbol>@bookTicker`: every
 * change of the best bid or ask, `{u, s, b, B, a, A}` with decimal-string prices. We connect to the
 * raw endpoint and subscribe live (`{method:"SUBSCRIBE", params, id}` → ack `{result:null, id}`),
 * so the ack is observable; errors are `{code, msg}` (or `{error:{code,msg}, id}`). Pointed at the
 * combined endpoint (`/stream`), Binance wraps every payload as `{"stream": "<name>", "data": {…}}`
 * (documented "Combined streams"); the envelope is unwrapped and `data` read the same way. `u` is
 * the order-book update id: increasing but not contiguous, so only a step back (a stale, reordered
 * update) is dropped. Liveness is the server's ping frames, answered by `ws` automatically.
 *
 * Quote currency (SPEC §9: never mixed blindly). Coinbase and Kraken quote BTC in USD; Binance's
 * deepest BTC book (the default BTCUSDT) is in USDT, which trades a few basis points off the dollar
 * and can depeg. A USDT symbol is converted at a measured rate: the adapter also subscribes to
 * `usdcusdt@bookTicker` and divides the BTC/USDT bid and ask by the USDC/USDT mid (bid rounded
 * down, ask up), taking USDC at par with USD (Circle redeems it 1:1; it trades within a few bp of
 * USD on Coinbase and Kraken). No rate yet → no quote (`ignored`), so an unconverted USDT price
 * never reaches the index. A USDC or USD symbol is used as is.
 */
import {
  frameObject,
  isRecord,
  parseJson,
  quoteFrame,
  type VenueAdapter,
  type VenueFrame,
} from '../venue-frame.js';

export const BINANCE_DEFAULT_URL = 'wss://stream.binance.com:9443/ws';
const SUBSCRIBE_ID = 1;

/** The book whose mid converts USDT to USD (USDC taken at par). */
export const USDT_RATE_SYMBOL = 'USDCUSDT';

export function createBinanceAdapter(options: { url: string; symbol: string }): VenueAdapter {
  const symbol = options.symbol.toUpperCase();
  const converts = symbol.endsWith('USDT');
  let usdtPerUsd: number | null = null;
  const streams = [symbol, ...(converts ? [USDT_RATE_SYMBOL] : [])].map(
    (s) => `${s.toLowerCase()}@bookTicker`,
  );
  return {
    venue: 'binance',
    url: options.url,
    sequenceMode: 'monotonic',
    subscribeFrames: () => [JSON.stringify({ method: 'SUBSCRIBE', params: streams, id: SUBSCRIBE_ID })],
    parse: (raw) => {
      if (!converts) return parseBinanceFrame(raw, symbol);
      const rate = usdtRateOf(raw);
      if (rate !== null) {
        usdtPerUsd = rate;
        return { kind: 'ignored' }; // its own book's update ids: not checked against BTC's
      }
      return toUsd(parseBinanceFrame(raw, symbol), usdtPerUsd);
    },
  };
}

/** A USDT quote in USD at `usdtPerUsd`; without a rate, nothing (the quote is not usable). */
export function toUsd(frame: VenueFrame, usdtPerUsd: number | null): VenueFrame {
  if (frame.kind !== 'quote') return frame;
  if (usdtPerUsd === null) return { kind: 'ignored', sequence: frame.sequence };
  return {
    ...frame,
    bidCents: Math.floor(frame.bidCents / usdtPerUsd),
    askCents: Math.ceil(frame.askCents / usdtPerUsd),
  };
}

/** The USDC/USDT mid of a rate-book update (plain or in the combined envelope), else null. */
export function usdtRateOf(raw: string): number | null {
  const message = unwrap(parseJson(raw));
  if (!isRecord(message) || message.s !== USDT_RATE_SYMBOL) return null;
  const bid = Number(message.b);
  const ask = Number(message.a);
  // A rate outside ±5 % is not a stablecoin quote we trust; such a frame converts nothing.
  if (!(bid > 0.95 && ask < 1.05 && bid <= ask)) return null;
  return (bid + ask) / 2;
}

/** The payload of a combined-stream frame `{"stream", "data"}`, or the message itself. */
function unwrap(message: unknown): unknown {
  if (isRecord(message) && typeof message.stream === 'string' && isRecord(message.data)) return message.data;
  return message;
}

export function parseBinanceFrame(raw: string, symbol: string): VenueFrame {
  const parsed = frameObject(raw, unwrap);
  if (!parsed.ok) return parsed.frame;
  const { message } = parsed;
  if ('result' in message && 'id' in message) {
    return message.result === null && message.id === SUBSCRIBE_ID ? { kind: 'ack' } : { kind: 'ignored' };
  }
  if (isRecord(message.error)) return errorFrame(message.error);
  if ('code' in message && 'msg' in message) return errorFrame(message);
  if ('u' in message && 's' in message && 'b' in message && 'a' in message) {
    return parseBookTicker(message, symbol);
  }
  return { kind: 'unexpected', reason: 'unknown_shape' };
}

function errorFrame(error: Record<string, unknown>): VenueFrame {
  return { kind: 'error', message: `${String(error.code)}: ${String(error.msg)}` };
}

function parseBookTicker(message: Record<string, unknown>, symbol: string): VenueFrame {
  if (!Number.isSafeInteger(message.u)) return { kind: 'malformed', reason: 'bad_update_id' };
  const sequence = message.u as number;
  if (message.s !== symbol) return { kind: 'ignored', sequence };
  return { ...quoteFrame(message.b, message.a), sequence };
}
