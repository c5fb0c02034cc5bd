import { describe, expect, it } from 'vitest';
import { isoWeekOf, segmentFileName } from './iso-week.js';

describe('isoWeekOf', () => {
  it.each([
    ['2026-11-25T12:00:00Z', '2026-W48'],
    ['2026-11-23T00:00:00Z', '2026-W48'], // Monday starts the week
    ['2026-11-22T23:59:59.999Z', '2026-W47'], // Sunday ends the previous one
    ['2027-01-01T00:00:00Z', '2026-W53'], // a Friday: still the last ISO week of 2026
    ['2024-12-30T00:00:00Z', '2025-W01'], // a Monday that belongs to the next ISO year
  ])('puts %s in %s', (iso, week) => {
    expect(isoWeekOf(Date.parse(iso))).toBe(week);
  });

  it('names the segment file after the week', () => {
    expect(segmentFileName(Date.parse('2026-11-25T12:00:00Z'))).toBe('2026-W48.db');
  });
});
