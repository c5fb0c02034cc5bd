import { describe, expect, it } from 'vitest';
import { BELOW, bet, feed, newIndex, P0, print, prints, settle, T0, W } from './test-builders.js';
import { type BreakerInterval, refOf } from './verdict.js';

describe('voids (SPEC §4: never a loss because data was missing)', () => {
  const flat = () => [
    print(T0 - 50, BELOW),
    ...prints(T0 + 50, Array(50).fill(BELOW)),
    print(T0 + W + 50, BELOW),
  ];

  const breakerCases: { name: string; interval: BreakerInterval; outcome: string }[] = [
    {
      name: 'open across the window start',
      interval: { from: T0 - 2_000, to: T0 + 500, reason: 'stale' },
      outcome: 'void',
    },
    {
      name: 'open in the middle',
      interval: { from: T0 + 2_000, to: T0 + 2_500, reason: 'venues' },
      outcome: 'void',
    },
    {
      name: 'open across the window end',
      interval: { from: T0 + W - 1, to: T0 + W + 9_000, reason: 'stale' },
      outcome: 'void',
    },
    {
      name: 'still open when the window ends',
      interval: { from: T0 + 3_000, to: null, reason: 'stale' },
      outcome: 'void',
    },
    {
      name: 'closed exactly at t0 (open at the window start)',
      interval: { from: T0 - 9_000, to: T0, reason: 'stale' },
      outcome: 'void',
    },
    {
      name: 'closed 1 ms before t0',
      interval: { from: T0 - 9_000, to: T0 - 1, reason: 'stale' },
      outcome: 'lost',
    },
    {
      name: 'opened exactly at t0 + W (after the window)',
      interval: { from: T0 + W, to: null, reason: 'stale' },
      outcome: 'lost',
    },
  ];
  for (const c of breakerCases) {
    it(`judges a breaker ${c.name}`, () => {
      const { verdict } = settle(bet(), flat(), [c.interval]);
      expect(verdict?.decision.outcome).toBe(c.outcome);
      if (c.outcome === 'void') {
        expect(verdict?.decision.evidence).toEqual({ reason: 'breaker_open', interval: c.interval });
      }
    });
  }

  it('voids a window holding a gap longer than 1 s, with the gap as evidence', () => {
    const start = [print(T0 - 50, BELOW), print(T0 + 900, BELOW)];
    const before = print(T0 + 1_000, BELOW);
    const after = print(T0 + 2_001, BELOW);
    const { verdict } = settle(bet(), [...start, before, after]);
    expect(verdict).toMatchObject({
      decision: {
        outcome: 'void',
        evidence: {
          reason: 'price_gap',
          gap: { from: refOf(before), to: refOf(after), ms: 1_001, maxMs: 1_000 },
        },
      },
      printT: T0 + 2_001,
    });
  });

  it('counts a gap of exactly 1 s as no gap', () => {
    const list = [
      print(T0 - 50, BELOW),
      ...prints(T0 + 950, Array(5).fill(BELOW), 1_000),
      print(T0 + W + 50, BELOW),
    ];
    expect(settle(bet(), list).verdict?.decision.outcome).toBe('lost');
  });

  it('counts the gap from the print in effect at t0 and the gap to the first print after the window', () => {
    const fromStart = settle(bet(), [print(T0 - 600, BELOW), print(T0 + 600, BELOW)]).verdict;
    expect(fromStart?.decision.evidence).toMatchObject({ reason: 'price_gap', gap: { ms: 1_200 } });
    const toEnd = settle(bet(), [
      print(T0 - 50, BELOW),
      ...prints(T0 + 50, Array(45).fill(BELOW)),
      print(T0 + W + 600, BELOW),
    ]);
    expect(toEnd.verdict?.decision.evidence).toMatchObject({ reason: 'price_gap', gap: { ms: 1_150 } });
  });

  it('lets a win seen before a gap stand, and voids a touch seen only after it', () => {
    const early = settle(bet(), [
      print(T0 - 50, BELOW),
      print(T0 + 500, P0),
      print(T0 + 3_000, BELOW),
    ]).verdict;
    expect(early?.decision).toMatchObject({ outcome: 'won', evidence: { t: T0 + 500 } });
    const late = settle(bet(), [
      print(T0 - 50, BELOW),
      print(T0 + 500, BELOW),
      print(T0 + 3_000, P0),
    ]).verdict;
    expect(late?.decision.outcome).toBe('void');
  });

  it('lets a win seen before the breaker opened stand', () => {
    const index = newIndex();
    const b = bet();
    index.add(b, T0);
    const verdicts = feed(index, [print(T0 - 50, BELOW), print(T0 + 300, P0)]);
    index.breaker.replace([{ from: T0 + 400, to: null, reason: 'stale' }]);
    feed(index, [print(T0 + W + 10, BELOW)]);
    expect(verdicts.get(b.betId)?.decision.outcome).toBe('won');
  });

  it('voids a touch made while the breaker was open', () => {
    const { verdict } = settle(
      bet(),
      [print(T0 - 50, BELOW), print(T0 + 300, BELOW), print(T0 + 400, P0)],
      [{ from: T0 + 350, to: T0 + 450, reason: 'venues' }],
    );
    expect(verdict?.decision.evidence).toMatchObject({ reason: 'breaker_open' });
  });

  it('voids without a win a window whose print in effect at t0 is more than 1 s old, even if it touches', () => {
    const stale = print(T0 - 1_001, P0);
    const first = print(T0 + 50, P0);
    const { verdict } = settle(bet(), [stale, first]);
    expect(verdict?.decision).toEqual({
      outcome: 'void',
      evidence: {
        reason: 'price_gap',
        gap: { from: refOf(stale), to: refOf(first), ms: 1_051, maxMs: 1_000 },
      },
    });
  });

  it('lets a print in effect exactly 1 s old at t0 count (the limit is inclusive)', () => {
    const { verdict } = settle(bet(), [print(T0 - 1_000, P0), print(T0 + 10, BELOW)]);
    expect(verdict?.decision).toMatchObject({ outcome: 'won', evidence: { t: T0 - 1_000 } });
  });

  it('voids a window whose start has no known print in effect', () => {
    const index = newIndex();
    feed(index, [print(T0 + 100, BELOW)]);
    const late = bet();
    expect(index.add(late, T0 + 200)?.decision.evidence).toMatchObject({
      reason: 'price_gap',
      gap: { from: null, ms: null },
    });
  });
});

describe('dead-man sweep (fake clock)', () => {
  it('voids a bet still open t0 + W + 60 s after its window, and not a millisecond earlier', () => {
    const index = newIndex();
    const b = bet();
    index.add(b, T0);
    const inEffect = print(T0 - 50, BELOW);
    const last = print(T0 + 100, BELOW);
    feed(index, [inEffect, last]);
    const deadline = T0 + W + 60_000;
    expect(index.sweep(deadline - 1)).toEqual([]);
    expect(index.sweep(deadline)).toEqual([
      {
        betId: b.betId,
        decision: {
          outcome: 'void',
          evidence: { reason: 'deadline', deadlineMs: deadline, lastPrint: refOf(last) },
        },
        printT: null,
      },
    ]);
    expect(index.openBets).toBe(0);
    expect(index.columnCount).toBe(0);
  });

  it('voids a bet of a window that never saw a print', () => {
    const index = newIndex();
    index.add(bet(), T0);
    expect(index.sweep(T0 + W + 60_000)[0]?.decision.evidence).toMatchObject({
      reason: 'deadline',
      lastPrint: null,
    });
  });
});
