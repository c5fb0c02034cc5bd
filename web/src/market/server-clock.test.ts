import { describe, expect, it } from 'vitest';
import { createServerClock } from './server-clock.js';

describe('server clock', () => {
  it('takes the tightest lower bound: the fastest print of the recent ones', () => {
    const clock = createServerClock(3);
    // Local clock 5 s ahead of the server; prints take 20, 3 and 40 ms to arrive.
    clock.observe(1_000, 6_020);
    clock.observe(1_100, 6_103);
    clock.observe(1_200, 6_240);
    expect(clock.offsetMs).toBe(-5_003);
    expect(clock.now(7_003)).toBe(2_000);
  });

  it('forgets samples older than the window, so a clock step is followed', () => {
    const clock = createServerClock(2);
    clock.observe(1_000, 1_000);
    clock.observe(1_100, 2_100);
    clock.observe(1_200, 2_200);
    expect(clock.offsetMs).toBe(-1_000);
  });
});
