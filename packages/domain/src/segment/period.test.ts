import { describe, expect, it } from 'vitest';
import { fixedPeriodScheme, isoWeekScheme, isSegmentName, parseSegmentPeriod } from './period.js';

describe('segment periods', () => {
  it('puts an instant in its ISO week, Monday 00:00 UTC to the next Monday', () => {
    const period = isoWeekScheme.of(Date.parse('2026-11-25T12:00:00Z'));
    expect(period).toEqual({
      name: '2026-W48',
      startMs: Date.parse('2026-11-23T00:00:00Z'),
      endMs: Date.parse('2026-11-30T00:00:00Z'),
    });
    expect(isoWeekScheme.of(Date.parse('2026-11-29T23:59:59.999Z')).name).toBe('2026-W48');
    expect(isoWeekScheme.of(Date.parse('2026-11-30T00:00:00Z')).name).toBe('2026-W49');
  });

  it.each([
    '2026-W48',
    '2026-W53',
    '2025-W01',
    '2020-W53',
  ])('reads the period of week %s back from its name', (name) => {
    const period = isoWeekScheme.ofName(name);
    expect(period?.name).toBe(name);
    expect(isoWeekScheme.of(period!.startMs)).toEqual(period);
  });

  it('refuses a week that does not exist', () => {
    expect(isoWeekScheme.ofName('2025-W53')).toBeNull();
    expect(isoWeekScheme.ofName('2026-12-06T19-08-30-000Z')).toBeNull();
  });

  it('names a fixed period after its UTC start, so names sort in time order', () => {
    const scheme = fixedPeriodScheme(2_000);
    const a = scheme.of(Date.parse('2026-12-06T19:08:31.500Z'));
    expect(a).toEqual({
      name: '2026-12-06T19-08-30-000Z',
      startMs: Date.parse('2026-12-06T19:08:30Z'),
      endMs: Date.parse('2026-12-06T19:08:32Z'),
    });
    const b = scheme.of(a.endMs);
    expect(b.name > a.name).toBe(true);
    expect(scheme.ofName(b.name)).toEqual(b);
    expect(isSegmentName(a.name)).toBe(true);
  });

  it('parses the SEGMENT_PERIOD setting', () => {
    expect(parseSegmentPeriod('iso-week')).toBe(isoWeekScheme);
    expect(parseSegmentPeriod('2000ms')?.setting).toBe('2000ms');
    expect(parseSegmentPeriod('999ms')).toBeNull();
    expect(parseSegmentPeriod('2s')).toBeNull();
    expect(() => fixedPeriodScheme(10)).toThrow(RangeError);
  });
});
