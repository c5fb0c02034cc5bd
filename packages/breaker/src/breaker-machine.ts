/**
 * The circuit breaker as a pure state machine with an injected clock (SPEC §9).
 *
 * - Healthy moment: the newest print is younger than `staleMs` AND it had at least `minVenues`, and
 *   price-ingest did not report a print it failed to store (`observeWriteFailure`).
 * - open: at any unhealthy moment, from the moment it became unhealthy (a print's age reaching
 *   `staleMs`, a print with too few venues, or a gap of `staleMs` between two consecutive prints
 *   even if nobody was evaluating at the time).
 * - closed: only after `recoveryMs` of CONTINUOUS health, measured from the first healthy
 *   evaluation; any unhealthy moment restarts the timer (hysteresis: a flapping feed never closes it).
 * - Start: open, reason `starting` (fail closed): nobody watched the feed before we started, so it
 *   must earn `recoveryMs` of health first. A restart while an open interval is still recorded
 *   continues that interval instead (see `startingMachine`).
 *
 * The reason stays the one the breaker opened with until it closes (reason `recovered`).
 *
 * Two users run it: health-monitor on the wall clock (it records the intervals), and the resolver
 * over the prints it settles with, evaluating at each print's time, so a print that opens the
 * breaker never counts as a touch however late health-monitor records the interval.
 */
import type { BreakerEntry } from '@tap/domain';

export interface BreakerRules {
  /** A print this old (or older) is stale: SPEC 10 s. */
  staleMs: number;
  /** Fewer venues than this in the newest print is unhealthy: default 2. */
  minVenues: number;
  /** Continuous health needed to close: SPEC 30 s. */
  recoveryMs: number;
}

/** SPEC §9: stale at 10 s, at least 2 venues, 30 s of continuous health to close. */
export const DEFAULT_BREAKER_RULES: Readonly<BreakerRules> = {
  staleMs: 10_000,
  minVenues: 2,
  recoveryMs: 30_000,
};

export type OpenReason =
  | 'starting'
  | 'no_prints'
  | 'stale_prints'
  | 'too_few_venues'
  | 'manual_halt'
  | 'price_write_failed';

/** An operator's halt (`tapctl halt`): the breaker is open while it lasts, whatever the feed. */
export interface ManualHalt {
  since: number;
}

export interface PrintSeen {
  t: number;
  venues: number;
}

export interface BreakerMachine {
  state: BreakerEntry['state'];
  reason: string;
  since: number;
  /** Start of the current run of healthy evaluations; null after any unhealthy moment. */
  healthySinceMs: number | null;
  lastPrint: PrintSeen | null;
}

export interface Step {
  machine: BreakerMachine;
  change: BreakerEntry | null;
}

export type FeedHealth = { healthy: true } | { healthy: false; reason: OpenReason; sinceMs: number };

/** Open from the start, or continuing an open interval a previous run left behind. */
export function startingMachine(nowMs: number, openInterval?: { from: number; reason: string }): Step {
  if (openInterval) {
    const machine = { state: 'open' as const, reason: openInterval.reason, since: openInterval.from };
    return { machine: { ...machine, healthySinceMs: null, lastPrint: null }, change: null };
  }
  const entry: BreakerEntry = { state: 'open', reason: 'starting', since: nowMs };
  return { machine: { ...entry, healthySinceMs: null, lastPrint: null }, change: entry };
}

/**
 * Closed, as a breaker that had watched a healthy feed until `nowMs`: the start of a judge that
 * reads the print stream itself (the resolver's `PrintBreaker`). The feed's own start needs no
 * `starting` there: before the first print nothing could be bet (no fresh print), and health-monitor
 * records its `starting` interval, which voids by itself.
 */
export function watchingMachine(nowMs: number): BreakerMachine {
  return { state: 'closed', reason: 'watching', since: nowMs, healthySinceMs: nowMs, lastPrint: null };
}

export function feedHealth(lastPrint: PrintSeen | null, nowMs: number, rules: BreakerRules): FeedHealth {
  if (!lastPrint) return { healthy: false, reason: 'no_prints', sinceMs: nowMs };
  if (nowMs - lastPrint.t >= rules.staleMs) {
    return { healthy: false, reason: 'stale_prints', sinceMs: lastPrint.t + rules.staleMs };
  }
  if (lastPrint.venues < rules.minVenues) {
    return { healthy: false, reason: 'too_few_venues', sinceMs: lastPrint.t };
  }
  return { healthy: true };
}

/** Folds in one print (in stream order): a long gap before it or too few venues in it opens. */
export function observePrint(machine: BreakerMachine, print: PrintSeen, rules: BreakerRules): Step {
  const previous = machine.lastPrint;
  if (previous && print.t <= previous.t) return { machine, change: null };
  let step: Step = { machine: { ...machine, lastPrint: { t: print.t, venues: print.venues } }, change: null };
  if (previous && print.t - previous.t >= rules.staleMs) {
    step = unhealthy(step.machine, 'stale_prints', previous.t + rules.staleMs);
  }
  if (print.venues < rules.minVenues) {
    const next = unhealthy(step.machine, 'too_few_venues', print.t);
    step = { machine: next.machine, change: step.change ?? next.change };
  }
  return step;
}

/**
 * price-ingest could not store a print (Redis refused or lost the write, issue 16): the feed has a
 * hole however fresh the prints around it, so it opens like any unhealthy moment — at the failure,
 * and the recovery timer restarts (30 s of continuous health again before it closes).
 */
export function observeWriteFailure(machine: BreakerMachine, atMs: number): Step {
  return unhealthy(machine, 'price_write_failed', atMs);
}

/**
 * The clock's turn: detects staleness without any print arriving, and closes after recovery.
 * A manual halt opens it (reason `manual_halt`) and keeps it open; a halt is not a feed problem, so
 * it does not restart the recovery timer: after `resume`, a feed that stayed healthy since before
 * the halt closes it at once, otherwise the usual `recoveryMs` of health is needed.
 */
export function evaluate(
  machine: BreakerMachine,
  nowMs: number,
  rules: BreakerRules,
  halt: ManualHalt | null = null,
): Step {
  const health = feedHealth(machine.lastPrint, nowMs, rules);
  if (!health.healthy) return unhealthy(machine, health.reason, health.sinceMs);
  const healthySinceMs = machine.healthySinceMs ?? nowMs;
  if (halt) {
    if (machine.state === 'open') return { machine: { ...machine, healthySinceMs }, change: null };
    const entry: BreakerEntry = {
      state: 'open',
      reason: 'manual_halt',
      since: Math.max(halt.since, machine.since),
    };
    return { machine: { ...machine, ...entry, healthySinceMs }, change: entry };
  }
  const healthyThroughHalt = machine.reason === 'manual_halt' && healthySinceMs <= machine.since;
  if (machine.state === 'open' && (healthyThroughHalt || nowMs - healthySinceMs >= rules.recoveryMs)) {
    const entry: BreakerEntry = { state: 'closed', reason: 'recovered', since: nowMs };
    return { machine: { ...machine, ...entry, healthySinceMs }, change: entry };
  }
  return { machine: { ...machine, healthySinceMs }, change: null };
}

function unhealthy(machine: BreakerMachine, reason: OpenReason, atMs: number): Step {
  if (machine.state === 'open') return { machine: { ...machine, healthySinceMs: null }, change: null };
  const entry: BreakerEntry = { state: 'open', reason, since: Math.max(atMs, machine.since) };
  return { machine: { ...machine, ...entry, healthySinceMs: null }, change: entry };
}
