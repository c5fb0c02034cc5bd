/** Table rows every scenario uses for load runs, resources and audits (one format everywhere). */
import type { AuditReport } from '../audit/audit.js';
import type { LoadRunResult } from '../load/open-loop.js';
import type { ResultTable } from '../scenario.js';
import type { DelaySummary } from '../stack/next-tick-split.js';
import type { ResourceReport } from '../stack/resource-sampler.js';

export const LOAD_COLUMNS = [
  'run',
  'offered/s',
  'achieved/s',
  'ok',
  'errors',
  'p50 ms',
  'p90 ms',
  'p99 ms',
  'p99.9 ms',
  'max ms',
  'WS accepted p50 / p99 / max ms',
  'send lag p99 ms',
  'generator µs/req',
];

export function loadRow(run: LoadRunResult): (string | number | null)[] {
  const l = run.latency;
  const a = run.accepted;
  return [
    run.label,
    run.offeredPerS,
    run.achievedPerS,
    run.ok,
    run.errorCount,
    l.p50Ms,
    l.p90Ms,
    l.p99Ms,
    l.p999Ms,
    l.maxMs,
    a ? `${a.p50Ms} / ${a.p99Ms} / ${a.maxMs}` : '—',
    run.sendLag.p99Ms,
    run.generator ? run.generator.usPerRequest : '—',
  ];
}

export function loadTable(title: string, runs: readonly LoadRunResult[], notes: string[] = []): ResultTable {
  const errorNotes = runs
    .filter((run) => run.errorCount > 0)
    .map(
      (run) =>
        `${run.label} errors: ${formatCounts(run.errors)}; first bodies: ${Object.values(run.errorSamples).join(' ')}`,
    );
  const shape = runs[0]
    ? [
        `${runs[0].wallets} wallets, ${runs[0].wsWallets} with a WebSocket; ${runs[0].workers} load worker thread(s), ` +
          `${runs[0].connections} keep-alive connections (pipelining 1); ${runs[0].durationS} s per run, first ${runs[0].warmupS} s ` +
          "warm-up excluded. Latency is measured from each request's planned send time (open loop). " +
          "Generator µs/req: the load threads' own CPU (/proc/thread-self) per measured request, WebSocket threads excluded (SPEC §12: ≤ 30).",
      ]
    : [];
  return {
    title,
    columns: LOAD_COLUMNS,
    rows: runs.map(loadRow),
    notes: [...shape, ...notes, ...errorNotes],
  };
}

/** The two parts of a next-tick run read after it (stack/next-tick-split.ts). */
export interface NextTickSplit {
  /** Receipt → fill print of the accepted bets received in the measured window (the stored bets). */
  fillDelay: DelaySummary | null;
  /** Fill print `t` → its `tap:prices` id (price-ingest's publish), over the window's prints. */
  publishLag: DelaySummary | null;
}

/**
 * SPEC §12 with next-tick entry (docs/pricing.md "Informed traders"): request → 202, request →
 * `accepted` and fill print → `accepted` side by side, and the deliberate delay beside them.
 */
export function nextTickSplitTable(
  title: string,
  runs: readonly { result: LoadRunResult; split: NextTickSplit }[],
): ResultTable {
  const pair = (s: { p50Ms: number; p99Ms: number } | null | undefined) =>
    s ? `${s.p50Ms} / ${s.p99Ms}` : '—';
  const triple = (s: DelaySummary | null) => (s ? `${s.p50Ms} / ${s.p99Ms} / ${s.maxMs}` : '—');
  return {
    title,
    columns: [
      'run',
      'request → 202 p50 / p99 ms',
      'request → accepted p50 / p99 ms',
      'fill print → accepted p50 / p99 ms (target p99 ≤ 50)',
      'accepted events timed',
      'receipt → fill print (deliberate) p50 / p99 / max ms',
      'of which: print t → published p50 / p99 ms',
    ],
    rows: runs.map(({ result, split }) => [
      result.label,
      pair(result.latency),
      pair(result.accepted),
      pair(result.fillToAccepted),
      result.fillToAccepted?.count ?? 0,
      triple(split.fillDelay),
      pair(split.publishLag),
    ]),
    notes: [
      'With next-tick entry the bet waits on purpose for its fill print (BET_ENTRY_DELAY), so SPEC §12’s “request → accepted” target is timed from the fill print: ' +
        'fill print → accepted is each `accepted` event’s read time at the WebSocket client minus its `fillPrint.t` (the index time price-ingest stamps), ' +
        'over the WebSocket wallets’ measured bets (request → accepted also counts `rejected` events; this only `accepted` ones).',
      'Receipt → fill print is the deliberate delay, not held to the target: for every bet received in the measured window and accepted at its fill (voided since included), its fill print’s t ' +
        '(t0 − τ1 of its terms) minus its placedAt, from SQLite. Print t → published: each print’s `tap:prices` id (the XADD’s Redis time) minus its t; ' +
        'it is inside fill print → accepted.',
      'All clocks are this machine’s (the harness, the daemons and Redis share it).',
    ],
  };
}

/** CPU µs per request: a process's average CPU (100 % = one core) divided by the achieved rate. */
export function cpuMicrosPerRequest(cpuAvgPct: number, ratePerS: number | undefined): number | null {
  return ratePerS && ratePerS > 0 ? Math.round((cpuAvgPct / 100) * (1e6 / ratePerS)) : null;
}

/** `ratePerS` (the achieved rate) adds CPU µs per request: what each process spends on one request. */
export function resourceTable(
  title: string,
  report: ResourceReport,
  ratePerS?: number,
  unit = 'request',
): ResultTable {
  const perRequest = (pct: number) => cpuMicrosPerRequest(pct, ratePerS);
  const rows: (string | number | null)[][] = report.processes.map((p) => [
    p.name,
    p.cpuAvgPct,
    p.cpuMaxPct,
    perRequest(p.cpuAvgPct),
    p.rssMaxMb,
  ]);
  const ours = report.processes.reduce((sum, p) => sum + p.cpuAvgPct, 0);
  const { machine } = report;
  rows.push([
    `whole machine (${machine.cores} cores = ${machine.cores * 100} %)`,
    machine.cpuAvgPct,
    machine.cpuMaxPct,
    perRequest(machine.cpuAvgPct),
    null,
  ]);
  const notes = [
    'CPU: 100 % = one core (utime+stime from /proc/<pid>/stat, sampled every second, averaged over the measured window).',
    `The whole-machine row is /proc/stat: the ${Math.round(report.machine.cpuAvgPct - ours)} % it holds beyond the processes above is ` +
      'kernel work not charged to them (loopback networking in softirq) and any other process on the machine.',
  ];
  if (report.redis) {
    notes.push(
      `Redis used_memory max during the run ${report.redis.usedMemoryMaxMb} MB, used_memory_peak ` +
        `${report.redis.usedMemoryPeakMb} MB (since start, setup included), budget ${report.redis.budgetMb} MB.`,
    );
    const { afterFirstMinute: later, usedMemoryEndMb } = report.redis;
    if (later)
      notes.push(
        `Redis used_memory after the first minute: ${later.atMinuteMb} MB at 1:00, at most ${later.maxAfterMb} MB ` +
          `after it (${signedMb(later.maxAfterMb - later.atMinuteMb)}), ${usedMemoryEndMb} MB at the end.`,
      );
    const byMinute = report.redis.byMinuteMb ?? [];
    if (byMinute.length >= 2)
      notes.push(
        `Redis used_memory at each minute: ${byMinute.map((mb, i) => `${i + 1}:00 ${mb} MB`).join(', ')}.`,
      );
    const { stalls, aofDelayedFsyncs } = report.redis;
    notes.push(
      `Redis stalls over 20 ms since start (LATENCY LATEST, setup included): ${
        stalls.length ? stalls.map((s) => `${s.event} max ${s.maxMs} ms`).join(', ') : 'none'
      }; AOF writes that waited for an fsync during the run: ${aofDelayedFsyncs}.`,
    );
  }
  if (ratePerS) notes.push(`CPU µs per ${unit}: average CPU divided by the achieved ${ratePerS} ${unit}s/s.`);
  return {
    title,
    columns: ['process', 'CPU avg %', 'CPU max %', `CPU µs per ${unit}`, 'RSS max MB'],
    rows,
    notes,
  };
}

/**
 * Redis' own accounting (INFO commandstats) of the commands it ran while the load ran, per admitted
 * request. Inside a script the commands a script calls are counted under their own names too, so
 * the script rows include the rows of what they call; networking, RESP parsing and the AOF write
 * are in the process's CPU above, not here.
 */
export function redisCommandTable(
  title: string,
  report: ResourceReport,
  requests: number,
  top = 12,
): ResultTable {
  const total = report.redisCommands.reduce((sum, c) => sum + c.usec, 0);
  const per = (value: number) => (requests > 0 ? Math.round((value / requests) * 100) / 100 : null);
  return {
    title,
    columns: ['command', 'calls', 'calls per bet', 'µs per call', 'µs per bet', '% of command time'],
    rows: report.redisCommands
      .slice(0, top)
      .map((c) => [
        c.command,
        c.calls,
        per(c.calls),
        Math.round((c.usec / c.calls) * 100) / 100,
        per(c.usec),
        total > 0 ? Math.round((c.usec / total) * 1000) / 10 : null,
      ]),
    notes: [
      `INFO commandstats between the start and the end of the load (warm-up included), divided by its ${requests} 202'd bets. ` +
        'A script (evalsha) counts the commands it calls under their own names as well, so its row includes theirs; ' +
        'network I/O, RESP parsing and the AOF write are not command time (they are in the Redis CPU of the resource table).',
    ],
  };
}

/**
 * What a run left in Redis per admitted bet (used_memory at the end minus at the start): its
 * idempotency record, kept until its cell's t0 + 60 s, and its `tap:events` entry, kept until the
 * stream reaches EVENTS_MAXLEN — the rest of the bet path is trimmed as it goes. Also how long the
 * rest of the budget would last at `ratePerS` if Redis kept growing like that.
 */
export function redisGrowthNote(report: ResourceReport, requests: number, ratePerS: number): string | null {
  if (!report.redis || requests <= 0) return null;
  const { usedMemoryStartMb, usedMemoryEndMb, budgetMb } = report.redis;
  const bytesPerBet = Math.round(((usedMemoryEndMb - usedMemoryStartMb) * 1024 * 1024) / requests);
  if (bytesPerBet <= 0) return null;
  const minutesLeft = ((budgetMb - usedMemoryEndMb) * 1024 * 1024) / bytesPerBet / ratePerS / 60;
  return (
    `Redis used_memory went from ${usedMemoryStartMb} to ${usedMemoryEndMb} MB during the run: ${bytesPerBet} bytes per 202'd bet ` +
    "(its idempotency record, kept until its cell's t0 + 60 s, and its tap:events entry, kept until the stream holds EVENTS_MAXLEN). " +
    `Growing like that at ${ratePerS} bets/s, the rest of the ${budgetMb} MB budget would last ${minutesLeft.toFixed(1)} more minutes.`
  );
}

export function auditTable(title: string, report: AuditReport): ResultTable {
  return {
    title: `${title}: ${report.ok ? 'PASSED' : 'FAILED'}`,
    columns: ['check', 'result', 'detail'],
    rows: report.checks.map((c) => [c.name, c.ok ? 'ok' : 'FAILED', c.detail]),
  };
}

export function formatCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([code, n]) => `${code} × ${n}`)
    .join(', ');
}

function signedMb(mb: number): string {
  return `${mb >= 0 ? '+' : '−'}${Math.abs(Math.round(mb * 10) / 10)} MB`;
}
