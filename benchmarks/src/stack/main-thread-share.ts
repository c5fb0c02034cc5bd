/**
 * How the threads that serve the bet path fared over a window: for each named process, its main
 * thread's time on a CPU and its time runnable but waiting for one (another thread held the cores),
 * as % of the window, from /proc/<pid>/task/<pid>/schedstat at its start and end — nanosecond
 * counters, where utime/stime count 10 ms ticks. The wait is what a bet arriving then pays before
 * the event loop that admits it (ingest-api's) or runs its script (Redis) even gets a core: the
 * direct measure of an attack's CPU contention on the bet path, which no latency percentile of a
 * generator on the same cores can separate from the generator's own starvation.
 */
import { readMainThreadSchedStat, type SchedStat } from '@tap/testkit/standalone';

export interface ThreadShare {
  name: string;
  /** % of the window on a CPU. */
  cpuPct: number;
  /** % of the window runnable but waiting for a CPU. */
  waitPct: number;
}

export function startMainThreadWindow(pids: Record<string, number>): { end(): ThreadShare[] } {
  const began = performance.now();
  const start = new Map<string, SchedStat>();
  for (const [name, pid] of Object.entries(pids)) {
    const stat = readMainThreadSchedStat(pid);
    if (stat) start.set(name, stat);
  }
  return {
    end() {
      const windowNs = (performance.now() - began) * 1e6;
      return [...start].flatMap(([name, before]) => {
        const after = readMainThreadSchedStat(pids[name] ?? 0);
        if (!after || windowNs <= 0) return [];
        return [{ name, ...shareOf(before, after, windowNs) }];
      });
    },
  };
}

/** The two deltas as % of the window, one decimal. */
export function shareOf(before: SchedStat, after: SchedStat, windowNs: number) {
  const pct = (ns: number) => Math.round((ns / windowNs) * 1_000) / 10;
  return { cpuPct: pct(after.cpuNs - before.cpuNs), waitPct: pct(after.waitNs - before.waitNs) };
}
