/**
 * Binance spot market streams (wss://stream.binance.com:9443/ws), `<symbol>@bookTicker`: every
 * change of the best bid or ask, `{u, s, b, B, a, A}` with decimal-string prices. We connect to the
 * raw endpoint and subscribe live (`{method:"SUBSCRIBE", params, id}` → ack `{result:null, id}`),
 * so the ack is observable; errors are `{code, msg}` (or `{error:{code,msg}, id}`). `u` is the
 * order-book update id: increasing but not contiguous, so only a step back (a stale, reordered
 * update) is dropped. Liveness is the server's ping frames, answered by `ws` automatically.
 * Default symbol BTCUSDT: Binance's deepest BTC book is against USDT, treated as USD here.
 */
import { priceFieldToCents } from '../decimal-cents.js';
import { checkedQuote, isRecord, parseJson, type VenueAdapter, type VenueFrame } from '../venue-frame.js';

export const BINANCE_DEFAULT_URL = 'wss://stream.binance.com:9443/ws';
const SUBSCRIBE_ID = 1;

export function createBinanceAdapter(options: { url: string; symbol: string }): VenueAdapter {
  const symbol = options.symbol.toUpperCase();
  return {
    venue: 'binance',
    url: options.url,
    sequenceMode: 'monotonic',
    subscribeFrames: () => [
      JSON.stringify({
        method: 'SUBSCRIBE',
        params: [`${symbol.toLowerCase()}@bookTicker`],
        id: SUBSCRIBE_ID,
      }),
    ],
    parse: (raw) => parseBinanceFrame(raw, symbol),
  };
}

export function parseBinanceFrame(raw: string, symbol: string): VenueFrame {
  const message = parseJson(raw);
  if (message === undefined) return { kind: 'malformed', reason: 'not_json' };
  if (!isRecord(message)) return { kind: 'unexpected', reason: 'not_an_object' };
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
  const quote = checkedQuote(priceFieldToCents(message.b), priceFieldToCents(message.a));
  if (!quote.ok) return { kind: 'malformed', reason: quote.reason, sequence };
  return { kind: 'quote', bidCents: quote.bidCents, askCents: quote.askCents, sequence };
}
