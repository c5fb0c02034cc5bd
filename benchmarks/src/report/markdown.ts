/**
 * Markdown rendering: one scenario's summary (`out/<run-id>/summary.md`) and RESULTS.md, which is
 * only ever rendered from recorded JSON results — never written by hand.
 */
import type { DaemonProfileSummary, ResultTable, ScenarioResult } from '../scenario.js';
import type { MachineInfo } from './machine.js';
import { profilesSideBySide } from './profile-tables.js';

export function renderTable(table: ResultTable, command?: string): string {
  const cellText = (cell: string | number | null) => String(cell ?? '—').replace(/\|/g, '\\|');
  const lines = [
    `### ${table.title}`,
    '',
    ...(command ? [`Command: \`${command}\``, ''] : []),
    `| ${table.columns.map(cellText).join(' | ')} |`,
    `| ${table.columns.map(() => '---').join(' | ')} |`,
    ...table.rows.map((row) => `| ${row.map(cellText).join(' | ')} |`),
  ];
  if (table.notes?.length) lines.push('', ...table.notes.map((note) => `- ${note}`));
  return lines.join('\n');
}

export function renderScenario(result: ScenarioResult, headingLevel = 2): string {
  const hashes = '#'.repeat(headingLevel);
  const parts = [
    `${hashes} ${result.title} (\`${result.scenario}\`) — ${result.ok ? 'ok' : 'FAILED'}`,
    '',
    result.description,
    '',
    `Command: \`${result.command}\` · run \`${result.runId}\` · ${result.startedAt} · ${result.elapsedS} s`,
  ];
  if (result.machineSpeed) {
    const { beforePerS, afterPerS } = result.machineSpeed;
    parts.push(
      '',
      `Machine speed check (one core hashing 1 KB blocks with SHA-256 for 1 s, machine otherwise quiet): ` +
        `${beforePerS.toLocaleString('en-US')}/s before the run, ${afterPerS.toLocaleString('en-US')}/s after — ` +
        'compare it between results: this host has slow periods that slow every process together.',
    );
  }
  if (result.failures.length) parts.push('', '**Failures:**', ...result.failures.map((f) => `- ${f}`));
  if (result.notes.length) parts.push('', ...result.notes.map((n) => `- ${n}`));
  for (const table of result.tables) parts.push('', renderTable(table, result.command));
  return parts.join('\n');
}

export function renderMachine(machine: MachineInfo): string {
  return (
    `${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGb} GB RAM, Linux ${machine.kernel}, ` +
    `Node ${machine.node}, Redis ${machine.redis}`
  );
}

/** SPEC §12 rows: headline key → what, floor, target, unit. */
const TARGETS: {
  key: string;
  what: string;
  floor: string;
  target: string;
  unit: string;
  scenario: string;
}[] = [
  {
    key: 'sustained_bets_per_s',
    what: 'sustained bet ingestion (open loop, p99 ≤ 100 ms)',
    floor: '3,000 bets/s',
    target: '≥ 20,000 bets/s',
    unit: 'bets/s',
    scenario: 'ingest-max',
  },
  {
    key: 'p99_202_ms_at_3000',
    what: 'time to 202, p99 at 3,000 bets/s offered',
    floor: '—',
    target: '≤ 5 ms',
    unit: 'ms',
    scenario: 'ingest-3k',
  },
  {
    key: 'p99_accepted_ms_at_3000',
    what: 'request → WebSocket accepted, p99 at 3,000 bets/s offered',
    floor: '≤ 100 ms',
    target: '≤ 25 ms',
    unit: 'ms',
    scenario: 'ingest-3k',
  },
  {
    key: 'harness_us_per_request',
    what: 'load generator CPU per request (the harness’s load thread; wrk beside it in the scenario)',
    floor: '—',
    target: '≤ 30 µs',
    unit: 'µs',
    scenario: 'generator-check',
  },
  {
    key: 'batcher_bets_per_s',
    what: 'bets applied by the batcher',
    floor: '—',
    target: '≥ 100,000 bets/s',
    unit: 'bets/s',
    scenario: 'batcher-apply',
  },
  {
    key: 'win_settlement_p99_ms',
    what: 'win settlement after the touching print, p99',
    floor: '—',
    target: '≤ 50 ms',
    unit: 'ms',
    scenario: 'resolver',
  },
  {
    key: 'loss_settlement_p99_ms',
    what: 'loss settlement after the window ends, p99',
    floor: '—',
    target: '≤ 1,000 ms',
    unit: 'ms',
    scenario: 'resolver',
  },
  {
    key: 'ws_clients_every_tick',
    what: 'concurrent WebSocket clients receiving every tick',
    floor: '—',
    target: '≥ 10,000',
    unit: 'clients',
    scenario: 'ws-fanout',
  },
  {
    key: 'web_frame_p95_ms',
    what: 'web client: frame time p95 at 10 prints/s, 50 open bets',
    floor: '—',
    target: '≤ 16.7 ms',
    unit: 'ms',
    scenario: 'web-client',
  },
];

/** A headline value with thousands separators and its unit; strings pass through. */
export function formatValue(value: number | string | null | undefined, unit: string): string {
  if (value === null || value === undefined) return 'not measured';
  if (typeof value === 'string') return value;
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toLocaleString('en-US', { maximumFractionDigits: digits })} ${unit}`;
}

/** The four admission designs next to each other: sustained rate and p99 at 3,000/s. */
function sideBySide(byName: Map<string, ScenarioResult>): string[] {
  const ours = byName.get('ingest-max')?.headline.sustained_bets_per_s;
  const share = shareOfOurs(byName.get('ingest-max'));
  const rows: [string, string, number | string | null | undefined, number | string | null | undefined][] = [
    [
      'ingest-max / ingest-3k',
      'our bet path (Lua admission + stream + batcher), whole stack',
      ours,
      byName.get('ingest-3k')?.headline.p99_202_ms_at_3000,
    ],
    [
      'ceiling-http',
      'bare uWS answering 202 (HTTP ceiling)',
      byName.get('ceiling-http')?.headline.sustained_per_s,
      byName.get('ceiling-http')?.headline.p99_ms_at_3000,
    ],
    [
      'ceiling-stream',
      'bare uWS + one XADD (stream ceiling)',
      byName.get('ceiling-stream')?.headline.sustained_per_s,
      byName.get('ceiling-stream')?.headline.p99_ms_at_3000,
    ],
    [
      'naive-sqlite',
      'one synchronous SQLite transaction per request (naive)',
      byName.get('naive-sqlite')?.headline.sustained_per_s,
      byName.get('naive-sqlite')?.headline.p99_ms_at_3000,
    ],
  ];
  const measured = rows.filter(([name]) => name.split(' / ').some((n) => byName.has(n)));
  if (measured.length === 0) return [];
  return [
    '## Side by side',
    '',
    '| scenario | design | highest sustained rate (p99 ≤ 100 ms) | time to 202 p99 at 3,000/s offered | share of our rate |',
    '| --- | --- | --- | --- | --- |',
    ...measured.map(
      ([name, design, rate, p99]) =>
        `| \`${name}\` | ${design} | ${formatValue(rate, '/s')} | ${formatValue(p99, 'ms')} | ${name.startsWith('ingest') ? '—' : share(rate)} |`,
    ),
  ];
}

/**
 * Our rate as a share of another design's: the confirmed sustained rate, or else the highest short
 * step that passed, said so.
 */
function shareOfOurs(ingestMax: ScenarioResult | undefined) {
  const confirmed = ingestMax?.headline.sustained_bets_per_s;
  const bestStep = ingestMax?.headline.best_step_bets_per_s;
  const [ours, label] =
    typeof confirmed === 'number'
      ? [confirmed, 'ours']
      : typeof bestStep === 'number'
        ? [bestStep, 'ours (best 8 s step, unconfirmed)']
        : [undefined, ''];
  return (rate: number | string | null | undefined) =>
    ours !== undefined && typeof rate === 'number' && rate > 0
      ? `${label} = ${Math.round((ours / rate) * 100)} % of this`
      : '—';
}

/**
 * What the profiles say, in words built from them: each daemon's busy share and its two largest
 * categories, busiest first. No fixed prose: a conclusion that does not come from the recorded
 * numbers would outlive them.
 */
export function profileReading(profiles: readonly DaemonProfileSummary[]): string {
  const byBusy = [...profiles].sort((a, b) => b.busyPct - a.busyPct);
  const daemons = byBusy.map((p) => {
    const top = p.categories
      .slice(0, 2)
      .map((c) => `${c.category} ${c.pct} %`)
      .join(', then ');
    return `\`${p.daemon}\` busy ${p.busyPct} % of the window (of that: ${top})`;
  });
  return `**Reading.** Busiest main thread first: ${daemons.join('; ')}.`;
}

/** RESULTS.md's "What limits the bet path": the recorded `profile` run's categories and top functions. */
export function whatLimits(result: ScenarioResult | undefined): string[] {
  const parts = ['## What limits the bet path', ''];
  const profiles = result?.profiles ?? [];
  if (!result || profiles.length === 0) {
    return [
      ...parts,
      'No `profile` run recorded yet: `pnpm --filter @tap/benchmarks bench run profile --record`.',
    ];
  }
  parts.push(
    `From the \`profile\` run \`${result.runId}\` (${result.startedAt}${result.ok ? '' : ', **FAILED**'}), ` +
      `\`${result.command}\`: the bet path at ${formatValue(result.headline.achieved_per_s, 'bets/s')} achieved ` +
      'with each daemon under `node --cpu-prof`, main threads over the measured window. Top functions per daemon, ' +
      'with the hottest line of each, are in the `profile` section below.',
    '',
    renderTable(profilesSideBySide(profiles)),
    '',
    profileReading(profiles),
    '',
    "Flame graphs: a `profile` run writes each daemon's window as `profiles/<daemon>.cpuprofile` in its run " +
      'directory; open it in speedscope (https://www.speedscope.app) or Chrome DevTools.',
  );
  return parts;
}

export function renderResults(
  results: readonly ScenarioResult[],
  generatedAt: string,
  command: string,
): string {
  const byName = new Map(results.map((r) => [r.scenario, r]));
  const machines = [...new Set(results.map((r) => renderMachine(r.machine)))];
  const parts = [
    '# Benchmark results',
    '',
    `Generated ${generatedAt} by \`${command}\` from the JSON results in \`benchmarks/results/\`. ` +
      'Every number below was measured by the harness; do not edit this file by hand — rerun the command.',
    '',
    `Machine: ${machines.join('; ') || 'no results yet'}. The load generator runs on the same machine as the stack.`,
    '',
    '## Headline (SPEC §12)',
    '',
    '| what | floor | target | measured | met | scenario |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const t of TARGETS) {
    const result = byName.get(t.scenario);
    const value = result?.headline[t.key];
    const met = result?.headline[`${t.key}_met`];
    parts.push(
      `| ${t.what} | ${t.floor} | ${t.target} | ${formatValue(value, t.unit)} | ${met === undefined || met === null ? '—' : met} | \`${t.scenario}\` |`,
    );
  }
  const table = sideBySide(byName);
  if (table.length) parts.push('', ...table);
  parts.push('', ...whatLimits(byName.get('profile')));
  const busy = results.filter(
    (r) => r.machineBusyPctBefore > 15 || r.notes.some((n) => n.startsWith('Other work')),
  );
  if (busy.length) {
    parts.push(
      '',
      `Runs started while other work kept the machine busy (pessimistic): ${busy.map((r) => `\`${r.scenario}\``).join(', ')}.`,
    );
  }
  const failed = results.filter((r) => !r.ok);
  if (failed.length)
    parts.push(
      '',
      `**Failed runs** (audit or checks): ${failed.map((r) => `\`${r.scenario}\``).join(', ')}.`,
    );
  for (const result of results) parts.push('', renderScenario(result, 2));
  return `${parts.join('\n')}\n`;
}
