import { describe, expect, it } from 'vitest';
import type { OpenBetIndex } from './open-bet-index.js';
import { BELOW, bet, feed, newIndex, P0, print, prints, settle, T0, W } from './test-builders.js';
import type { PrintRef, Verdict } from './verdict.js';

/** Healthy prints every 500 ms over [fromT, toT], below every band unless `touchAt` says otherwise. */
function line(fromT: number, toT: number, touchAt: readonly number[] = []): PrintRef[] {
  const list: PrintRef[] = [];
  for (let t = fromT; t <= toT; t += 500) list.push(print(t, touchAt.includes(t) ? P0 : BELOW));
  return list;
}

function verdictOf(index: OpenBetIndex, list: PrintRef[], betId: string): Verdict | undefined {
  return feed(index, list).get(betId);
}

const thinAt = (t: number) => print(t, BELOW, 1);

describe('the breaker judged from the prints (no interval recorded yet)', () => {
  it('voids a window whose touching print has too few venues instead of winning it', () => {
    const { verdict } = settle(bet(), [
      print(T0 - 50, BELOW),
      ...line(T0 + 500, T0 + 1_000),
      print(T0 + 1_100, P0, 1),
    ]);
    expect(verdict).toEqual({
      betId: verdict?.betId,
      decision: {
        outcome: 'void',
        evidence: {
          reason: 'breaker_open',
          interval: { from: T0 + 1_100, to: null, reason: 'too_few_venues' },
        },
      },
      printT: T0 + 1_100,
    });
  });

  it('voids a window touched by a healthy print during the 30 s hysteresis after a thin print', () => {
    const index = newIndex();
    const later = bet({ t0: T0 + 20_000 });
    index.add(later, T0);
    const list = [print(T0 - 50, BELOW), thinAt(T0 + 200), ...line(T0 + 500, T0 + 26_000, [T0 + 22_000])];
    expect(verdictOf(index, list, later.betId)?.decision).toEqual({
      outcome: 'void',
      evidence: { reason: 'breaker_open', interval: { from: T0 + 200, to: null, reason: 'too_few_venues' } },
    });
  });

  it('lets a win by a healthy print before the thin print stand, and voids the rest of the window', () => {
    const index = newIndex();
    const touched = bet();
    const untouched = bet({ p0: P0 + 100_000 });
    index.add(touched, T0);
    index.add(untouched, T0);
    const list = [print(T0 - 50, BELOW), ...line(T0 + 100, T0 + 600, [T0 + 600]), thinAt(T0 + 700)];
    const verdicts = feed(index, [...list, ...line(T0 + 1_000, T0 + W + 500)]);
    expect(verdicts.get(touched.betId)?.decision).toMatchObject({
      outcome: 'won',
      evidence: { t: T0 + 600 },
    });
    expect(verdicts.get(untouched.betId)?.decision).toMatchObject({
      outcome: 'void',
      evidence: { reason: 'breaker_open', interval: { from: T0 + 700, reason: 'too_few_venues' } },
    });
  });

  it('wins again in a window entirely after recovery, and voids the window it closed in', () => {
    const index = newIndex();
    // Thin at +1 s; the first healthy evaluation is at +2 s (the print before it was the thin one),
    // so it closes at the print at +32 s: the window from +30 s is voided at its start, still open.
    const closing = bet({ t0: T0 + 30_000 });
    const after = bet({ t0: T0 + 35_000 });
    index.add(closing, T0);
    index.add(after, T0);
    const list = [
      print(T0 - 50, BELOW),
      ...line(T0 + 500, T0 + 500),
      thinAt(T0 + 1_000),
      ...line(T0 + 1_500, T0 + 41_000, [T0 + 31_000, T0 + 36_000]),
    ];
    const verdicts = feed(index, list);
    expect(verdicts.get(closing.betId)?.decision).toEqual({
      outcome: 'void',
      evidence: {
        reason: 'breaker_open',
        interval: { from: T0 + 1_000, to: null, reason: 'too_few_venues' },
      },
    });
    expect(verdicts.get(after.betId)?.decision).toMatchObject({
      outcome: 'won',
      evidence: { t: T0 + 36_000 },
    });
  });

  it('keeps a window with a gap of over 10 s void, and the windows after it while the breaker recovers', () => {
    const index = newIndex();
    const gapped = bet();
    const next = bet({ t0: T0 + 15_000 });
    index.add(gapped, T0);
    index.add(next, T0);
    const list = [
      print(T0 - 50, BELOW),
      print(T0 + 500, BELOW),
      ...line(T0 + 12_000, T0 + 21_000, [T0 + 16_000]),
    ];
    const verdicts = feed(index, list);
    expect(verdicts.get(gapped.betId)?.decision).toMatchObject({
      outcome: 'void',
      evidence: { reason: 'price_gap', gap: { ms: 11_500 } },
    });
    expect(verdicts.get(next.betId)?.decision).toEqual({
      outcome: 'void',
      evidence: { reason: 'breaker_open', interval: { from: T0 + 10_500, to: null, reason: 'stale_prints' } },
    });
  });

  it('judges a late bet by the breaker as it was when its window ran', () => {
    const index = newIndex();
    feed(index, [print(T0 - 50, BELOW), print(T0 + 300, P0, 1), ...line(T0 + 500, T0 + 40_000)]);
    // The interval as known when the bet is added: closed since (first healthy evaluation + 30 s).
    expect(index.add(bet(), T0 + 40_000)?.decision).toEqual({
      outcome: 'void',
      evidence: {
        reason: 'breaker_open',
        interval: { from: T0 + 300, to: T0 + 31_000, reason: 'too_few_venues' },
      },
    });
    expect(index.add(bet({ t0: T0 + 35_000 }), T0 + 40_000)?.decision).toMatchObject({ outcome: 'lost' });
  });

  it('gives a bet the same verdict after a restart that recalls the prints', () => {
    const list = [...line(T0 - 50_000, T0 - 500), thinAt(T0), ...line(T0 + 500, T0 + 6_000, [T0 + 1_000])];
    const running = newIndex([], undefined, null);
    const b = bet();
    running.add(b, T0 - 60_000);
    const before = verdictOf(running, list, b.betId);
    const restarted = newIndex([], undefined, null);
    for (const p of list) restarted.recall(p);
    expect(restarted.add(bet({ betId: b.betId }), T0 + 7_000)?.decision).toEqual(before?.decision);
    expect(before?.decision).toMatchObject({ outcome: 'void', evidence: { reason: 'breaker_open' } });
  });

  it('settles a window right after the first print of a fresh stream by its prints (no start void)', () => {
    // A fresh stack: health-monitor let the bet trade, so its start must not void it (issue 14).
    const cold = newIndex([], undefined, null);
    const b = bet();
    cold.add(b, T0);
    const verdict = verdictOf(cold, [print(T0 - 50, BELOW), ...prints(T0 + 100, [P0])], b.betId);
    expect(verdict?.decision).toMatchObject({ outcome: 'won', evidence: { t: T0 + 100 } });
  });

  it('still voids a window of a fresh stream by the starting interval health-monitor recorded', () => {
    const cold = newIndex([{ from: T0 - 60_000, to: T0 + 2_000, reason: 'starting' }], undefined, null);
    const b = bet();
    cold.add(b, T0);
    const verdict = verdictOf(cold, [print(T0 - 50, BELOW), ...prints(T0 + 100, [P0])], b.betId);
    expect(verdict?.decision).toEqual({
      outcome: 'void',
      evidence: {
        reason: 'breaker_open',
        interval: { from: T0 - 60_000, to: T0 + 2_000, reason: 'starting' },
      },
    });
  });

  it('still voids by a recorded interval while the prints look healthy', () => {
    const { verdict } = settle(
      bet(),
      [print(T0 - 50, BELOW), ...line(T0 + 500, T0 + 2_000, [T0 + 2_000])],
      [{ from: T0 + 1_000, to: T0 + 1_200, reason: 'stale_prints' }],
    );
    expect(verdict?.decision.evidence).toEqual({
      reason: 'breaker_open',
      interval: { from: T0 + 1_000, to: T0 + 1_200, reason: 'stale_prints' },
    });
  });
});
