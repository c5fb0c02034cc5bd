/**
 * At most one log line per key per interval, with how many were suppressed in between: a venue that
 * floods malformed frames must not flood the journal (STYLE: count in hot paths, log summaries).
 */
export function createRateLimiter(intervalMs: number, now: () => number = Date.now) {
  const windows = new Map<string, { loggedAt: number; suppressed: number }>();
  return {
    /** Returns null when this occurrence should stay silent, else how many were suppressed since the last line. */
    admit(key: string): { suppressed: number } | null {
      const t = now();
      const window = windows.get(key);
      if (window && t - window.loggedAt < intervalMs) {
        window.suppressed += 1;
        return null;
      }
      const suppressed = window?.suppressed ?? 0;
      windows.set(key, { loggedAt: t, suppressed: 0 });
      return { suppressed };
    },
  };
}
