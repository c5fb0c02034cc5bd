import { CELL_TTL_AFTER_WINDOW_MS, createChannels, planCache } from '@tap/channels';
import { aBet, anAdjustment, TEST_USER } from '@tap/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyAdjustment } from '../apply/apply-adjustment.js';
import { applyBet } from '../apply/apply-bet.js';
import { FIXTURE_APPENDED_MS, NOW_MS, openTestSegment, type TestSegment } from '../storage/test-segment.js';

const { keys } = createChannels('t:');
const OTHER = `0x${'b'.repeat(40)}`;

describe('planCache', () => {
  let s: TestSegment;
  beforeEach(() => {
    s = openTestSegment();
  });
  afterEach(() => s.close());

  it('subtracts in-flight stakes from SQLite balances and books their exposure with the open bets', () => {
    s.tx(() => applyAdjustment(s.ctx, anAdjustment({ amountMicros: 10_000_000 })));
    const open = aBet({
      stakeMicros: 1_000_000,
      multiplierBp: 20_000,
      t0: NOW_MS + 10_000,
      placedAt: NOW_MS,
    });
    s.tx(() => applyBet(s.ctx, open, open.placedAt));
    s.tx(() => applyBet(s.ctx, aBet({ userId: OTHER }), FIXTURE_APPENDED_MS)); // rejected: no exposure, no balance
    const inFlight = [
      aBet({ stakeMicros: 3_000_000, multiplierBp: 30_000, t0: NOW_MS + 10_000 }),
      aBet({ userId: OTHER, stakeMicros: 500_000, multiplierBp: 20_000, t0: NOW_MS - 200_000 }),
    ];
    const plan = planCache(s.db, inFlight, createChannels('t:'), NOW_MS);
    const value = (key: string) => plan.get(key)?.value;
    expect(value(`${keys.wallet(TEST_USER)}#balance`)).toBe(9_000_000 - 3_000_000);
    expect(value(`${keys.wallet(OTHER)}#balance`)).toBe(-500_000);
    expect(value(`${keys.wallet(TEST_USER)}#exposure`)).toBe(2_000_000 + 9_000_000);
    expect(value(`${keys.wallet(TEST_USER)}#openbets`)).toBe(2);
    expect(value(keys.exposureTotal)).toBe(2_000_000 + 9_000_000 + 1_000_000);
    expect(plan.get(keys.exposureCell(open.t0, open.p0))).toEqual({
      key: keys.exposureCell(open.t0, open.p0),
      value: 11_000_000,
      expireAtMs: open.t0 + open.windowMs + CELL_TTL_AFTER_WINDOW_MS,
    });
    expect(plan.has(keys.exposureColumn(NOW_MS - 200_000))).toBe(false); // its window is long settled
  });

  it('plans a zero total exposure for an empty segment', () => {
    expect([...planCache(s.db, [], createChannels('t:'), NOW_MS)]).toEqual([
      [keys.exposureTotal, { key: keys.exposureTotal, value: 0 }],
    ]);
  });
});
