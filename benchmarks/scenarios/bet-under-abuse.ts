/**
 * bet-under-abuse (issue 16): does abuse of the public edges move other traders' bet latency? The
 * bet path at a steady open-loop rate on one stack, and inside each bet run the conditions
 * alternate every few seconds (stats/interleaved.ts, a paired design):
 *   baseline, history, baseline, hostile resumes, baseline, history, …
 *   - baseline: bets alone;
 *   - history: bets while GET /v1/index/history (unauthenticated) is hammered at 50 queries/s,
 *     open loop, through nginx as every public client comes: each query a different 10-second grid
 *     page of the last 55 minutes, in a random order (the cache's worst case; ws-clients/abuse-blocks.ts);
 *   - hostile resumes: bets while 100 hostile WebSocket clients with free sessions resume over and
 *     over (ws-clients/hostile-resumers.ts), ignoring backoff.
 * Why interleaved: the earlier design ran each condition as its own 25 s run, and compared a run's
 * p99 with a baseline run minutes earlier; the host's own drift between those minutes (baselines
 * alone spread 8.8–13 ms) was as large as the effects measured. Now every condition's seconds sit
 * between baseline seconds of the same minute, and each condition's p99 comes from the pool of all
 * its blocks (tens of thousands of bets, not 10,000 a run), so the ratio and Δ compare like with
 * like. Each block's first second is left out (the previous condition's tail, the side load's start).
 * Reported: bet p99 to 202 (and to the WebSocket `accepted`) per condition over the pooled blocks,
 * its ratio to — and difference from — the pooled baseline, each round's Δ for the spread, and
 * ingest-api's own event-loop delay per block. The issue's targets: history moves the bet p99 by
 * < 1 ms, hostile resumes "do not move it" (read here as ≤ 10 %). The bets and the hostile sockets
 * go straight to the daemons (the daemons' own isolation); the history flood through nginx
 * (nginx/tap.conf), which in production answers every public query and caches the grid pages —
 * with its per-address limits lifted, as for an attacker with many addresses (nginx's 5 history
 * queries/s and 5 upgrades/s per address would cut a single one further).
 * The attacker's client side (the history flood and the hostile sockets) runs in a process of its
 * own under SCHED_IDLE (`chrt --idle 0`; `nice -n 19` where refused — ws-clients/attacker.ts).
 * Why: a real attacker's clients run on other machines; here they share the stack's two cores. At
 * nice 19 on the harness's main thread (the design before) they took ~32 % of a core in the hostile
 * blocks of the quiet-host run and still held cores the stack's threads then waited for (the ws-
 * gateway and ingest-api main threads' run-queue wait rose 3.6 → 10.3 % and 9.8 → 13.2 %), so part
 * of the ×1.19 measured was the attacker's own client, not the server answering it. SCHED_IDLE
 * threads run only on a core no normal thread wants and yield at once to a waking one. What the
 * daemons spend answering the attack is untouched by this and stays in every table: per condition
 * the CPU of each daemon, Redis, the harness and — apart — the attacker's process, the run-queue
 * wait of the bet path's main threads and of ingest-api's reader thread, Redis's commands; per
 * attack unit (a page, a resume attempt) the server side's extra CPU (each daemon, the reader
 * thread, the stack total) beside the attacker's own. Timing targets are reported, not enforced
 * (the machine is shared); the audit is.
 *
 * The file reads as the experiment: `planOf` (size, rounds, blocks), `measure` (one stack; per
 * round one bet run with its blocks driven beside it; the audit) and `report` (pure).
 */
import { readFileSync } from 'node:fs';
import { startNginx } from '@tap/testkit/standalone';
import type { AuditReport } from '../src/audit/audit.js';
import { benchLimits, openBetStack } from '../src/bet-stack.js';
import type { LoadRunResult } from '../src/load/open-loop.js';
import { attackCostTable } from '../src/report/attack-costs.js';
import { conditionCostTable } from '../src/report/condition-costs.js';
import { auditTable, loadTable } from '../src/report/tables.js';
import {
  emptyOutcome,
  fail,
  type ResultTable,
  type Scenario,
  type ScenarioContext,
  type ScenarioOptions,
  type ScenarioOutcome,
} from '../src/scenario.js';
import { blockHistogram, blockSchedule, pooled, scheduleSeconds } from '../src/stats/interleaved.js';
import { medianOf } from '../src/stats/median.js';
import {
  type AbuseCondition,
  type BlockSide,
  driveBlocks,
  HISTORY_PER_S,
  HOSTILE_CLIENTS,
  HOSTILE_PAUSE_MS,
} from '../src/ws-clients/abuse-blocks.js';
import { startAttacker } from '../src/ws-clients/attacker.js';
import { createSessions } from '../src/ws-clients/sessions.js';

const CONDITIONS = ['baseline', 'history', 'hostile resumes'] as const satisfies readonly AbuseCondition[];
/**
 * A baseline p99 above this says the host itself is saturated (the SPEC's target at 3,000 bets/s is
 * 10 ms; this runs 500/s): no 1 ms difference can be read off such a run, so no verdict is given.
 */
const SATURATED_BASELINE_P99_MS = 50;
/** One cycle of blocks: every attack sits between two baselines. */
const SEQUENCE: readonly AbuseCondition[] = ['baseline', 'history', 'baseline', 'hostile resumes'];
export type Condition = AbuseCondition;

export interface Plan {
  wallets: number;
  ratePerS: number;
  rounds: number;
  /** Cycles of SEQUENCE a round. */
  repeats: number;
  warmupS: number;
  blockS: number;
  /** Left out at the start of every block. */
  settleS: number;
}

/** One block of one round: its bets' latency (encoded histograms) and what ran and was measured beside. */
export interface BlockResult extends BlockSide {
  round: number;
  index: number;
  condition: Condition;
  /** Encoded histograms over the block's measured seconds: planned send → 202, → WebSocket event. */
  latency: string;
  accepted: string;
  /** How late the bet generator sent those seconds' bets (its own starvation, apart from the stack's). */
  sendLag: string;
}

export interface Measured {
  /** The bet stack's notes (market source, limits). */
  notes: string[];
  /** One bet run a round. */
  runs: LoadRunResult[];
  blocks: BlockResult[];
  /** Over every bet of every run. */
  audit: AuditReport;
}

export const betUnderAbuse: Scenario = {
  name: 'bet-under-abuse',
  title: 'Bet latency under history floods and hostile WebSocket resumes',
  description:
    'The bet path at a steady open-loop rate on one stack; inside each bet run the conditions alternate in blocks of a few ' +
    `seconds — bets alone, bets while GET /v1/index/history is hammered at ${HISTORY_PER_S}/s, bets alone, bets while ` +
    `${HOSTILE_CLIENTS} hostile WebSocket clients with free sessions resume over and over (${HOSTILE_PAUSE_MS} ms between ` +
    'attempts, no backoff) — the history through nginx (a different grid page each query), the rest straight to the daemons. Bet p99 per condition over its pooled blocks, as a ratio to and ' +
    'difference from the pooled baseline blocks of the same runs; then the audit.',
  async run(ctx) {
    const plan = planOf(ctx.options);
    return report(await measure(ctx, plan), plan);
  },
};

export function planOf(options: ScenarioOptions): Plan {
  const quick = options.quick === true;
  return {
    wallets: quick ? 100 : 500,
    ratePerS: quick ? 200 : 500,
    rounds: quick ? 1 : 3,
    repeats: quick ? 2 : 3,
    warmupS: quick ? 3 : 5,
    blockS: quick ? 4 : 5,
    settleS: 1,
  };
}

/** One stack; every round one bet run with its blocks driven beside it; then one audit over every bet. */
async function measure(ctx: ScenarioContext, plan: Plan): Promise<Measured> {
  const { wallets, ratePerS } = plan;
  const blocks = blockSchedule({ sequence: SEQUENCE, ...plan });
  const profile = { ratePerS, durationMs: scheduleSeconds(blocks) * 1000, warmupMs: plan.warmupS * 1000 };
  const bets = await openBetStack(ctx, { wallets, fundMicros: 1_000_000_000, limits: benchLimits() });
  // The production edge in front, for the history flood. Its per-IP limits are lifted: the harness
  // is one address standing for an attacker with many (nginx's own 5 queries/s per address would
  // otherwise answer most of the flood 429 and measure the limiter).
  const nginx = await startNginx({
    apiPort: Number(new URL(bets.stack.apiUrl).port),
    wsPort: Number(new URL(bets.stack.wsUrl).port),
    ratePerS: 1_000_000,
    historyRatePerS: 1_000_000,
  });
  const attacker = await startAttacker();
  try {
    const targets = {
      stack: bets.stack,
      historyUrl: nginx.url,
      nginxWorkerPid: nginxWorker(nginx.pid),
      sessions: bets.sessions,
      hostileTokens: await createSessions(bets.stack, HOSTILE_CLIENTS),
      attacker,
    };
    const attackerNote = attacker.describe(bets.stack.pids()['ingest-api'] ?? process.pid);
    ctx.log(attackerNote);
    const runs = [];
    const results: BlockResult[] = [];
    for (let round = 1; round <= plan.rounds; round += 1) {
      ctx.log(`round ${round}: ${ratePerS} bets/s, ${blocks.length} blocks of ${plan.blockS} s`);
      let sides: Promise<BlockSide[]> | undefined;
      const { run } = await bets.load(`round #${round}`, profile, {
        wsWallets: wallets,
        workers: 1,
        connections: 32,
        onReady: (startEpochMs) => {
          sides = driveBlocks(targets, blocks, startEpochMs);
          sides.catch(() => undefined); // awaited below, after the run: not an unhandled rejection meanwhile
        },
      });
      if (!sides) throw new Error('the bet run never started its schedule');
      const measuredSides = await sides;
      runs.push(run);
      for (const block of blocks) {
        const side = measuredSides[block.index] as BlockSide;
        results.push({
          round,
          index: block.index,
          condition: block.condition,
          latency: blockHistogram(run.seconds.latency, block),
          accepted: blockHistogram(run.seconds.accepted, block),
          sendLag: blockHistogram(run.seconds.sendLag, block),
          ...side,
        });
      }
    }
    return {
      notes: [...bets.notes, attackerNote],
      runs: runs.map((r) => r.result),
      blocks: results,
      audit: await bets.audit(runs),
    };
  } finally {
    await attacker.close();
    await nginx.stop();
    await bets.close();
  }
}

/** nginx's one worker process (worker_processes 1): the child of its master. */
function nginxWorker(masterPid: number): number {
  const children = readFileSync(`/proc/${masterPid}/task/${masterPid}/children`, 'utf8').trim().split(/\s+/);
  const worker = Number(children[0]);
  if (!Number.isInteger(worker) || worker <= 0) throw new Error(`nginx ${masterPid} has no worker process`);
  return worker;
}

/** The tables, checks and headline from the measured blocks (pure). */
export function report(measured: Measured, plan: Plan): ScenarioOutcome {
  const outcome = emptyOutcome();
  const { runs, blocks, audit } = measured;
  outcome.notes.push(...measured.notes);
  outcome.loadRuns.push(...runs);
  outcome.audits.push({ label: 'bet-under-abuse', report: audit });
  if (!audit.ok) fail(outcome, 'audit failed');
  const summary = summarize(blocks);
  outcome.tables.push(
    summaryTable(summary, plan),
    loadTable(
      `Every bet run (${plan.ratePerS} bets/s, ${plan.wallets} wallets; all its blocks)`,
      runs,
      roundNotes(blocks),
    ),
    ...conditionCostTable(
      CONDITIONS,
      blocks.map((b) => ({
        condition: b.condition,
        sent: pooled([b.latency])?.count ?? 0,
        resources: b.resources,
        threads: b.threads,
      })),
      'blocks',
    ),
    attackCostTable(
      [
        { condition: 'history', unit: 'page' },
        { condition: 'hostile resumes', unit: 'resume attempt' },
      ],
      blocks.map((b) => ({ ...b, attackPerS: b.history?.achievedPerS ?? b.hostile?.attemptsPerS })),
    ),
    auditTable('Audit (every bet of every run)', audit),
  );
  const of = (condition: Condition) => summary.find((s) => s.condition === condition);
  const hostileReports = blocks.flatMap((b) => (b.hostile ? [b.hostile] : []));
  outcome.headline = {
    baseline_p99_ms: of('baseline')?.p99Ms ?? null,
    history_p99_delta_ms: of('history')?.deltaMs ?? null,
    history_p99_ratio: of('history')?.ratio ?? null,
    hostile_p99_ratio: of('hostile resumes')?.ratio ?? null,
    hostile_resumes_per_s: hostileReports.length
      ? Math.round(medianOf(hostileReports.map((r) => r.attemptsPerS)))
      : null,
  };
  return outcome;
}

/** Per round: the side loads its blocks ran (achieved rates, outcomes). */
function roundNotes(blocks: readonly BlockResult[]): string[] {
  const rounds = [...new Set(blocks.map((b) => b.round))];
  return rounds.flatMap((round) => {
    const mine = blocks.filter((b) => b.round === round);
    const floods = mine.flatMap((b) => (b.history ? [b.history] : []));
    const hostile = mine.flatMap((b) => (b.hostile ? [b.hostile] : []));
    const notes: string[] = [];
    if (floods.length) {
      const sent = floods.reduce((n, f) => n + f.sent, 0);
      const ok = floods.reduce((n, f) => n + f.ok, 0);
      notes.push(
        `round #${round} history blocks: ${ok} of ${sent} pages answered 200 (offered ${HISTORY_PER_S}/s), ` +
          `page p99 ${medianOf(floods.map((f) => f.latency.p99Ms))} ms (median over blocks)`,
      );
    }
    if (hostile.length) {
      const counts: Record<string, number> = {};
      for (const h of hostile)
        for (const [k, v] of Object.entries(h.outcomes)) counts[k] = (counts[k] ?? 0) + v;
      const attempts = hostile.reduce((n, h) => n + h.attempts, 0);
      notes.push(
        `round #${round} hostile blocks: ${attempts} resumes (${Math.round(medianOf(hostile.map((h) => h.attemptsPerS)))}/s ` +
          `while on): ${formatCounts(counts)}`,
      );
    }
    return notes;
  });
}

export interface ConditionSummary {
  condition: Condition;
  bets: number;
  p99Ms: number;
  acceptedP99Ms: number | null;
  sendLagP99Ms: number | null;
  loopP99Ms: number;
  loopMaxMs: number;
  /** Pooled p99 over the pooled baseline's (same runs, interleaved). */
  ratio: number | null;
  deltaMs: number | null;
  /** Each round's own Δ (its blocks against its baseline blocks), for the spread. */
  roundDeltasMs: number[];
}

export function summarize(blocks: readonly BlockResult[]): ConditionSummary[] {
  const p99 = (list: readonly BlockResult[]) => pooled(list.map((b) => b.latency))?.p99Ms ?? Number.NaN;
  const baseline = blocks.filter((b) => b.condition === 'baseline');
  const rounds = [...new Set(blocks.map((b) => b.round))];
  return CONDITIONS.map((condition) => {
    const mine = blocks.filter((b) => b.condition === condition);
    const latency = pooled(mine.map((b) => b.latency));
    const p99Ms = latency?.p99Ms ?? Number.NaN;
    const isBase = condition === 'baseline';
    const base = p99(baseline);
    return {
      condition,
      bets: latency?.count ?? 0,
      p99Ms,
      acceptedP99Ms: pooled(mine.map((b) => b.accepted))?.p99Ms ?? null,
      sendLagP99Ms: pooled(mine.map((b) => b.sendLag))?.p99Ms ?? null,
      loopP99Ms: round2(medianOf(mine.map((b) => b.loopDelay.p99Ms))),
      loopMaxMs: round2(medianOf(mine.map((b) => b.loopDelay.maxMs))),
      ratio: isBase ? null : round2(p99Ms / base),
      deltaMs: isBase ? null : round2(p99Ms - base),
      roundDeltasMs: isBase
        ? []
        : rounds.map((round) =>
            round2(
              p99(mine.filter((b) => b.round === round)) - p99(baseline.filter((b) => b.round === round)),
            ),
          ),
    };
  });
}

function summaryTable(summary: ConditionSummary[], plan: Plan): ResultTable {
  const target = { baseline: '—', history: 'Δ < 1 ms', 'hostile resumes': 'ratio ≤ 1.10' } as const;
  const baseline = summary.find((s) => s.condition === 'baseline');
  const met = (s: ConditionSummary) => {
    if (s.condition === 'baseline' || s.ratio === null || s.deltaMs === null) return '—';
    if (!baseline || !(baseline.p99Ms <= SATURATED_BASELINE_P99_MS))
      return `inconclusive (host saturated: baseline p99 > ${SATURATED_BASELINE_P99_MS} ms)`;
    // Far faster than the baseline it is interleaved with: noise larger than any effect sought.
    if (s.ratio < 0.9) return 'inconclusive (faster than its baseline by > 10 %: noise)';
    if (s.condition === 'history') return s.deltaMs < 1 ? 'yes' : 'no';
    return s.ratio <= 1.1 ? 'yes' : 'no';
  };
  const cycle = SEQUENCE.join(', ');
  return {
    title: `Bet p99 to 202 by condition (interleaved blocks of ${plan.blockS} s, pooled over ${plan.rounds} round${plan.rounds === 1 ? '' : 's'})`,
    columns: [
      'condition',
      'bets measured',
      'p99 to 202 ms',
      'p99 to accepted ms',
      'ratio to baseline',
      'Δ p99 ms',
      'Δ p99 per round ms',
      'target',
      'met',
      'ingest-api event-loop delay p99 / max ms',
      'generator send lag p99 ms',
    ],
    rows: summary.map((s) => [
      s.condition,
      s.bets,
      s.p99Ms,
      s.acceptedP99Ms,
      s.ratio,
      s.deltaMs,
      s.roundDeltasMs.length ? s.roundDeltasMs.join(' / ') : '—',
      target[s.condition],
      met(s),
      `${s.loopP99Ms} / ${s.loopMaxMs}`,
      s.sendLagP99Ms,
    ]),
    notes: [
      `Paired by interleaving: each round is one bet run whose ${plan.blockS} s blocks cycle ${cycle} ` +
        `(${plan.repeats} cycles after ${plan.warmupS} s of warm-up); each block's first ${plan.settleS} s is left out. A ` +
        "condition's p99 is over all its blocks' bets pooled, the ratio and Δ against the pooled baseline blocks of the " +
        'same runs — the host’s drift falls on both alike. Δ per round: the same within each round, for the spread. ' +
        `No verdict when the baseline p99 exceeds ${SATURATED_BASELINE_P99_MS} ms (the host itself saturated) or a condition ` +
        'reads more than 10 % faster than its baseline (noise).',
      "The attacker's client side (the history flood's load thread, the hostile sockets) is a process of its own at idle " +
        'priority (SCHED_IDLE, see the notes above for what the kernel reported), so it takes only CPU the stack and the bet ' +
        'generator leave idle, as an attacker on another machine would; the daemons answer it at their own priority, and ' +
        'what that costs them is in the CPU tables below (per condition, and per page / resume attempt, apart from the ' +
        "attacker's own CPU). The achieved attack rates are in the notes of every run.",
      'What SCHED_IDLE cannot take off the stack’s cores: the kernel’s loopback work (a packet is received in its ' +
        'sender’s context, so the attacker pays for the daemons’ receive path and the daemons for the attacker’s), and ' +
        'cache and memory bandwidth. An off-host attacker costs the daemons their own receive path instead; the two ' +
        'roughly cancel.',
      'Event-loop delay: ingest-api’s own main thread over each block’s measured seconds (prom-client’s ' +
        'monitorEventLoopDelay, reset by a /metrics scrape, read at the block’s end; it samples every 10 ms, so an idle ' +
        'loop reads ~10 ms), the median over blocks. Unlike the p99s, the generator’s own starvation does not inflate it.',
      'Generator send lag: how late the bet generator sent the condition’s bets, pooled (already inside the p99s). A ' +
        'condition that raises it is delaying the generator — the attacker shares the host — not (only) the stack.',
    ],
  };
}

const round2 = (value: number) => Math.round(value * 100) / 100;
/** "count × outcome", most frequent first (the recorded results read this way; tables.ts's formatCounts is "code × count"). */
const formatCounts = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${v} × ${k}`)
    .join(', ');
