import { describe, expect, it } from 'vitest';
import { audit } from '../src/audit/audit.js';
import { anAuditInput } from '../src/testing/fixtures.js';
import { phasesOf, planOf, type Round, report } from './rollover.js';

const passed = audit(anAuditInput());
const CUT_MS = 1_000_000;

/** A round whose roll-over cut at CUT_MS and closed 2 s later; `duringMs` is the slowest bet around it. */
function aRound(label: string, duringMs: number, overrides: Partial<Round> = {}): Round {
  return {
    label,
    segments: ['2026-W49', '2026-W50'],
    rolled: {
      durationMs: 2_000,
      pauseMs: 40,
      slowestSliceMs: 12,
      slowestSliceStep: 'carry',
      users: 100,
      carriedBets: 50,
      startedAtMs: CUT_MS,
      doneAtMs: CUT_MS + 2_000,
    },
    rolloverAtMs: CUT_MS,
    flowed: 4,
    delays: [
      { admittedAtMs: CUT_MS - 10_000, ms: 20 },
      { admittedAtMs: CUT_MS - 6_000, ms: 30 },
      { admittedAtMs: CUT_MS + 1_000, ms: duringMs },
      { admittedAtMs: CUT_MS + 8_000, ms: 25 },
    ],
    openApplied: true,
    flowApplied: true,
    audit: passed,
    ...overrides,
  };
}

const rounds = [aRound('#1', 500), aRound('#2', 130), aRound('#3', 90)];

describe('rollover report', () => {
  it('plans three full rounds, one small round with --quick', () => {
    expect(planOf({})).toMatchObject({ users: 100_000, openBets: 50_000, rounds: 3 });
    expect(planOf({ quick: true })).toMatchObject({ users: 10_000, openBets: 5_000, rounds: 1 });
  });

  it('splits the bets 5 s around the roll-over and charges it the extra wait of the slowest', () => {
    expect(phasesOf(aRound('#1', 500))).toEqual({
      before: [20, 30],
      around: [500],
      rest: [25],
      extraMs: 470,
    });
    expect(phasesOf(aRound('#1', 10)).extraMs).toBe(0);
  });

  it('reports the median round by extra wait, three delay rows and an audit a round', () => {
    const outcome = report(rounds);
    expect(outcome.ok).toBe(true);
    expect(outcome.headline).toEqual({
      rollover_pause_ms: 40,
      rollover_ms: 2_000,
      rollover_extra_wait_ms: 100,
      rollover_extra_wait_met: 'yes',
    });
    expect(outcome.tables.map((t) => t.title)).toEqual([
      'Roll-over under 1,000 bets/s',
      'Admission → accepted delay (ms; bet tap:bets id time to its accepted event id time)',
      'Audit (#1): PASSED',
      'Audit (#2): PASSED',
      'Audit (#3): PASSED',
    ]);
    expect(outcome.tables[0]!.rows[1]).toEqual(['#2 (median)', 100, 50, 40, '12 (carry)', 2_000, 4]);
    expect(outcome.tables[1]!.rows.slice(0, 3)).toEqual([
      ['#1', 'before: > 5 s before the cut (2)', 30, 30, 30, null],
      ['#1', 'during: 5 s before the cut to 5 s after closed (1)', 500, 500, 500, 470],
      ['#1', 'after (1)', 25, 25, 25, null],
    ]);
    expect(outcome.audits.map((a) => a.label)).toEqual(['rollover #1', 'rollover #2', 'rollover #3']);
  });

  it('fails a round that did not drain, roll over or deliver every accepted event', () => {
    const broken = [
      aRound('#1', 50, { openApplied: false, audit: { ...passed, ok: false } }),
      aRound('#2', 50, { rolled: undefined, flowed: 6, flowApplied: false }),
      aRound('#3', 50, { segments: ['2026-W49'] }),
    ];
    const outcome = report(broken);
    expect(outcome.failures).toEqual([
      '#1: open bets not applied',
      '#1: audit failed',
      '#2: the flow was not applied',
      '#2: no roll-over completed',
      '#2: 2 bets without an accepted event',
      '#3: no roll-over completed',
    ]);
    expect(outcome.headline.rollover_extra_wait_met).toBe('yes');
  });
});
