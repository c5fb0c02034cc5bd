import { describe, expect, it } from 'vitest';
import type { LoginStormResult } from '../src/load/wallets.js';
import { aLatency, aLoadRun, aResourceReport } from '../src/testing/fixtures.js';
import { type Measured, planOf, type Round, report } from './login-storm.js';

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

const aRound = (oneWorkerPerS: number, twoWorkersPerS: number, meStormP99Ms: number, round = 1): Round => ({
  stormOneWorker: aStorm({ loginsPerS: oneWorkerPerS, errors: { '503 login_busy': 2 } }),
  stormTwoWorkers: aStorm({ loginsPerS: twoWorkersPerS }),
  meQuiet: aLoadRun({ label: `me-quiet-${round}`, kind: 'me', latency: aLatency({ p99Ms: 3 }) }),
  meDuringStorm: aLoadRun({
    label: `me-during-storm-${round}`,
    kind: 'me',
    latency: aLatency({ p99Ms: meStormP99Ms }),
  }),
  resources: aResourceReport({ 'ingest-api': { cpuAvgPct: 180 }, redis: {} }),
});
const inProcess = { count: 2_000, perS: 800, msEach: 1.25 };
const measured: Measured = { rounds: [aRound(700, 1_300, 9)], inProcess };

describe('login-storm report', () => {
  it('plans 20,000 logins a storm, 1,500 with --quick, at most 2,000 verified in-process', () => {
    expect(planOf({})).toEqual({ logins: 20_000, rounds: 3, inProcessLogins: 2_000 });
    expect(planOf({ quick: true })).toEqual({ logins: 1_500, rounds: 1, inProcessLogins: 1_500 });
  });

  it('puts both pools and the in-process verifier in one table, then /v1/me and the resources', () => {
    const outcome = report(measured);
    expect(outcome.ok).toBe(true);
    expect(outcome.tables.map((t) => t.title)).toEqual([
      'Logins per second',
      'GET /v1/me at 500/s without and during a login storm (LOGIN_WORKERS=2)',
      'Resources during the storm (LOGIN_WORKERS=2, the median round)',
    ]);
    expect(outcome.tables[0]!.rows).toEqual([
      ['ingest-api, LOGIN_WORKERS=1', '#1 (median)', 5_000, 700, 60, 140, '2 / 12'],
      ['ingest-api, LOGIN_WORKERS=2 (during the /v1/me run)', '#1 (median)', 5_000, 1_300, 60, 140, '0 / 12'],
      [
        'verifySiweLogin in-process, one thread, sequential (no HTTP, no Redis)',
        '—',
        2_000,
        800,
        '—',
        '1.25 ms each',
        '—',
      ],
    ]);
    expect(outcome.headline).toEqual({
      logins_per_s_2_workers: 1_300,
      logins_per_s_2_workers_met: 'no',
      logins_per_s_1_worker: 700,
      me_p99_ms_quiet: 3,
      me_p99_ms_storm: 9,
      logins_per_s_main_thread: 800,
    });
    expect(outcome.loadRuns.map((r) => r.label)).toEqual(['me-quiet-1', 'me-during-storm-1']);
    expect(outcome.resources.map((r) => r.label)).toEqual(['storm']);
  });

  it("lists every round, marks each pool's median round and takes the headline from it", () => {
    const outcome = report({
      rounds: [aRound(700, 3_300, 9, 1), aRound(650, 2_900, 12, 2), aRound(720, 3_100, 7, 3)],
      inProcess,
    });
    const rows = outcome.tables[0]!.rows;
    expect(rows.map((r) => [r[0], r[1], r[3]])).toEqual([
      ['ingest-api, LOGIN_WORKERS=1', '#1 (median)', 700],
      ['ingest-api, LOGIN_WORKERS=1', '#2', 650],
      ['ingest-api, LOGIN_WORKERS=1', '#3', 720],
      ['ingest-api, LOGIN_WORKERS=2 (during the /v1/me run)', '#1', 3_300],
      ['ingest-api, LOGIN_WORKERS=2 (during the /v1/me run)', '#2', 2_900],
      ['ingest-api, LOGIN_WORKERS=2 (during the /v1/me run)', '#3 (median)', 3_100],
      ['verifySiweLogin in-process, one thread, sequential (no HTTP, no Redis)', '—', 800],
    ]);
    expect(outcome.headline).toMatchObject({
      logins_per_s_2_workers: 3_100,
      logins_per_s_2_workers_met: 'yes',
      logins_per_s_1_worker: 700,
      me_p99_ms_storm: 7,
    });
    expect(outcome.loadRuns.map((r) => r.label)).toEqual([
      'me-quiet-1',
      'me-during-storm-1',
      'me-quiet-2',
      'me-during-storm-2',
      'me-quiet-3',
      'me-during-storm-3',
    ]);
  });

  it('judges the target on the median round, not the best one', () => {
    const outcome = report({
      rounds: [aRound(700, 3_400, 9), aRound(650, 2_800, 12), aRound(720, 2_950, 7)],
      inProcess,
    });
    expect(outcome.headline).toMatchObject({
      logins_per_s_2_workers: 2_950,
      logins_per_s_2_workers_met: 'no',
    });
  });
});
