import { describe, expect, it } from 'vitest';
import {
  commandStatsDelta,
  cpuOver,
  infoField,
  parseCommandStats,
  parseLatencyLatest,
} from './resource-sampler.js';

describe('resource sampling', () => {
  it('reads INFO commandstats and keeps what ran between two snapshots, most time first', () => {
    const before = parseCommandStats(
      '# Commandstats\r\ncmdstat_xadd:calls=10,usec=50,usec_per_call=5.00,rejected_calls=0,failed_calls=0\r\n' +
        'cmdstat_info:calls=1,usec=20,usec_per_call=20.00,rejected_calls=0,failed_calls=0\r\n',
    );
    const after = parseCommandStats(
      'cmdstat_xadd:calls=40,usec=200,usec_per_call=5.00,rejected_calls=0,failed_calls=0\r\n' +
        'cmdstat_info:calls=1,usec=20,usec_per_call=20.00,rejected_calls=0,failed_calls=0\r\n' +
        'cmdstat_evalsha:calls=5,usec=400,usec_per_call=80.00,rejected_calls=0,failed_calls=0\r\n',
    );
    expect(after.get('evalsha')).toEqual({ calls: 5, usec: 400 });
    expect(commandStatsDelta(before, after)).toEqual([
      { command: 'evalsha', calls: 5, usec: 400 },
      { command: 'xadd', calls: 30, usec: 150 },
    ]);
  });

  it('reads LATENCY LATEST rows, worst stall first', () => {
    const reply = [
      ['command', 1764662400, 25, 31],
      ['aof-write-pending-fsync', 1764662401, 120, 340],
      'not a row',
    ];
    expect(parseLatencyLatest(reply)).toEqual([
      { event: 'aof-write-pending-fsync', latestMs: 120, maxMs: 340 },
      { event: 'command', latestMs: 25, maxMs: 31 },
    ]);
  });

  it('averages CPU over the window and finds the busiest interval (100 % = one core)', () => {
    const samples = [
      { atMs: 0, ticks: 0 },
      { atMs: 1_000, ticks: 50 },
      { atMs: 2_000, ticks: 200 },
      { atMs: 10_000, ticks: 1_000 },
    ];
    expect(cpuOver(samples, { fromMs: 0, toMs: 2_000 }, 100)).toEqual({ cpuAvgPct: 100, cpuMaxPct: 150 });
    expect(cpuOver(samples, undefined, 100).cpuAvgPct).toBe(100);
    expect(cpuOver([], undefined, 100)).toEqual({ cpuAvgPct: 0, cpuMaxPct: 0 });
  });

  it('reads numeric fields from INFO', () => {
    const info = '# Memory\r\nused_memory:1048576\r\nused_memory_peak:2097152\r\n';
    expect(infoField(info, 'used_memory')).toBe(1_048_576);
    expect(infoField(info, 'used_memory_peak')).toBe(2_097_152);
    expect(infoField(info, 'missing')).toBe(0);
  });
});
