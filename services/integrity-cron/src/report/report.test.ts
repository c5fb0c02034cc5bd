import { describe, expect, it } from 'vitest';
import { buildReport, runCheck } from './report.js';

const RUN = { startedAtMs: 0, finishedAtMs: 1_000, dataDir: '/d' };

describe('the integrity report', () => {
  it('passes only when every check ran and found nothing', async () => {
    const ok = await runCheck('segment', () => ({ problems: [], facts: { ledgerRows: 3 } }), '2026-W49');
    expect(ok).toEqual({
      check: 'segment',
      scope: '2026-W49',
      status: 'ok',
      problems: [],
      facts: { ledgerRows: 3 },
    });
    expect(buildReport([ok], RUN)).toMatchObject({ ok: true, summary: 'OK: 1 checks passed', version: 1 });
  });

  it('fails with a check that found a problem', async () => {
    const failed = await runCheck('bets_ledger', () => ({ problems: ['bet X has no stake'] }));
    expect(failed.status).toBe('failed');
    expect(buildReport([failed], RUN)).toMatchObject({
      ok: false,
      summary: 'FAILED: 1 of 1 checks failed, 0 not run, 1 problem(s)',
    });
  });

  it('records a check that threw as not_run with the reason, and fails the report', async () => {
    const notRun = await runCheck('redis_cache', async () => {
      throw new Error('connect ECONNREFUSED');
    });
    expect(notRun).toEqual({
      check: 'redis_cache',
      status: 'not_run',
      problems: ['connect ECONNREFUSED'],
      facts: {},
    });
    expect(buildReport([notRun], RUN).ok).toBe(false);
  });

  it('never passes a run that checked nothing', () => {
    expect(buildReport([], RUN).ok).toBe(false);
  });
});
