import { describe, expect, it } from 'vitest';
import { ABOVE, BELOW, bet, feed, H, newIndex, P0, print, prints, settle, T0, W } from './test-builders.js';
import { type PrintRef, refOf } from './verdict.js';

describe('touch detection (SPEC §4: low ≤ p0+H and high ≥ p0, edges inclusive)', () => {
  const cases: { name: string; list: () => PrintRef[]; outcome: string; decidingT?: number }[] = [
    {
      name: 'a print exactly on the band floor wins',
      list: () => [
        print(T0 - 50, BELOW),
        print(T0 + 900, BELOW),
        print(T0 + 1_000, P0),
        print(T0 + 1_100, BELOW),
      ],
      outcome: 'won',
      decidingT: T0 + 1_000,
    },
    {
      name: 'a print exactly on the band top wins',
      list: () => [print(T0 - 50, ABOVE), print(T0 + 900, ABOVE), print(T0 + 1_000, P0 + H)],
      outcome: 'won',
      decidingT: T0 + 1_000,
    },
    {
      name: 'a jump clean over the band wins at the print that jumps',
      list: () => [print(T0 - 50, BELOW), print(T0 + 500, BELOW), print(T0 + 600, ABOVE)],
      outcome: 'won',
      decidingT: T0 + 600,
    },
    {
      name: 'the print in effect at t0, from before the window, decides the win',
      list: () => [print(T0 - 800, P0 + 10), print(T0 + 100, BELOW)],
      outcome: 'won',
      decidingT: T0 - 800,
    },
    {
      name: 'a print exactly at t0 is the print in effect and counts',
      list: () => [print(T0 - 100, BELOW), print(T0, P0 + 500), print(T0 + 100, BELOW)],
      outcome: 'won',
      decidingT: T0,
    },
    {
      name: 'a print exactly at t0 replaces an earlier touching print as the one in effect',
      list: () => [print(T0 - 100, P0 + 500), print(T0, BELOW), ...prints(T0 + 100, Array(50).fill(BELOW))],
      outcome: 'lost',
    },
    {
      name: 'a print exactly at t0 + W is not in the window: it closes it as a loss',
      list: () => [print(T0 - 50, BELOW), ...prints(T0 + 50, Array(50).fill(BELOW)), print(T0 + W, P0)],
      outcome: 'lost',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const b = bet();
      const { verdict } = settle(b, c.list());
      expect(verdict?.decision.outcome).toBe(c.outcome);
      if (c.decidingT !== undefined) expect(verdict?.decision.evidence).toMatchObject({ t: c.decidingT });
    });
  }

  it('stores the deciding print and the range for a win, the range and last print for a loss', () => {
    const b = bet();
    const list = [print(T0 - 50, BELOW), print(T0 + 100, BELOW - 300), print(T0 + 200, ABOVE)];
    expect(settle(b, list).verdict).toEqual({
      betId: b.betId,
      decision: {
        outcome: 'won',
        evidence: { printId: list[2]!.id, t: T0 + 200, priceCents: ABOVE, low: BELOW - 300, high: ABOVE },
      },
      printT: T0 + 200,
    });
    const l = bet();
    const inEffect = print(T0 - 50, BELOW - 1);
    const inside = prints(T0 + 50, Array(50).fill(BELOW));
    const closing = print(T0 + W + 40, BELOW);
    const lastInWindow = inside[inside.length - 1]!;
    expect(settle(l, [inEffect, ...inside, closing]).verdict).toEqual({
      betId: l.betId,
      decision: {
        outcome: 'lost',
        evidence: {
          low: BELOW - 1,
          high: BELOW,
          lastPrint: refOf(lastInWindow),
          closingPrint: refOf(closing),
        },
      },
      printT: T0 + W + 40,
    });
  });

  it('decides a window with no print inside by the print in effect at t0, then the gap rule', () => {
    const touching = settle(bet(), [print(T0 - 100, P0), print(T0 + W + 100, BELOW)]).verdict;
    expect(touching?.decision).toMatchObject({ outcome: 'won', evidence: { t: T0 - 100 } });
    const missed = settle(bet(), [print(T0 - 100, BELOW), print(T0 + W + 100, BELOW)]).verdict;
    expect(missed?.decision).toMatchObject({
      outcome: 'void',
      evidence: { reason: 'price_gap', gap: { ms: W + 200, maxMs: 1_000 } },
    });
    const short = bet({ windowMs: 500 });
    expect(settle(short, [print(T0 - 100, BELOW), print(T0 + 500, BELOW)]).verdict?.decision.outcome).toBe(
      'lost',
    );
  });

  it('settles several bets on one cell by the same print', () => {
    const index = newIndex();
    const bets = [bet(), bet(), bet()];
    for (const b of bets) index.add(b, T0);
    const verdicts = feed(index, [print(T0 - 50, BELOW), print(T0 + 300, P0 + 1)]);
    expect([...verdicts.values()].map((v) => v.decision.outcome)).toEqual(['won', 'won', 'won']);
    expect(new Set([...verdicts.values()].map((v) => v.decision.evidence))).toHaveProperty('size', 1);
    expect(index.openBets).toBe(0);
  });

  it('settles adjacent cells sharing an edge both as wins by a print exactly on the edge', () => {
    const index = newIndex();
    const lower = bet({ p0: P0 });
    const upper = bet({ p0: P0 + H });
    index.add(lower, T0);
    index.add(upper, T0);
    const inEffect = print(T0 - 50, BELOW);
    const edge = print(T0 + 700, P0 + H);
    const verdicts = feed(index, [inEffect, edge]);
    expect(verdicts.get(lower.betId)?.decision).toMatchObject({
      outcome: 'won',
      evidence: { printId: edge.id },
    });
    expect(verdicts.get(upper.betId)?.decision).toMatchObject({
      outcome: 'won',
      evidence: { printId: edge.id },
    });
  });

  it('visits only bands the range newly reaches: far bands stay open until the window closes', () => {
    const index = newIndex();
    const near = bet({ p0: P0 });
    const far = bet({ p0: P0 + 50 * H });
    index.add(near, T0);
    index.add(far, T0);
    const first = feed(index, [print(T0 - 50, BELOW), print(T0 + 100, P0 + 1)]);
    expect([...first.keys()]).toEqual([near.betId]);
    expect(index.openBets).toBe(1);
  });
});
