/** ISO-8601 week of a UTC instant, the name of its segment file (`2026-W48`). */
export function isoWeekOf(timeMs: number): string {
  const date = new Date(timeMs);
  const day = date.getUTCDay() || 7; // Monday = 1 … Sunday = 7
  // The Thursday of this week decides the ISO year.
  const thursday = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 4 - day);
  const isoYear = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(isoYear, 0, 1)) / 86_400_000 / 7) + 1;
  return `${isoYear}-W${String(week).padStart(2, '0')}`;
}

export function segmentFileName(timeMs: number): string {
  return `${isoWeekOf(timeMs)}.db`;
}
