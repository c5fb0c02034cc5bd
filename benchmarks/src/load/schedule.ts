/**
 * The open-loop schedule: request i is due at a planned time fixed before the run starts, whatever
 * happened to earlier requests, and its latency is measured from that planned time (so a stalled
 * server is charged for the whole stall: no coordinated omission).
 *
 * The rate may ramp linearly from `rampFromPerS` to `ratePerS` over `rampMs`, then stays constant
 * until `durationMs`. Requests planned before `warmupMs` are sent but left out of the statistics.
 * Pure functions; times are milliseconds from the schedule's start.
 */
import assert from 'node:assert/strict';

export interface RateProfile {
  /** The constant arrival rate after the ramp, requests per second. */
  ratePerS: number;
  /** Total length of the schedule, ms (ramp included). */
  durationMs: number;
  /** Length of the linear ramp, ms (0 = constant rate from the start). */
  rampMs?: number;
  /** Rate at the start of the ramp, requests per second. Default 0. */
  rampFromPerS?: number;
  /** Requests planned before this offset are excluded from the statistics, ms. */
  warmupMs?: number;
}

export function checkProfile(profile: RateProfile): void {
  assert.ok(profile.ratePerS > 0 && Number.isFinite(profile.ratePerS), 'ratePerS must be > 0');
  assert.ok(profile.durationMs > 0, 'durationMs must be > 0');
  const rampMs = profile.rampMs ?? 0;
  assert.ok(rampMs >= 0 && rampMs <= profile.durationMs, 'rampMs must be within durationMs');
  assert.ok((profile.rampFromPerS ?? 0) >= 0, 'rampFromPerS must be >= 0');
  assert.ok((profile.warmupMs ?? 0) >= 0 && (profile.warmupMs ?? 0) < profile.durationMs, 'bad warmupMs');
}

/** Requests planned in [0, offsetMs): the integral of the rate. */
export function plannedCountBefore(profile: RateProfile, offsetMs: number): number {
  const t = Math.min(Math.max(offsetMs, 0), profile.durationMs);
  const rampMs = profile.rampMs ?? 0;
  const r0 = (profile.rampFromPerS ?? 0) / 1000;
  const r1 = profile.ratePerS / 1000;
  if (t <= rampMs) return r0 * t + ((r1 - r0) * t * t) / (2 * rampMs);
  const rampCount = rampMs > 0 ? ((r0 + r1) / 2) * rampMs : 0;
  return rampCount + r1 * (t - rampMs);
}

/** How many requests the whole schedule holds. */
export function totalRequests(profile: RateProfile): number {
  return Math.floor(plannedCountBefore(profile, profile.durationMs) + 1e-9);
}

/** The planned offset (ms from the start) of request `i` (0-based): where the count reaches i. */
export function plannedOffsetMs(profile: RateProfile, i: number): number {
  const rampMs = profile.rampMs ?? 0;
  const r0 = (profile.rampFromPerS ?? 0) / 1000;
  const r1 = profile.ratePerS / 1000;
  if (rampMs > 0) {
    const rampCount = ((r0 + r1) / 2) * rampMs;
    if (i < rampCount) {
      const slope = (r1 - r0) / rampMs;
      if (Math.abs(slope) < 1e-15) return i / r0;
      // Solve r0·t + slope·t²/2 = i for the positive root.
      return (-r0 + Math.sqrt(r0 * r0 + 2 * slope * i)) / slope;
    }
    return rampMs + (i - rampCount) / r1;
  }
  return i / r1;
}

/** The requests a worker owns: every `workers`-th index starting at `worker` (interleaved). */
export function workerIndices(worker: number, workers: number, total: number): number {
  return worker < total ? Math.floor((total - 1 - worker) / workers) + 1 : 0;
}

/** Whether request i counts in the statistics (planned at or after the warm-up). */
export function isMeasured(profile: RateProfile, i: number): boolean {
  return plannedOffsetMs(profile, i) >= (profile.warmupMs ?? 0);
}
