/**
 * Coinbase Advanced Trade market-data WebSocket (wss://advanced-trade-ws.coinbase.com), public
 * `ticker` channel plus `heartbeats` (documented: most channels close after 60–90 s without
 * updates unless heartbeats are subscribed). Every message is an envelope
 * `{channel, client_id, timestamp, sequence_num, events[]}`; `sequence_num` counts the messages of
 * one connection, so a jump is a gap (counted; for top of book the next ticker supersedes).
 * Acks arrive on the `subscriptions` channel; errors as `{type:"error", message}`.
 * The ticker is trade-triggered: it carries `best_bid`/`best_ask` as of the last match.
 */
import {
  frameObject,
  isRecord,
  quoteFrame,
  rfc3339ToMs,
  type VenueAdapter,
  type VenueFrame,
} from '../venue-frame.js';

export const COINBASE_DEFAULT_URL = 'wss://advanced-trade-ws.coinbase.com';

export function createCoinbaseAdapter(options: { url: string; productId: string }): VenueAdapter {
  const { url, productId } = options;
  return {
    venue: 'coinbase',
    url,
    sequenceMode: 'contiguous',
    subscribeFrames: () =>
      ['ticker', 'heartbeats'].map((channel) =>
        JSON.stringify({ type: 'subscribe', product_ids: [productId], channel }),
      ),
    parse: (raw) => parseCoinbaseFrame(raw, productId),
  };
}

export function parseCoinbaseFrame(raw: string, productId: string): VenueFrame {
  const parsed = frameObject(raw);
  if (!parsed.ok) return parsed.frame;
  const { message } = parsed;
  if (message.type === 'error') {
    return { kind: 'error', message: String(message.message ?? message.reason ?? 'unknown error') };
  }
  const sequence = message.sequence_num;
  if (sequence !== undefined && !Number.isSafeInteger(sequence)) {
    return { kind: 'malformed', reason: 'bad_sequence_num' };
  }
  const withSequence = sequence === undefined ? {} : { sequence: sequence as number };
  switch (message.channel) {
    case 'subscriptions':
      return { kind: 'ack', ...withSequence };
    case 'heartbeats':
      return { kind: 'heartbeat', ...withSequence };
    case 'ticker':
      return parseTicker(message, productId, withSequence);
    default:
      return { kind: 'unexpected', reason: `channel_${String(message.channel)}`, ...withSequence };
  }
}

function parseTicker(
  message: Record<string, unknown>,
  productId: string,
  withSequence: { sequence?: number },
): VenueFrame {
  const events = message.events;
  if (!Array.isArray(events)) return { kind: 'malformed', reason: 'no_events', ...withSequence };
  let latest: Record<string, unknown> | undefined;
  for (const event of events) {
    if (!isRecord(event) || !Array.isArray(event.tickers)) {
      return { kind: 'malformed', reason: 'no_tickers', ...withSequence };
    }
    for (const ticker of event.tickers) {
      if (isRecord(ticker) && ticker.product_id === productId) latest = ticker;
    }
  }
  if (!latest) return { kind: 'ignored', ...withSequence };
  const venueTimeMs = rfc3339ToMs(message.timestamp);
  return { ...quoteFrame(latest.best_bid, latest.best_ask, venueTimeMs), ...withSequence };
}
