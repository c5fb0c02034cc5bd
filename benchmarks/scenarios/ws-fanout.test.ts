import { describe, expect, it } from 'vitest';
import { createHistogram, encodeHistogram, recordMs } from '../src/stats/histogram.js';
import { aResourceReport } from '../src/testing/fixtures.js';
import { type ClientReport, type Measured, planOf, report } from './ws-fanout.js';

/** One client process's report: `latencyMs` recorded once each. */
function aClientReport(latencyMs: number[], overrides: Partial<ClientReport> = {}): ClientReport {
  const histogram = createHistogram();
  for (const ms of latencyMs) recordMs(histogram, ms);
  return {
    clients: 5_000,
    connected: 5_000,
    closedEarly: 0,
    ticksTotal: 1_000_000,
    ticksMin: 200,
    complete: 5_000,
    latency: encodeHistogram(histogram),
    ...overrides,
  };
}

function measured(overrides: Partial<Measured> = {}): Measured {
  return {
    connected: 10_000,
    failed: 0,
    connectMs: 4_200,
    ticks: 200,
    reports: [aClientReport([2, 3, 4]), aClientReport([5, 40], { closedEarly: 1, complete: 4_999 })],
    resources: aResourceReport({
      'ws-gateway': { cpuAvgPct: 75 },
      redis: {},
      'clients-0': {},
      'clients-1': {},
    }),
    ...overrides,
  };
}

describe('ws-fanout report', () => {
  it('plans 10,000 clients for 20 s, 2,000 for 5 s with --quick', () => {
    expect(planOf({})).toEqual({ clients: 10_000, durationS: 20 });
    expect(planOf({ quick: true })).toEqual({ clients: 2_000, durationS: 5 });
  });

  it('adds up both client processes: deliveries, complete clients and one latency histogram', () => {
    const outcome = report(measured(), planOf({}));
    expect(outcome.ok).toBe(true);
    expect(outcome.tables[0]!.title).toBe('10,000 clients, 10 ticks/s for 20 s');
    // Latency through HDR's buckets (3 significant digits): 4 ms reads 4.001, 40 ms 40.031.
    expect(outcome.tables[0]!.rows).toEqual([
      [10_000, 4_200, 200, 2_000_000, 100_000, 9_999, 1, '4.001 / 40.031 / 40.031'],
    ]);
    expect(outcome.tables[1]!.title).toBe('Resources while ticking');
    expect(outcome.headline).toEqual({
      ws_clients_every_tick: 9_999,
      ws_clients_every_tick_met: 'no',
      delivered_per_s: 100_000,
      gateway_cpu_avg_pct: 75,
    });
  });

  it('fails when clients could not connect', () => {
    expect(report(measured({ connected: 9_990, failed: 10 }), planOf({})).failures).toEqual([
      '10 clients could not connect',
    ]);
  });
});
