/**
 * The period a segment covers (SPEC §8) and the name of its file. Production rolls over every ISO
 * week (UTC) and names segments `2026-W48`; tests and the benchmarks roll over every few seconds
 * with a fixed period, named after the period's UTC start `2026-12-06T19-08-30-000Z`. Both kinds of
 * name sort in time order as strings (fixed-width fields), so "newest" is the greatest name; the
 * two kinds are never mixed in one data directory (the period is a deployment's configuration).
 */
import { isoWeekOf } from './iso-week.js';

export interface SegmentPeriod {
  /** The segment's name: its file is `<name>.db`. */
  name: string;
  /** First instant of the period (inclusive), ms since epoch, UTC. */
  startMs: number;
  /** End of the period (exclusive), ms. */
  endMs: number;
}

export interface PeriodScheme {
  /** `iso-week`, or `<n>ms` for a fixed period: the configuration value that made this scheme. */
  readonly setting: string;
  /** The period `timeMs` falls in. */
  of(timeMs: number): SegmentPeriod;
  /** The period a segment name stands for, or null when the name is not of this scheme. */
  ofName(name: string): SegmentPeriod | null;
}

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** A fixed period shorter than this would roll over faster than a roll-over takes. */
export const FIXED_PERIOD_MS_MIN = 1_000;

export const ISO_WEEK_NAME = /^(\d{4})-W(\d{2})$/;
export const FIXED_PERIOD_NAME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z$/;

/** Whether `name` is a segment name of either scheme. */
export function isSegmentName(name: string): boolean {
  return ISO_WEEK_NAME.test(name) || FIXED_PERIOD_NAME.test(name);
}

/** Monday 00:00 UTC of the ISO week `timeMs` falls in. */
function isoWeekStartMs(timeMs: number): number {
  const date = new Date(timeMs);
  const day = date.getUTCDay() || 7;
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() - (day - 1));
}

export const isoWeekScheme: PeriodScheme = {
  setting: 'iso-week',
  of(timeMs) {
    const startMs = isoWeekStartMs(timeMs);
    return { name: isoWeekOf(timeMs), startMs, endMs: startMs + WEEK_MS };
  },
  ofName(name) {
    const match = ISO_WEEK_NAME.exec(name);
    if (!match) return null;
    // Week 1 is the week holding January 4th.
    const week1StartMs = isoWeekStartMs(Date.UTC(Number(match[1]), 0, 4));
    const period = this.of(week1StartMs + (Number(match[2]) - 1) * WEEK_MS);
    return period.name === name ? period : null;
  },
};

export function fixedPeriodScheme(periodMs: number): PeriodScheme {
  if (!Number.isSafeInteger(periodMs) || periodMs < FIXED_PERIOD_MS_MIN) {
    throw new RangeError(`a segment period must be an integer of at least ${FIXED_PERIOD_MS_MIN} ms`);
  }
  const nameOf = (startMs: number) => new Date(startMs).toISOString().replace(/[:.]/g, '-');
  return {
    setting: `${periodMs}ms`,
    of(timeMs) {
      const startMs = Math.floor(timeMs / periodMs) * periodMs;
      return { name: nameOf(startMs), startMs, endMs: startMs + periodMs };
    },
    ofName(name) {
      if (!FIXED_PERIOD_NAME.test(name)) return null;
      const startMs = Date.parse(name.replace(/T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z$/, 'T$1:$2:$3.$4Z'));
      if (!Number.isFinite(startMs) || startMs % periodMs !== 0) return null;
      return { name, startMs, endMs: startMs + periodMs };
    },
  };
}

/** `SEGMENT_PERIOD`: `iso-week` (production) or `<n>ms` (tests, benchmarks); null when invalid. */
export function parseSegmentPeriod(setting: string): PeriodScheme | null {
  if (setting === 'iso-week') return isoWeekScheme;
  const match = /^(\d{1,12})ms$/.exec(setting);
  if (!match) return null;
  const periodMs = Number(match[1]);
  return periodMs >= FIXED_PERIOD_MS_MIN ? fixedPeriodScheme(periodMs) : null;
}
