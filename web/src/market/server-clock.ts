/**
 * The client's estimate of server time, aligned to the prints (SPEC §3: the server decides whether
 * a cell is placeable by its own clock; the grid must lock the same cells). Each print stamped `t`
 * arrives at local time `r ≥ t + latency`, so `t − r` is a lower bound of the offset; the largest
 * over recent prints is the tightest one (the print that travelled fastest). Windowed, so a
 * jump of either clock is forgotten after `samplesMax` prints.
 */
export interface ServerClock {
  /** A print (or `ready`'s serverTime) stamped `serverMs`, seen at local `localMs`. */
  observe(serverMs: number, localMs: number): void;
  /** Server time now, given the local time (performance.timeOrigin + performance.now()). */
  now(localMs: number): number;
  /** Current offset (server − local), ms; 0 until the first sample. */
  readonly offsetMs: number;
}

export function createServerClock(samplesMax = 50): ServerClock {
  const samples: number[] = [];
  let offsetMs = 0;
  return {
    observe(serverMs, localMs) {
      samples.push(serverMs - localMs);
      if (samples.length > samplesMax) samples.shift();
      offsetMs = Math.max(...samples);
    },
    now: (localMs) => localMs + offsetMs,
    get offsetMs() {
      return offsetMs;
    },
  };
}
