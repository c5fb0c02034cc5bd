/**
 * Redis stream ids (`<ms>-<seq>`, both unsigned 64-bit integers): validation of ids clients send
 * back for resume, their order, and the id right after one. Ids Redis hands out have no leading
 * zeros, so two valid ids compare by length, then as strings — exact at any size, and without
 * BigInt on the hot path. Every daemon orders stream ids with these, and so does `@tap/client`
 * (browser too: this file imports nothing, and is exported alone as `@tap/channels/stream-ids`).
 */

const STREAM_ID = /^(0|[1-9]\d{0,19})-(0|[1-9]\d{0,19})$/;
const U64_MAX = 18_446_744_073_709_551_615n;

/** The id before every entry; `XRANGE (0-0 +` is the whole stream. */
export const ZERO_STREAM_ID = '0-0';

export function isStreamId(value: string): boolean {
  const match = STREAM_ID.exec(value);
  if (!match) return false;
  return BigInt(match[1] ?? '') <= U64_MAX && BigInt(match[2] ?? '') <= U64_MAX;
}

/** Negative when a < b, 0 when equal, positive when a > b. Both must be valid ids. */
export function compareStreamIds(a: string, b: string): number {
  const dashA = a.indexOf('-');
  const dashB = b.indexOf('-');
  return (
    compareDigits(a.slice(0, dashA), b.slice(0, dashB)) ||
    compareDigits(a.slice(dashA + 1), b.slice(dashB + 1))
  );
}

export function maxStreamId(a: string, b: string): string {
  return compareStreamIds(a, b) >= 0 ? a : b;
}

/** The smallest stream id after `id` (XTRIM MINID and exclusive ranges start there). */
export function nextStreamId(id: string): string {
  const dash = id.indexOf('-');
  return `${id.slice(0, dash)}-${BigInt(id.slice(dash + 1)) + 1n}`;
}

/** The millisecond part of an id: when Redis appended the entry (for reader-lag metrics). */
export function streamIdTimeMs(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}

function compareDigits(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
