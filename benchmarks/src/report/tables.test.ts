import { describe, expect, it } from 'vitest';
import type { LoadRunResult } from '../load/open-loop.js';
import type { ResourceReport } from '../stack/resource-sampler.js';
import { nextTickSplitTable, redisCommandTable, redisGrowthNote, resourceTable } from './tables.js';

function aReport(overrides: Partial<NonNullable<ResourceReport['redis']>> = {}): ResourceReport {
  return {
    processes: [],
    machine: { cpuAvgPct: 0, cpuMaxPct: 0, cores: 2 },
    redis: {
      usedMemoryMaxMb: 120,
      usedMemoryStartMb: 20,
      usedMemoryEndMb: 120,
      usedMemoryPeakMb: 121,
      afterFirstMinute: null,
      byMinuteMb: [],
      budgetMb: 512,
      stalls: [],
      aofDelayedFsyncs: 0,
      ...overrides,
    },
    redisCommands: [
      { command: 'evalsha', calls: 1_000, usec: 60_000 },
      { command: 'xadd', calls: 2_000, usec: 5_000 },
    ],
  };
}

describe('Redis tables', () => {
  it('divides command time by the admitted bets and shows each command’s share', () => {
    const table = redisCommandTable('Redis', aReport(), 1_000);
    expect(table.rows).toEqual([
      ['evalsha', 1_000, 1, 60, 60, 92.3],
      ['xadd', 2_000, 2, 2.5, 5, 7.7],
    ]);
  });

  it('says how many bytes each bet left in Redis and how long the budget lasts at the rate', () => {
    // 100 MB for 100,000 bets = 1,048.58 bytes per bet; 392 MB left at 1,000 bets/s ≈ 6.5 min.
    const note = redisGrowthNote(aReport(), 100_000, 1_000);
    expect(note).toContain('1049 bytes per 202');
    expect(note).toContain('last 6.5 more minutes');
  });

  it('says nothing when the run left nothing behind or there is no Redis', () => {
    expect(redisGrowthNote(aReport({ usedMemoryEndMb: 20 }), 100_000, 1_000)).toBeNull();
    expect(redisGrowthNote({ ...aReport(), redis: null }, 100_000, 1_000)).toBeNull();
  });

  it('shows whether memory levelled off after the first minute, only for runs that long', () => {
    const notesOf = (report: ResourceReport) => (resourceTable('r', report).notes ?? []).join('\n');
    expect(notesOf(aReport())).not.toContain('after the first minute');
    const long = aReport({ afterFirstMinute: { atMinuteMb: 118.2, maxAfterMb: 121.5 } });
    expect(notesOf(long)).not.toContain('at each minute');
    const minutes = aReport({
      afterFirstMinute: { atMinuteMb: 118.2, maxAfterMb: 121.5 },
      byMinuteMb: [118.2, 121.5],
    });
    expect(notesOf(minutes)).toContain('Redis used_memory at each minute: 1:00 118.2 MB, 2:00 121.5 MB.');
    expect(notesOf(long)).toContain(
      '118.2 MB at 1:00, at most 121.5 MB after it (+3.3 MB), 120 MB at the end',
    );
  });
});

describe('next-tick split table', () => {
  const summary = (p50Ms: number, p99Ms: number, count = 1_000) => ({
    count,
    meanMs: p50Ms,
    p50Ms,
    p90Ms: p99Ms,
    p99Ms,
    p999Ms: p99Ms,
    maxMs: p99Ms,
  });
  const run = (fillToAccepted: LoadRunResult['fillToAccepted']) =>
    ({
      label: '3000-per-s #1',
      latency: summary(2.5, 20),
      accepted: summary(700, 900),
      fillToAccepted,
    }) as LoadRunResult;

  it('sets request → 202, request → accepted and fill print → accepted beside the deliberate delay', () => {
    const table = nextTickSplitTable('split', [
      {
        result: run(summary(12, 41, 88_000)),
        split: {
          fillDelay: { count: 90_000, p50Ms: 660, p99Ms: 790, maxMs: 1_010 },
          publishLag: { count: 300, p50Ms: 1, p99Ms: 4, maxMs: 9 },
        },
      },
      { result: run(null), split: { fillDelay: null, publishLag: null } },
    ]);
    expect(table.rows).toEqual([
      ['3000-per-s #1', '2.5 / 20', '700 / 900', '12 / 41', 88_000, '660 / 790 / 1010', '1 / 4'],
      ['3000-per-s #1', '2.5 / 20', '700 / 900', '—', 0, '—', '—'],
    ]);
  });
});
