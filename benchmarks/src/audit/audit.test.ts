import { describe, expect, it } from 'vitest';
import { anAuditInput } from '../testing/fixtures.js';
import { audit } from './audit.js';

const failed = (input: Parameters<typeof audit>[0]) =>
  audit(input)
    .checks.filter((c) => !c.ok)
    .map((c) => c.name);

describe('audit', () => {
  it('passes a consistent run', () => {
    const report = audit(anAuditInput());
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual([
      'acked_bets_in_sqlite_once',
      'acked_bets_have_final_status',
      'no_duplicates',
      'no_unacknowledged_bets',
      'integrity_cron',
      'consumer_groups_drained',
      'ws_events_delivered',
    ]);
  });

  it('fails when integrity-cron fails, naming its first problems', () => {
    const problems = [
      'segment_links: 2026-W48 → 2026-W49: 0xa closed at 8, opened with [7]',
      'redis_cache: x',
      'a',
      'b',
    ];
    const broken = audit(
      anAuditInput({ integrity: { ok: false, summary: 'FAILED: 2 of 9 checks failed', problems } }),
    );
    expect(broken.ok).toBe(false);
    const row = broken.checks.find((c) => c.name === 'integrity_cron')!;
    expect(row.ok).toBe(false);
    expect(row.detail).toBe(`FAILED: 2 of 9 checks failed: ${problems.slice(0, 3).join('; ')}`);
  });

  it("fails when a 202'd bet is missing from SQLite", () => {
    const input = anAuditInput({ ackedBetIds: ['B1', 'B2', 'B3', 'B4'] });
    expect(failed(input)).toContain('acked_bets_in_sqlite_once');
    expect(audit(input).checks[0]!.detail).toContain('1 missing');
  });

  it("names the dead letter's reason of a missing 202'd bet", () => {
    const deadLetteredBets = new Map([['B4', 'invalid_entry']]);
    const input = anAuditInput({ ackedBetIds: ['B1', 'B2', 'B3', 'B4'], deadLetteredBets });
    expect(audit(input).checks[0]!.detail).toContain('B4, dead-lettered: invalid_entry');
  });

  it('fails when a bet is stored twice (e.g. in two segments)', () => {
    const input = anAuditInput();
    const bets = [...input.sqliteBets, { id: 'B1', status: 'accepted', reason: null }];
    expect(failed({ ...input, sqliteBets: bets })).toEqual(['acked_bets_in_sqlite_once']);
  });

  it('fails a rejection without a reason and an unknown status', () => {
    const bets = [
      { id: 'B1', status: 'pending', reason: null },
      { id: 'B2', status: 'accepted', reason: null },
      { id: 'B3', status: 'rejected', reason: null },
    ];
    expect(failed(anAuditInput({ sqliteBets: bets }))).toContain('acked_bets_have_final_status');
  });

  it('fails duplicates: an id answered twice, a clientBetId stored twice, a stake debited twice', () => {
    expect(failed(anAuditInput({ ackedBetIds: ['B1', 'B1', 'B2', 'B3'] }))).toEqual(['no_duplicates']);
    expect(failed(anAuditInput({ duplicateClientBetIds: 1 }))).toEqual(['no_duplicates']);
    const twice = new Map([
      ['B1', 2],
      ['B2', 1],
    ]);
    expect(failed(anAuditInput({ stakeRowsByBet: twice }))).toEqual(['no_duplicates']);
    const rejectedDebited = new Map([
      ['B1', 1],
      ['B2', 1],
      ['B3', 1],
    ]);
    expect(failed(anAuditInput({ stakeRowsByBet: rejectedDebited }))).toEqual(['no_duplicates']);
  });

  it('allows bets without a 202 only up to the requests that got no answer', () => {
    const input = anAuditInput();
    const bets = [...input.sqliteBets, { id: 'B9', status: 'accepted', reason: null }];
    const stakes = new Map([...input.stakeRowsByBet, ['B9', 1]]);
    expect(failed({ ...input, sqliteBets: bets, stakeRowsByBet: stakes })).toEqual([
      'no_unacknowledged_bets',
    ]);
    expect(failed({ ...input, sqliteBets: bets, stakeRowsByBet: stakes, unanswered: 1 })).toEqual([]);
  });

  it('skips the WebSocket check when it was not measured', () => {
    const report = audit(anAuditInput({ ws: null }));
    expect(report.checks.map((c) => c.name)).not.toContain('ws_events_delivered');
  });

  it('requires drained streams to have nothing pending and others nothing idle', () => {
    const pending = [{ stream: 'tap:bets', group: 'batcher', pending: 2, idlePending: 0, lag: 0 }];
    expect(failed(anAuditInput({ groups: pending }))).toEqual(['consumer_groups_drained']);
    const lagging = [{ stream: 'tap:bets', group: 'batcher', pending: 0, idlePending: 0, lag: 5 }];
    expect(failed(anAuditInput({ groups: lagging }))).toEqual(['consumer_groups_drained']);
    const stuck = [{ stream: 'tap:prices', group: 'resolver', pending: 1, idlePending: 1, lag: 0 }];
    expect(failed(anAuditInput({ groups: stuck }))).toEqual(['consumer_groups_drained']);
  });

  it("fails when a 202'd bet of a WebSocket wallet got no event", () => {
    const input = anAuditInput({ ws: { tracked: 3, missing: 1, missingSample: ['B2'] } });
    expect(failed(input)).toEqual(['ws_events_delivered']);
    expect(audit(input).checks.at(-1)!.detail).toContain('B2');
  });
});
