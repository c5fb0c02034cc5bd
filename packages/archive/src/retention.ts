/**
 * Which backups to delete (pure): keep the newest `hourly` backups, plus the newest backup of each
 * of the last `daily` UTC days (today included), so with 48 + 14 the last two days can be restored
 * to the hour and the last two weeks to the day. The newest backup is never deleted.
 */
export interface RetentionPolicy {
  hourly: number;
  daily: number;
}

const DAY_MS = 86_400_000;

export function backupsToPrune(timesMs: readonly number[], nowMs: number, policy: RetentionPolicy): number[] {
  const newestFirst = [...new Set(timesMs)].sort((a, b) => b - a);
  const keep = new Set(newestFirst.slice(0, Math.max(1, policy.hourly)));
  const firstDay = Math.floor(nowMs / DAY_MS) - policy.daily + 1;
  const seenDays = new Set<number>();
  for (const t of newestFirst) {
    const day = Math.floor(t / DAY_MS);
    if (day < firstDay || seenDays.has(day)) continue;
    seenDays.add(day);
    keep.add(t);
  }
  return newestFirst.filter((t) => !keep.has(t));
}
