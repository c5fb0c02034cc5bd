/**
 * What a venue adapter is: the venue's name, how to subscribe, and a PURE parser from one raw
 * WebSocket frame to a typed verdict. All socket handling (reconnects, staleness, sequence checks)
 * lives in venue-connection.ts and is shared; an adapter only knows its venue's documented format.
 */
import { priceFieldToCents } from './decimal-cents.js';

export const VENUE_NAMES = ['coinbase', 'binance', 'kraken'] as const;
export type VenueName = (typeof VENUE_NAMES)[number];

/** Top of book as a venue reported it, in integer cents. */
export interface Quote {
  bidCents: number;
  askCents: number;
  /** The venue's own timestamp of the update, when it sends one (informational). */
  venueTimeMs?: number;
}

/**
 * One frame, classified. `sequence` is the venue's message sequence number when it has one.
 * - quote: a usable top-of-book update for our symbol
 * - heartbeat / ack: the connection and subscription are alive
 * - error: the venue reported an error (logged, counted; the connection stays up)
 * - ignored: a documented frame we do not use (status, another symbol, pong)
 * - unexpected: valid JSON of a shape the venue does not document for this feed
 * - malformed: not JSON, or a documented shape with a broken field (bad price, crossed book)
 */
export type VenueFrame =
  | ({ kind: 'quote'; sequence?: number } & Quote)
  | { kind: 'heartbeat'; sequence?: number }
  | { kind: 'ack'; sequence?: number }
  | { kind: 'error'; message: string; sequence?: number }
  | { kind: 'ignored'; sequence?: number }
  | { kind: 'unexpected'; reason: string; sequence?: number }
  | { kind: 'malformed'; reason: string; sequence?: number };

export type FrameKind = VenueFrame['kind'];

/**
 * How a venue numbers its messages: `contiguous` (each message is the previous + 1; a jump is a
 * gap), `monotonic` (increasing but not contiguous; only a step back is wrong), or `none`.
 */
export type SequenceMode = 'contiguous' | 'monotonic' | 'none';

export interface VenueAdapter {
  venue: VenueName;
  url: string;
  sequenceMode: SequenceMode;
  /** Frames to send once the socket is open. */
  subscribeFrames(): string[];
  parse(raw: string): VenueFrame;
}

/** A quote whose bid and ask both parsed and are not crossed, else the reason it is malformed. */
function checkedQuote(
  bidCents: number | null,
  askCents: number | null,
): { ok: true; bidCents: number; askCents: number } | { ok: false; reason: string } {
  if (bidCents === null) return { ok: false, reason: 'bad_bid' };
  if (askCents === null) return { ok: false, reason: 'bad_ask' };
  if (bidCents > askCents) return { ok: false, reason: 'crossed_quote' };
  return { ok: true, bidCents, askCents };
}

/**
 * The quote frame for a venue's bid and ask price fields (decimal strings or numbers, converted by
 * `priceFieldToCents`) and its optional timestamp, or `malformed` with the reason.
 */
export function quoteFrame(bidField: unknown, askField: unknown, venueTimeMs?: number): VenueFrame {
  const quote = checkedQuote(priceFieldToCents(bidField), priceFieldToCents(askField));
  if (!quote.ok) return { kind: 'malformed', reason: quote.reason };
  const { bidCents, askCents } = quote;
  return { kind: 'quote', bidCents, askCents, ...(venueTimeMs === undefined ? {} : { venueTimeMs }) };
}

/**
 * A raw frame as a JSON object, or the verdict on one that is not (`not_json`, `not_an_object`).
 * `unwrap` takes the payload out of a venue's envelope first (Binance's combined streams).
 */
export function frameObject(
  raw: string,
  unwrap: (parsed: unknown) => unknown = (parsed) => parsed,
): { ok: true; message: Record<string, unknown> } | { ok: false; frame: VenueFrame } {
  const parsed = unwrap(parseJson(raw));
  if (parsed === undefined) return { ok: false, frame: { kind: 'malformed', reason: 'not_json' } };
  if (!isRecord(parsed)) return { ok: false, frame: { kind: 'unexpected', reason: 'not_an_object' } };
  return { ok: true, message: parsed };
}

/** JSON.parse that returns undefined instead of throwing (a bad frame is a verdict, not a crash). */
export function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    // Not JSON: the caller classifies the frame as malformed.
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 3339 timestamp (any fraction digits) → ms, or undefined. */
export function rfc3339ToMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}
