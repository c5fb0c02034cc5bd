import { describe, expect, it } from 'vitest';
import type { LoginStormResult } from '../src/load/wallets.js';
import { aLatency, aLoadRun, aResourceReport } from '../src/testing/fixtures.js';
import { type Measured, planOf, report } from './login-storm.js';

function aStorm(overrides: Partial<LoginStormResult> = {}): LoginStormResult {
  return {
    logins: 5_000,
    ok: 5_000,
    busyRetries: 12,
    errors: {},
    elapsedMs: 5_000,
    loginsPerS: 1_000,
    concurrency: 128,
    latency: aLatency({ p50Ms: 60, p99Ms: 140 }),
    ...overrides,
  };
}

const measured: Measured = {
  stormOneWorker: aStorm({ loginsPerS: 700, errors: { '503 login_busy': 2 } }),
  stormTwoWorkers: aStorm({ loginsPerS: 1_300 }),
  meQuiet: aLoadRun({ label: 'me-quiet', kind: 'me', latency: aLatency({ p99Ms: 3 }) }),
  meDuringStorm: aLoadRun({ label: 'me-during-storm', kind: 'me', latency: aLatency({ p99Ms: 9 }) }),
  resources: aResourceReport({ 'ingest-api': { cpuAvgPct: 180 }, redis: {} }),
  inProcess: { count: 2_000, perS: 800, msEach: 1.25 },
};

describe('login-storm report', () => {
  it('plans 20,000 logins a storm, 1,500 with --quick, at most 2,000 verified in-process', () => {
    expect(planOf({})).toEqual({ logins: 20_000, inProcessLogins: 2_000 });
    expect(planOf({ quick: true })).toEqual({ logins: 1_500, inProcessLogins: 1_500 });
  });

  it('puts both pools and the in-process verifier in one table, then /v1/me and the resources', () => {
    const outcome = report(measured);
    expect(outcome.ok).toBe(true);
    expect(outcome.tables.map((t) => t.title)).toEqual([
      'Logins per second',
      'GET /v1/me at 500/s without and during a login storm (LOGIN_WORKERS=2)',
      'Resources during the storm (LOGIN_WORKERS=2)',
    ]);
    expect(outcome.tables[0]!.rows).toEqual([
      ['ingest-api, LOGIN_WORKERS=1', 5_000, 700, 60, 140, '2 / 12'],
      ['ingest-api, LOGIN_WORKERS=2 (during the /v1/me run)', 5_000, 1_300, 60, 140, '0 / 12'],
      [
        'verifySiweLogin in-process, one thread, sequential (no HTTP, no Redis)',
        2_000,
        800,
        '—',
        '1.25 ms each',
        '—',
      ],
    ]);
    expect(outcome.headline).toEqual({
      logins_per_s_2_workers: 1_300,
      me_p99_ms_quiet: 3,
      me_p99_ms_storm: 9,
      logins_per_s_main_thread: 800,
    });
    expect(outcome.loadRuns.map((r) => r.label)).toEqual(['me-quiet', 'me-during-storm']);
    expect(outcome.resources.map((r) => r.label)).toEqual(['storm']);
  });
});
