import { describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../scenario.js';
import { aDaemonProfile, aLoadRun } from '../testing/fixtures.js';
import { formatValue, renderResults, renderScenario, renderTable, whatLimits } from './markdown.js';
import { loadTable } from './tables.js';

const machine = {
  cores: 2,
  cpuModel: 'AMD EPYC',
  memoryGb: 8,
  kernel: '6.1',
  node: 'v20.19.0',
  redis: '7.0.15',
};

function aResult(overrides: Partial<ScenarioResult> = {}): ScenarioResult {
  return {
    scenario: 'ingest-max',
    title: 'Highest sustained bet rate',
    description: 'Steps until one fails.',
    command: 'pnpm --filter @tap/benchmarks bench run ingest-max',
    runId: 'r1',
    startedAt: '2026-01-01T00:00:00.000Z',
    elapsedS: 90,
    machine,
    machineBusyPctBefore: 1,
    ok: true,
    failures: [],
    notes: ['Market source: fake.'],
    tables: [],
    loadRuns: [],
    resources: [],
    audits: [],
    headline: { sustained_bets_per_s: 4_000, sustained_bets_per_s_met: 'floor only' },
    ...overrides,
  };
}

describe('markdown', () => {
  it('renders a table with its command and escapes pipes', () => {
    const text = renderTable({ title: 'T', columns: ['a', 'b'], rows: [['x|y', null]], notes: ['n'] }, 'cmd');
    expect(text).toBe('### T\n\nCommand: `cmd`\n\n| a | b |\n| --- | --- |\n| x\\|y | — |\n\n- n');
  });

  it('renders load runs with their errors by code', () => {
    const table = loadTable('Bets', [
      aLoadRun({ errorCount: 3, errors: { '409 quote_moved': 2, ECONNRESET: 1 } }),
    ]);
    expect(table.rows[0]!.slice(0, 5)).toEqual(['run', 3_000, 3_000, 30_000, 3]);
    expect(table.notes!.join('\n')).toContain('409 quote_moved × 2, ECONNRESET × 1');
  });

  it('formats headline values with separators and units, strings as they are', () => {
    expect(formatValue(20_000, 'bets/s')).toBe('20,000 bets/s');
    expect(formatValue(4.2517, 'ms')).toBe('4.25 ms');
    expect(formatValue(12.34, 'ms')).toBe('12.3 ms');
    expect(formatValue('below 1,000 bets/s', 'bets/s')).toBe('below 1,000 bets/s');
    expect(formatValue(null, 'ms')).toBe('not measured');
  });

  it('calls out failed runs and runs on a busy machine', () => {
    const text = renderResults([aResult({ ok: false, machineBusyPctBefore: 40 })], 'now', 'cmd');
    expect(text).toContain('**Failed runs** (audit or checks): `ingest-max`.');
    expect(text).toContain('other work kept the machine busy (pessimistic): `ingest-max`');
  });

  it('marks a failed scenario and lists why', () => {
    const text = renderScenario(aResult({ ok: false, failures: ['audit failed'] }));
    expect(text).toContain('— FAILED');
    expect(text).toContain('- audit failed');
  });

  it('shows the machine speed check around a run, and nothing for results recorded without one', () => {
    const text = renderScenario(aResult({ machineSpeed: { beforePerS: 350_000, afterPerS: 240_000 } }));
    expect(text).toContain('350,000/s before the run, 240,000/s after');
    expect(renderScenario(aResult())).not.toContain('Machine speed check');
  });

  it('renders RESULTS.md from results only: machine, headline, ratios, commands', () => {
    const results = [
      aResult(),
      aResult({ scenario: 'ceiling-http', title: 'HTTP ceiling', headline: { sustained_per_s: 16_000 } }),
    ];
    const text = renderResults(
      results,
      '2026-01-02T00:00:00.000Z',
      'pnpm --filter @tap/benchmarks bench all',
    );
    expect(text).toContain('Machine: 2 cores (AMD EPYC)');
    expect(text).toContain(
      '| sustained bet ingestion (open loop, p99 ≤ 100 ms) | 3,000 bets/s | ≥ 20,000 bets/s (the moonshot; target now ≥ 40 % of the uWS + XADD ceiling: side by side below) | 4,000 bets/s | floor only | `ingest-max` |',
    );
    expect(text).toContain(
      '| bets applied by the batcher | — | ≥ 100,000 bets/s (the moonshot; target now ≥ 80 % of the SQLite-only floor of the same run) | not measured |',
    );
    expect(text).toContain(
      '| `ceiling-http` | bare uWS answering 202 (HTTP ceiling) | 16,000 /s | not measured | ours = 25 % of this |',
    );
    expect(text).not.toContain('naive-sqlite');
    expect(text).toContain('Command: `pnpm --filter @tap/benchmarks bench run ingest-max`');
  });

  it('falls back on the best short step for the ratios when no confirmation held, and says so', () => {
    const unconfirmed = aResult({
      headline: { sustained_bets_per_s: 'not confirmed (…)', best_step_bets_per_s: 3_500 },
    });
    const ceiling = aResult({ scenario: 'ceiling-http', headline: { sustained_per_s: 20_000 } });
    expect(renderResults([unconfirmed, ceiling], 'now', 'cmd')).toContain(
      '| 20,000 /s | not measured | ours (best 8 s step, unconfirmed) = 18 % of this |',
    );
    const neither = aResult({ headline: { sustained_bets_per_s: 'below 1,000 bets/s (no step held)' } });
    expect(renderResults([neither, ceiling], 'now', 'cmd')).toContain('| 20,000 /s | not measured | — |');
  });

  it('says what limits the bet path from the recorded profile run: categories side by side, read from the data', () => {
    const profileRun = aResult({
      scenario: 'profile',
      runId: 'p1',
      command: 'pnpm --filter @tap/benchmarks bench run profile',
      headline: { achieved_per_s: 2_950 },
      profiles: [aDaemonProfile({ daemon: 'ingest-api', busyPct: 53 }), aDaemonProfile()],
    });
    const text = renderResults([aResult(), profileRun], 'now', 'cmd');
    expect(text.indexOf('## What limits the bet path')).toBeLessThan(text.indexOf('## Highest sustained'));
    expect(text).toContain('the bet path at 2,950 bets/s achieved');
    expect(text).toContain('| category | ingest-api | batcher |');
    expect(text).toContain('| main thread busy (% of the window) | 53 % | 43.5 % |');
    expect(text).toContain('| SQLite (better-sqlite3 native) | 49.5 % · 120.9 µs | 49.5 % · 120.9 µs |');
    expect(text).toContain(
      '**Reading.** Busiest main thread first: `ingest-api` busy 53 % of the window (of that: ' +
        'SQLite (better-sqlite3 native) 49.5 %, then garbage collector 9 %); `batcher` busy 43.5 %',
    );
    expect(text).toContain('profiles/<daemon>.cpuprofile');
  });

  it('asks for a profile run when none is recorded', () => {
    expect(whatLimits(undefined).join('\n')).toContain('No `profile` run recorded yet');
  });
});
