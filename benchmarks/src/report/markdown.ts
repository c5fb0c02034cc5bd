/**
 * Markdown rendering: one scenario's summary (`out/<run-id>/summary.md`) and RESULTS.md, which is
 * only ever rendered from recorded JSON results — never written by hand.
 */
import type { DaemonProfileSummary, ResultTable, ScenarioResult } from '../scenario.js';
import type { MachineInfo } from './machine.js';
import { profilesSideBySide } from './profile-tables.js';

type Cell = string | number | null | undefined;

/** A Markdown table's lines, the one table format of RESULTS.md and CHAOS.md: a missing cell reads —. */
export function markdownTable(columns: readonly Cell[], rows: readonly (readonly Cell[])[]): string[] {
  const line = (cells: readonly Cell[]) =>
    `| ${cells.map((cell) => String(cell ?? '—').replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(columns), `| ${columns.map(() => '---').join(' | ')} |`, ...rows.map(line)];
}

export function renderTable(table: ResultTable, command?: string): string {
  const lines = [
    `### ${table.title}`,
    '',
    ...(command ? [`Command: \`${command}\``, ''] : []),
    ...markdownTable(table.columns, table.rows),
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

/** The head of a generated results file: its title, where it came from and the machines it ran on. */
export function documentHead(
  results: readonly ScenarioResult[],
  title: string,
  generated: string,
  machineNote: string,
): string[] {
  const machines = [...new Set(results.map((r) => renderMachine(r.machine)))];
  return [
    `# ${title}`,
    '',
    generated,
    '',
    `Machine: ${machines.join('; ') || 'no results yet'}. ${machineNote}`,
  ];
}

/**
 * SPEC §12 rows: headline key, what, floor, target (SPEC's "target now"; where that is a ratio to a
 * ceiling of the same run, the absolute moonshot, said so), unit, the scenario that measures it.
 */
const TARGETS: [string, string, string, string, string, string][] = [
  [
    'sustained_bets_per_s',
    'sustained bet ingestion (open loop, p99 ≤ 100 ms)',
    '3,000 bets/s',
    '≥ 20,000 bets/s (the moonshot; target now ≥ 40 % of the uWS + XADD ceiling: side by side below)',
    'bets/s',
    'ingest-max',
  ],
  ['p99_202_ms_at_3000', 'time to 202, p99 at 3,000 bets/s offered', '—', '≤ 10 ms', 'ms', 'ingest-3k'],
  [
    'p99_accepted_ms_at_3000',
    'request → WebSocket accepted, p99 at 3,000 bets/s offered',
    '≤ 100 ms',
    '≤ 50 ms',
    'ms',
    'ingest-3k',
  ],
  [
    'p99_fill_to_accepted_ms_at_3000',
    'with the informed-trader defence (next-tick entry): fill print → WebSocket accepted, p99 at 3,000 bets/s offered (the deliberate receipt → fill print delay reported beside it)',
    '≤ 100 ms',
    '≤ 50 ms',
    'ms',
    'ingest-3k-defended',
  ],
  [
    'harness_us_per_request',
    'load generator CPU per request (the harness’s load thread; wrk beside it in the scenario)',
    '—',
    '≤ 30 µs',
    'µs',
    'generator-check',
  ],
  [
    'batcher_bets_per_s',
    'bets applied by the batcher',
    '—',
    '≥ 100,000 bets/s (the moonshot; target now ≥ 80 % of the SQLite-only floor of the same run)',
    'bets/s',
    'batcher-apply',
  ],
  ['win_settlement_p99_ms', 'win settlement after the touching print, p99', '—', '≤ 50 ms', 'ms', 'resolver'],
  [
    'loss_settlement_p99_ms',
    'loss settlement after the window ends, p99',
    '—',
    '≤ 1,000 ms',
    'ms',
    'resolver',
  ],
  [
    'ws_clients_every_tick',
    'concurrent WebSocket clients receiving every tick',
    '—',
    '≥ 10,000',
    'clients',
    'ws-fanout',
  ],
  [
    'web_frame_p95_ms',
    'web client: frame time p95 at 10 prints/s, 50 open bets',
    '—',
    '≤ 16.7 ms',
    'ms',
    'web-client',
  ],
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
  const share = shareOfOurs(byName.get('ingest-max'));
  const designs = [
    ['ceiling-http', 'bare uWS answering 202 (HTTP ceiling)'],
    ['ceiling-stream', 'bare uWS + one XADD (stream ceiling)'],
    ['naive-sqlite', 'one synchronous SQLite transaction per request (naive)'],
  ];
  const headline = (name: string) => byName.get(name)?.headline ?? {};
  const rows = [
    [
      'ingest-max / ingest-3k',
      'our bet path (Lua admission + stream + batcher), whole stack',
      formatValue(headline('ingest-max').sustained_bets_per_s, '/s'),
      formatValue(headline('ingest-3k').p99_202_ms_at_3000, 'ms'),
      '—',
    ],
    ...designs.map(([name, design]) => {
      const { sustained_per_s: rate, p99_ms_at_3000: p99 } = headline(name!);
      return [name, design, formatValue(rate, '/s'), formatValue(p99, 'ms'), share(rate)];
    }),
  ].filter(([name]) => name!.split(' / ').some((n) => byName.has(n)));
  if (rows.length === 0) return [];
  const columns = [
    'scenario',
    'design',
    'highest sustained rate (p99 ≤ 100 ms)',
    'time to 202 p99 at 3,000/s offered',
    'share of our rate',
  ];
  return [
    '## Side by side',
    '',
    ...markdownTable(
      columns,
      rows.map(([name, ...rest]) => [`\`${name}\``, ...rest]),
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
  const headline = TARGETS.map(([key, what, floor, target, unit, scenario]) => {
    const measured = byName.get(scenario)?.headline;
    return [
      what,
      floor,
      target,
      formatValue(measured?.[key], unit),
      measured?.[`${key}_met`],
      `\`${scenario}\``,
    ];
  });
  const parts = [
    ...documentHead(
      results,
      'Benchmark results',
      `Generated ${generatedAt} by \`${command}\` from the JSON results in \`benchmarks/results/\`. ` +
        'Every number below was measured by the harness; do not edit this file by hand — rerun the command. ' +
        'Pricing calibration: `calibrate/CALIBRATION.md`; faults under load: `chaos/CHAOS.md`.',
      'The load generator runs on the same machine as the stack.',
    ),
    '',
    '## Headline (SPEC §12)',
    '',
    ...markdownTable(['what', 'floor', 'target', 'measured', 'met', 'scenario'], headline),
  ];
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
