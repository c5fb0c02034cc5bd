import { aBet } from '@tap/testkit';
import { describe, expect, it } from 'vitest';
import { FIXTURE_APPENDED_MS, TEST_BET_RULES } from '../storage/test-segment.js';
import { brokenBetBound } from './bet-bounds.js';

describe('brokenBetBound', () => {
  const check = (overrides: Parameters<typeof aBet>[0], appendedAtMs = FIXTURE_APPENDED_MS) =>
    brokenBetBound(aBet(overrides), appendedAtMs, TEST_BET_RULES);

  it('passes a bet as admission writes it', () => {
    expect(check({})).toBeNull();
  });

  it.each([
    [{ stakeMicros: 99_999 }, 'stake_out_of_range'],
    [{ stakeMicros: 100_000_001 }, 'stake_out_of_range'],
    [{ multiplierBp: 10_499 }, 'multiplier_out_of_range'],
    [{ multiplierBp: 500_001 }, 'multiplier_out_of_range'],
    [{ windowMs: 1_000 }, 'off_grid'],
    [{ bandCents: 10 }, 'off_grid'],
    [{ t0: 1_764_000_011_000 }, 'off_grid'],
    [{ p0: 9_500_500 }, 'off_grid'],
    [{ t0: 1_764_000_005_000 }, 'starts_too_soon'],
    [{ t0: 1_764_000_065_000 }, 'beyond_horizon'],
    [{ placedAt: FIXTURE_APPENDED_MS + 1_001 }, 'placed_after_append'],
  ] as const)('refuses %j as %s', (overrides, rule) => {
    expect(check(overrides)).toBe(rule);
  });

  it('refuses a multiplier that differs from its own terms', () => {
    const bet = aBet();
    expect(
      brokenBetBound(
        { ...bet, terms: { ...bet.terms, multiplierBp: 30_000 } },
        FIXTURE_APPENDED_MS,
        TEST_BET_RULES,
      ),
    ).toBe('multiplier_out_of_range');
  });

  it('checks the lead against the append time when the entry was appended late', () => {
    // placedAt claims 10 s of lead; Redis appended it 9 s later, 1 s before the window.
    expect(check({}, 1_764_000_009_000)).toBe('starts_too_soon');
  });
});
