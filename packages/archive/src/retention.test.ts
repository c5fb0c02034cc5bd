import { describe, expect, it } from 'vitest';
import { backupsToPrune } from './retention.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);

describe('backupsToPrune', () => {
  it('keeps the newest hourly ones and the newest of each recent day', () => {
    const times = Array.from({ length: 24 * 4 }, (_, i) => NOW - i * HOUR);
    const pruned = new Set(backupsToPrune(times, NOW, { hourly: 3, daily: 2 }));
    const kept = times.filter((t) => !pruned.has(t));
    // 12:00, 11:00, 10:00 (hourly), and the newest of yesterday (23:00); today's newest is 12:00.
    expect(kept).toEqual([NOW, NOW - HOUR, NOW - 2 * HOUR, Date.UTC(2026, 11, 5, 23)]);
  });

  it('never prunes the newest backup', () => {
    const old = NOW - 100 * 24 * HOUR;
    expect(backupsToPrune([old], NOW, { hourly: 0, daily: 0 })).toEqual([]);
  });
});
