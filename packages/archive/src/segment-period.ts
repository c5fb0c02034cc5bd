/**
 * The period a segment covers, from its name (`2026-W48`): Monday 00:00 UTC to the next Monday.
 * Segments are ISO weeks today (SPEC §8); when @tap/domain grows its segment-period module this file
 * is replaced by it.
 */
const WEEK_MS = 7 * 86_400_000;

export function segmentPeriod(segment: string): { startMs: number; endMs: number } {
  const m = /^(\d{4})-W(\d{2})$/.exec(segment);
  if (!m) throw new Error(`not a segment name: ${segment}`);
  const year = Number(m[1]);
  const week = Number(m[2]);
  // ISO week 1 holds January 4th; its Monday starts the ISO year.
  const jan4 = Date.UTC(year, 0, 4);
  const jan4Day = new Date(jan4).getUTCDay() || 7;
  const startMs = jan4 - (jan4Day - 1) * 86_400_000 + (week - 1) * WEEK_MS;
  return { startMs, endMs: startMs + WEEK_MS };
}
