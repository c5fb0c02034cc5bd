import type { BreakerEntry } from '@tap/domain';
import { describe, expect, it } from 'vitest';
import {
  type BreakerMachine,
  evaluate,
  observePrint,
  observeWriteFailure,
  type PrintSeen,
  startingMachine,
} from './breaker-machine.js';

const rules = { staleMs: 10_000, minVenues: 2, recoveryMs: 30_000 };
const TICK_MS = 100;

function closedMachine(lastPrint: PrintSeen | null = { t: 0, venues: 3 }): BreakerMachine {
  return { state: 'closed', reason: 'recovered', since: -60_000, healthySinceMs: -60_000, lastPrint };
}

/** Runs the fake clock from `fromMs` to `toMs` (inclusive) in 100 ms ticks: a print (if any), then an evaluation. */
function drive(
  start: BreakerMachine,
  fromMs: number,
  toMs: number,
  printAt: (tMs: number) => PrintSeen | null,
  haltAt: (tMs: number) => { since: number } | null = () => null,
): { machine: BreakerMachine; changes: BreakerEntry[] } {
  let machine = start;
  const changes: BreakerEntry[] = [];
  for (let now = fromMs; now <= toMs; now += TICK_MS) {
    const print = printAt(now);
    const steps = print ? [observePrint(machine, print, rules)] : [];
    steps.push(evaluate(steps[0]?.machine ?? machine, now, rules, haltAt(now)));
    for (const step of steps) {
      machine = step.machine;
      if (step.change) changes.push(step.change);
    }
  }
  return { machine, changes };
}

const healthyPrints = (tMs: number): PrintSeen => ({ t: tMs, venues: 3 });

describe('breaker state machine', () => {
  it('starts open (fail closed) and says so', () => {
    expect(startingMachine(5_000)).toEqual({
      machine: { state: 'open', reason: 'starting', since: 5_000, healthySinceMs: null, lastPrint: null },
      change: { state: 'open', reason: 'starting', since: 5_000 },
    });
  });

  it('continues an open interval left by a previous run without a new change', () => {
    expect(startingMachine(9_000, { from: 1_000, reason: 'stale_prints' })).toMatchObject({
      machine: { state: 'open', reason: 'stale_prints', since: 1_000 },
      change: null,
    });
  });

  it('stays closed at 9.9 s of staleness and opens at 10 s', () => {
    const machine = closedMachine({ t: 0, venues: 3 });
    expect(evaluate(machine, 9_900, rules)).toMatchObject({ machine: { state: 'closed' }, change: null });
    expect(evaluate(machine, 10_000, rules)).toMatchObject({
      machine: { state: 'open', reason: 'stale_prints', since: 10_000, healthySinceMs: null },
      change: { state: 'open', reason: 'stale_prints', since: 10_000 },
    });
  });

  it('opens when no print was ever seen', () => {
    expect(evaluate(closedMachine(null), 1_000, rules).change).toEqual({
      state: 'open',
      reason: 'no_prints',
      since: 1_000,
    });
  });

  it('does not close at 29.9 s of health and closes at 30 s', () => {
    const start = startingMachine(0).machine;
    const before = drive(start, 0, 29_900, healthyPrints);
    expect(before.machine.state).toBe('open');
    expect(before.changes).toEqual([]);
    const after = drive(before.machine, 30_000, 30_000, healthyPrints);
    expect(after.changes).toEqual([{ state: 'closed', reason: 'recovered', since: 30_000 }]);
  });

  it('never closes on a feed that flaps every 5 s', () => {
    const flapping = (tMs: number): PrintSeen => ({
      t: tMs,
      venues: Math.floor(tMs / 5_000) % 2 === 0 ? 3 : 1,
    });
    const { machine, changes } = drive(startingMachine(0).machine, 0, 600_000, flapping);
    expect(machine.state).toBe('open');
    expect(changes).toEqual([]);
  });

  it('never closes on prints that stop for 10 s out of every 25 s', () => {
    const gappy = (tMs: number): PrintSeen | null => (tMs % 25_000 < 15_000 ? { t: tMs, venues: 3 } : null);
    const { machine } = drive(startingMachine(0).machine, 0, 600_000, gappy);
    expect(machine.state).toBe('open');
  });

  it('restarts the recovery timer at any unhealthy moment', () => {
    const oneBadPrint = (tMs: number): PrintSeen => ({ t: tMs, venues: tMs === 20_000 ? 1 : 3 });
    const { changes } = drive(startingMachine(0).machine, 0, 60_000, oneBadPrint);
    expect(changes).toEqual([{ state: 'closed', reason: 'recovered', since: 50_100 }]);
  });

  it('opens on a print price-ingest failed to store, and needs 30 s of health again to close', () => {
    const open = observeWriteFailure(closedMachine({ t: 10_000, venues: 3 }), 10_050);
    expect(open.change).toEqual({ state: 'open', reason: 'price_write_failed', since: 10_050 });
    expect(observeWriteFailure(open.machine, 10_150).change).toBeNull();
    const everyTick = (tMs: number): PrintSeen => ({ t: tMs, venues: 3 });
    const { changes } = drive(open.machine, 10_100, 45_000, everyTick);
    expect(changes).toEqual([{ state: 'closed', reason: 'recovered', since: 40_100 }]);
  });

  it('opens on a print with too few venues', () => {
    const step = observePrint(closedMachine({ t: 0, venues: 3 }), { t: 100, venues: 1 }, rules);
    expect(step.change).toEqual({ state: 'open', reason: 'too_few_venues', since: 100 });
  });

  it('opens, backdated, on a gap of 10 s between consecutive prints nobody evaluated in between', () => {
    const step = observePrint(closedMachine({ t: 0, venues: 3 }), { t: 12_000, venues: 3 }, rules);
    expect(step.change).toEqual({ state: 'open', reason: 'stale_prints', since: 10_000 });
    expect(step.machine.lastPrint).toEqual({ t: 12_000, venues: 3 });
  });

  it('ignores a print that is not newer than the last one', () => {
    const machine = closedMachine({ t: 5_000, venues: 3 });
    expect(observePrint(machine, { t: 5_000, venues: 1 }, rules)).toEqual({ machine, change: null });
  });

  it('opens again after closing when the feed goes stale, then closes after a new recovery', () => {
    const feed = (tMs: number): PrintSeen | null =>
      tMs >= 40_000 && tMs < 55_000 ? null : { t: tMs, venues: 3 };
    const { changes } = drive(startingMachine(0).machine, 0, 100_000, feed);
    expect(changes).toEqual([
      { state: 'closed', reason: 'recovered', since: 30_000 },
      { state: 'open', reason: 'stale_prints', since: 49_900 },
      { state: 'closed', reason: 'recovered', since: 85_000 },
    ]);
  });

  describe('manual halt', () => {
    const haltedBetween = (from: number, to: number) => (now: number) =>
      now >= from && now < to ? { since: from } : null;

    it('opens with reason manual_halt while halted and closes at once on resume if the feed stayed healthy', () => {
      const { changes, machine } = drive(
        closedMachine(),
        0,
        20_000,
        healthyPrints,
        haltedBetween(5_000, 12_000),
      );
      expect(changes).toEqual([
        { state: 'open', reason: 'manual_halt', since: 5_000 },
        { state: 'closed', reason: 'recovered', since: 12_000 },
      ]);
      expect(machine.state).toBe('closed');
    });

    it('needs the usual recovery after resume when the feed failed during the halt', () => {
      const prints = (t: number) => (t >= 6_000 && t < 18_000 ? null : healthyPrints(t));
      const { changes } = drive(closedMachine(), 0, 60_000, prints, haltedBetween(5_000, 20_000));
      expect(changes).toEqual([
        { state: 'open', reason: 'manual_halt', since: 5_000 },
        { state: 'closed', reason: 'recovered', since: 48_000 },
      ]);
    });
  });
});
