import { describe, expect, it } from 'vitest';
import { parseWrk, premadeBets, premadeCount } from './wrk.js';

const plan = { ratePerS: 1_000, durationS: 10, connections: 64 };

describe('wrk', () => {
  it('reads the script’s summary: 2xx rate, latency in ms, CPU per answer without the set-up', () => {
    const done = JSON.stringify({
      ticks: 150,
      requests: 10_000,
      durationUs: 10_000_000,
      bytes: 1,
      errors: { connect: 0, read: 1, write: 0, status: 100, timeout: 2 },
      latencyUs: { p50: 1_500, p90: 4_000, p99: 20_000, p999: 40_000, max: 55_555, mean: 2_100.5 },
    });
    const result = parseWrk(plan, 11_000, 100, done, 100);
    expect(result.achievedPerS).toBe(990);
    expect(result.non2xx).toBe(100);
    expect(result.socketErrors).toEqual({ connect: 0, read: 1, write: 0, timeout: 2 });
    expect(result.latency).toMatchObject({ p50Ms: 1.5, p99Ms: 20, maxMs: 55.555 });
    // 50 ticks at 100/s = 0.5 s of CPU over 10,000 answers and 10 s.
    expect(result.cpu).toEqual({ usPerRequest: 50, cpuPct: 5 });
    expect(result.repeated).toBe(0);
  });

  it('makes one request per bet, round robin over wallets, each with its own clientBetId', () => {
    const wallets = [
      { userId: '0xa', token: 'ta' },
      { userId: '0xb', token: 'tb' },
    ];
    const print = { t: 1_700_000_000_000, priceCents: 10_000_000, sigma: 0.0001 };
    const bets = premadeBets(
      { apiUrl: 'http://127.0.0.1:9', wallets, stakeMicros: 1_000_000, durationS: 20 },
      print,
      4,
      print.t,
    );
    expect(bets.requests).toHaveLength(4);
    expect(bets.clientBetIds.size).toBe(4);
    expect(bets.requests.map((r) => /Bearer (\w+)/.exec(r)?.[1])).toEqual(['ta', 'tb', 'ta', 'tb']);
    // Every cell starts after the run's end plus the margin, and before the horizon.
    for (const r of bets.requests) {
      const t0 = Number(/"t0":(\d+)/.exec(r)?.[1]);
      expect(t0 - print.t).toBeGreaterThanOrEqual(26_000);
      expect(t0 - print.t).toBeLessThan(60_000);
    }
    expect(premadeCount(1_000, 10)).toBe(11_000);
  });
});
