import { describe, expect, it } from 'vitest';
import { PrintHistory } from './print-history.js';

const at = (id: number, t: number) => ({ id, t, priceCents: 100, venues: 3 });

describe('PrintHistory', () => {
  it('keeps the retention plus the newest older print, so the print in effect stays known', () => {
    const history = new PrintHistory(1_000);
    for (let i = 1; i <= 30; i += 1) history.push(at(i, i * 100));
    // last t = 3000, cutoff = 2000: the print at 2000 is in effect at the cutoff and everything after.
    expect(history.at(0).t).toBe(2_000);
    expect(history.size).toBe(11);
    expect(history.at(history.lastAtOrBefore(2_050)).t).toBe(2_000);
    expect(history.lastAtOrBefore(1_999)).toBe(-1);
  });

  it('keeps an old print in effect across a long silence', () => {
    const history = new PrintHistory(1_000);
    history.push(at(1, 100));
    history.push(at(2, 60_000));
    expect(history.at(history.lastAtOrBefore(59_000)).id).toBe(1);
  });

  it('finds the last print at or before a time, including an exact match', () => {
    const history = new PrintHistory(60_000);
    for (let i = 1; i <= 10; i += 1) history.push(at(i, i * 100));
    expect(history.lastAtOrBefore(500)).toBe(4);
    expect(history.lastAtOrBefore(549)).toBe(4);
    expect(history.lastAtOrBefore(50)).toBe(-1);
    expect(history.lastAtOrBefore(5_000)).toBe(9);
  });

  it('refuses redelivered and backwards prints and stays bounded by count', () => {
    const history = new PrintHistory(3_600_000, 5);
    for (let i = 1; i <= 20; i += 1) history.push(at(i, i));
    expect(history.size).toBe(5);
    expect(history.check(at(20, 21))).toBe('duplicate');
    expect(history.check(at(21, 19))).toBe('out_of_order');
    expect(history.check(at(21, 20))).toBe('accepted');
  });
});
