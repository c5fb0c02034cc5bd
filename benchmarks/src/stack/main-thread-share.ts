/**
 * How the threads that serve the bet path fared over a window: for each named process, its main
 * thread's time on a CPU and its time runnable but waiting for one (another thread held the cores),
 * as % of the window, from /proc/<pid>/task/<pid>/schedstat at its start and end — nanosecond
 * counters, where utime/stime count 10 ms ticks. The wait is what a bet arriving then pays before
 * the event loop that admits it (ingest-api's) or runs its script (Redis) even gets a core: the
 * direct measure of an attack's CPU contention on the bet path, which no latency percentile of a
 * generator on the same cores can separate from the generator's own starvation.
 */
import { readTaskSchedStat, type SchedStat } from '@tap/testkit/standalone';

export interface ThreadShare {
  name: string;
  /** % of the window on a CPU. */
  cpuPct: number;
  /** % of the window runnable but waiting for a CPU. */
  waitPct: number;
}

export function startMainThreadWindow(pids: Record<string, number>): { end(): ThreadShare[] } {
  return startThreadWindow(
    Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, { pid, tid: pid }])),
  );
}

/**
 * The same for any threads, e.g. ingest-api's reader (found by its name, `tap-reader`): keyed by
 * the name shown; a main thread is named after its process, another by `threadLabel`'s rule.
 */
export function startThreadWindow(threads: Record<string, { pid: number; tid: number }>): {
  end(): ThreadShare[];
} {
  const began = performance.now();
  const start = new Map<string, SchedStat>();
  const read = (name: string) => {
    const thread = threads[name];
    return thread ? readTaskSchedStat(thread.pid, thread.tid) : null;
  };
  for (const name of Object.keys(threads)) {
    const stat = read(name);
    if (stat) start.set(name, stat);
  }
  return {
    end() {
      const windowNs = (performance.now() - began) * 1e6;
      return [...start].flatMap(([name, before]) => {
        const after = read(name);
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

/** A ThreadShare's name as a column: `ingest-api` → `ingest-api main thread`; `… thread` names stay. */
export const threadLabel = (name: string) => (name.endsWith(' thread') ? name : `${name} main thread`);
