/**
 * Kraken spot WebSocket v2 (wss://ws.kraken.com/v2), public `ticker` channel for BTC/USD with
 * `event_trigger: "bbo"` (an update on every best-bid-offer change rather than on trades).
 * Subscribe ack `{method:"subscribe", success:true, result:{…}}`, failure `success:false` with
 * `error`; `heartbeat` frames about once a second when nothing else is sent; `status` on connect
 * and on engine status changes (ignored: a halted market shows up as staleness). Ticker frames are
 * `{channel:"ticker", type:"snapshot"|"update", data:[{symbol, bid, bid_qty, ask, ask_qty, last, …}]}`
 * with prices as JSON numbers. v2 has no sequence numbers on this channel.
 */
import {
  frameObject,
  isRecord,
  quoteFrame,
  rfc3339ToMs,
  type VenueAdapter,
  type VenueFrame,
} from '../venue-frame.js';

export const KRAKEN_DEFAULT_URL = 'wss://ws.kraken.com/v2';

export function createKrakenAdapter(options: { url: string; symbol: string }): VenueAdapter {
  const { url, symbol } = options;
  return {
    venue: 'kraken',
    url,
    sequenceMode: 'none',
    subscribeFrames: () => [
      JSON.stringify({
        method: 'subscribe',
        params: { channel: 'ticker', symbol: [symbol], event_trigger: 'bbo', snapshot: true },
        req_id: 1,
      }),
    ],
    parse: (raw) => parseKrakenFrame(raw, symbol),
  };
}

export function parseKrakenFrame(raw: string, symbol: string): VenueFrame {
  const parsed = frameObject(raw);
  if (!parsed.ok) return parsed.frame;
  const { message } = parsed;
  if (message.success === false || (typeof message.error === 'string' && !('channel' in message))) {
    return { kind: 'error', message: String(message.error ?? 'request failed') };
  }
  if (typeof message.method === 'string') {
    return message.method === 'subscribe' ? { kind: 'ack' } : { kind: 'ignored' };
  }
  switch (message.channel) {
    case 'heartbeat':
      return { kind: 'heartbeat' };
    case 'status':
      return { kind: 'ignored' };
    case 'ticker':
      return parseTicker(message, symbol);
    default:
      return { kind: 'unexpected', reason: `channel_${String(message.channel)}` };
  }
}

function parseTicker(message: Record<string, unknown>, symbol: string): VenueFrame {
  if (message.type !== 'snapshot' && message.type !== 'update') {
    return { kind: 'malformed', reason: 'bad_type' };
  }
  if (!Array.isArray(message.data)) return { kind: 'malformed', reason: 'no_data' };
  let latest: Record<string, unknown> | undefined;
  for (const entry of message.data) {
    if (!isRecord(entry)) return { kind: 'malformed', reason: 'bad_data' };
    if (entry.symbol === symbol) latest = entry;
  }
  if (!latest) return { kind: 'ignored' };
  return quoteFrame(latest.bid, latest.ask, rfc3339ToMs(latest.timestamp));
}
