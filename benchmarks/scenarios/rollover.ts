/**
 * rollover: the weekly segment roll-over under load (SPEC §8, §12; issue 13). The batcher holds
 * 100,000 funded wallets and 50,000 open bets; it is restarted with its roll-over clock shifted to
 * just before Monday 00:00 UTC (BATCHER_TEST_CLOCK_OFFSET_MS), and bets flow at 1,000/s through
 * admission's Redis effects (reserve, exposure, XADD — what ingest-api's Lua script does) across the
 * boundary until the roll-over has completed. Reported per round: the roll-over's pause (cut →
 * switch: what batches wait for), its slowest slice between batches and its whole duration (cut →
 * old segment closed), from the batcher's `rollover.started` / `rollover.done` log lines; the
 * admission → accepted delay of every bet (its tap:bets id time to its `accepted` event's tap:events
 * id time, both Redis clocks) admitted before the roll-over, during it (5 s before the cut to 5 s
 * after the old segment closed) and after; and the audit (the closed segment and the link:
 * opening = closing, the hash chain). The extra wait is max(during) − max(before). The full run is
 * three rounds on fresh stacks and the median round (by the extra wait) is the result (SPEC §12);
 * `--quick` is one round at a tenth of the size.
 * Goal: no bet waits more than 1 s longer because of a roll-over (moonshot 100 ms).
 *
 * The file reads as the experiment: `planOf` (the size and rounds), `measure` (a fresh stack per
 * round: fund, open bets, restart the batcher before the boundary, flow, collect the delays, audit)
 * and `report` (pure: the delays split around the roll-over, the tables, checks and headline).
 */

import { join } from 'node:path';
import { isoWeekScheme, listSegments } from '@tap/domain';
import type { AuditReport } from '../src/audit/audit.js';
import { auditRun, waitForBatcherDrain } from '../src/audit/collect.js';
import { NO_RESOLVER_BATCHER_ENV } from '../src/bet-stack.js';
import {
  acceptedDelays,
  admitMany,
  flow,
  RATE_PER_S,
  type RolloverDone,
  rolloverDone,
} from '../src/load/rollover-flow.js';
import { fundWallets } from '../src/load/wallets.js';
import { auditTable } from '../src/report/tables.js';
import {
  emptyOutcome,
  fail,
  type Scenario,
  type ScenarioContext,
  type ScenarioOptions,
  type ScenarioOutcome,
} from '../src/scenario.js';
import { syntheticSessions } from '../src/server-search.js';
import { startStack } from '../src/stack/stack.js';
import { medianBy } from '../src/stats/median.js';
import { percentile } from '../src/stats/percentile.js';

const FULL = { users: 100_000, openBets: 50_000, leadS: 75, afterS: 20, rounds: 3 };
const QUICK = { users: 10_000, openBets: 5_000, leadS: 15, afterS: 8, rounds: 1 };
export type Plan = typeof FULL;
const AROUND_MS = 5_000;
/** The flow stops this long after the planned roll-over at the latest (the round then fails). */
const FLOW_MAX_MS = 300_000;
const RESTART_TIMEOUT_MS = 120_000;

/** One round as measured: the roll-over the batcher logged and every flowed bet's delay. */
export interface Round {
  label: string;
  segments: string[];
  rolled: RolloverDone | undefined;
  /** When the roll-over was due (the stand-in for its cut and end when none was logged). */
  rolloverAtMs: number;
  flowed: number;
  /** Admission → accepted of every flowed bet that got its accepted event. */
  delays: { admittedAtMs: number; ms: number }[];
  /** Whether the batcher drained the open bets, then the flow, in time. */
  openApplied: boolean;
  flowApplied: boolean;
  audit: AuditReport;
}

export const rollover: Scenario = {
  name: 'rollover',
  title: 'Segment roll-over under load',
  description:
    `${FULL.users.toLocaleString('en-US')} funded wallets and ${FULL.openBets.toLocaleString('en-US')} open bets; the ` +
    'batcher is restarted with its roll-over clock just before Monday 00:00 UTC while bets flow at 1,000/s through ' +
    "admission's Redis effects; the roll-over's pause, slices and duration, the admission → accepted delay during it " +
    'against before it, and the audit (closed segment and roll-over link included); 3 rounds on fresh stacks, the ' +
    'median reported. Goal: no bet waits > 1 s longer because of it.',
  async run(ctx) {
    return report(await measure(ctx, planOf(ctx.options)));
  },
};

export function planOf(options: ScenarioOptions): Plan {
  return options.quick ? QUICK : FULL;
}

async function measure(ctx: ScenarioContext, plan: Plan): Promise<Round[]> {
  const rounds: Round[] = [];
  for (let i = 1; i <= plan.rounds; i += 1) rounds.push(await measureRound(ctx, plan, `#${i}`));
  return rounds;
}

/** A round's bets by when they were admitted: before, during and after the roll-over. */
export function phasesOf(round: Round) {
  // Before: admitted more than 5 s before the cut. During: from then until 5 s after it is done.
  const cutAtMs = round.rolled?.startedAtMs ?? round.rolloverAtMs;
  const doneAtMs = round.rolled?.doneAtMs ?? round.rolloverAtMs;
  const { delays } = round;
  const before = delays.filter((d) => d.admittedAtMs < cutAtMs - AROUND_MS).map((d) => d.ms);
  const around = delays
    .filter((d) => d.admittedAtMs >= cutAtMs - AROUND_MS && d.admittedAtMs <= doneAtMs + AROUND_MS)
    .map((d) => d.ms);
  const rest = delays.filter((d) => d.admittedAtMs > doneAtMs + AROUND_MS).map((d) => d.ms);
  return { before, around, rest, extraMs: Math.max(0, max(around) - max(before)) };
}

/** The tables, checks and headline from the measured rounds (pure). */
export function report(measured: readonly Round[]): ScenarioOutcome {
  const outcome = emptyOutcome();
  const rounds = measured.map((r) => ({ ...r, ...phasesOf(r) }));
  for (const r of rounds) {
    const { label } = r;
    outcome.audits.push({ label: `rollover ${label}`, report: r.audit });
    if (!r.openApplied) fail(outcome, `${label}: open bets not applied`);
    if (!r.flowApplied) fail(outcome, `${label}: the flow was not applied`);
    if (!r.audit.ok) fail(outcome, `${label}: audit failed`);
    if (!r.rolled || r.segments.length < 2) fail(outcome, `${label}: no roll-over completed`);
    if (r.delays.length < r.flowed)
      fail(outcome, `${label}: ${r.flowed - r.delays.length} bets without an accepted event`);
  }
  const median = medianBy(rounds, (r) => r.extraMs);
  outcome.tables.push(
    {
      title: `Roll-over under ${RATE_PER_S.toLocaleString('en-US')} bets/s`,
      columns: [
        'round',
        'users carried',
        'open bets carried',
        'pause ms',
        'slowest slice ms',
        'roll-over ms',
        'bets flowed',
      ],
      rows: rounds.map((r) => [
        r.label + (r === median && rounds.length > 1 ? ' (median)' : ''),
        r.rolled?.users ?? null,
        r.rolled?.carriedBets ?? null,
        r.rolled?.pauseMs ?? null,
        r.rolled ? `${r.rolled.slowestSliceMs} (${r.rolled.slowestSliceStep})` : null,
        r.rolled?.durationMs ?? null,
        r.flowed,
      ]),
      notes: [
        'pause: the cut of the old segment, the new segment file (schema and opening record) and the switch — ' +
          'batches wait for this only. Then users and open bets are carried into the new segment on touch inside ' +
          'batches and in slices between batches (slowest slice: the longest a batch waited for one), the closing ' +
          'record is written and checked, and the old segment is closed (roll-over ms: cut → closed). From the ' +
          'batcher log (`rollover.switched`, `rollover.done`).',
        `segments: ${rounds.map((r) => r.segments.join(' → ')).join('; ')}`,
      ],
    },
    {
      title: 'Admission → accepted delay (ms; bet tap:bets id time to its accepted event id time)',
      columns: ['round', 'bets', 'p50', 'p99', 'max', 'extra wait (max during − max before)'],
      rows: rounds.flatMap((r) => [
        [
          r.label,
          `before: > 5 s before the cut (${r.before.length})`,
          percentile(r.before, 50),
          percentile(r.before, 99),
          max(r.before),
          null,
        ],
        [
          r.label,
          `during: 5 s before the cut to 5 s after closed (${r.around.length})`,
          percentile(r.around, 50),
          percentile(r.around, 99),
          max(r.around),
          r.extraMs,
        ],
        [
          r.label,
          `after (${r.rest.length})`,
          percentile(r.rest, 50),
          percentile(r.rest, 99),
          max(r.rest),
          null,
        ],
      ]),
      notes: [
        `extra wait caused by the roll-over, median of ${rounds.length} round(s): ${median.extraMs} ms; goal ≤ 1,000 ms, moonshot ≤ 100 ms.`,
      ],
    },
    ...rounds.map((r) => auditTable(`Audit (${r.label})`, r.audit)),
  );
  outcome.headline = {
    rollover_pause_ms: median.rolled?.pauseMs ?? null,
    rollover_ms: median.rolled?.durationMs ?? null,
    rollover_extra_wait_ms: median.extraMs,
    rollover_extra_wait_met: median.extraMs <= 1_000 ? 'yes' : 'no',
  };
  return outcome;
}

async function measureRound(ctx: ScenarioContext, plan: Plan, label: string): Promise<Round> {
  const outDir = plan.rounds > 1 ? join(ctx.outDir, `round-${label.slice(1)}`) : ctx.outDir;
  // No resolver runs: the batcher's safety net must not void the open bets before the roll-over
  // carries them (its sweep still runs, as in production).
  const env = { batcher: NO_RESOLVER_BATCHER_ENV };
  const stack = await startStack({ outDir, daemons: ['batcher'], market: 'none', env });
  try {
    const users = syntheticSessions(plan.users).map((s) => s.userId);
    ctx.log(`${label}: funding ${users.length} wallets, then ${plan.openBets} open bets`);
    await fundWallets(stack.redis, stack.channels, users, 1_000_000_000, 300_000);
    const open = await admitMany(stack, users, plan.openBets);
    const openApplied = await waitForBatcherDrain(stack.redis, stack.channels, 120_000);
    await stack.stopDaemon('batcher');

    // The boundary falls `leadS` after this restart (the start-up rebuilds the cache meanwhile:
    // ~20–40 s for 100,000 wallets on a loaded host, so the full run leaves 75 s).
    const boundaryMs = isoWeekScheme.of(Date.now()).endMs;
    const rolloverAtMs = Date.now() + plan.leadS * 1_000;
    const offsetMs = boundaryMs - rolloverAtMs;
    // Its start-up rebuilds the balance cache of every wallet: give it time on a loaded host.
    const restartEnv = { BATCHER_TEST_CLOCK_OFFSET_MS: String(offsetMs) };
    if (!(await stack.startDaemon('batcher', restartEnv, RESTART_TIMEOUT_MS)))
      throw new Error('the batcher did not restart');
    ctx.log(
      `${label}: flowing ${RATE_PER_S} bets/s; the roll-over is due in ${Math.round((rolloverAtMs - Date.now()) / 1000)} s`,
    );
    // The flow goes on until the roll-over has completed (the carry runs after the switch) and
    // afterS more, so every bet that may have waited for any part of it is measured.
    let untilMs = rolloverAtMs + FLOW_MAX_MS;
    const watched = rolloverDone(outDir, FLOW_MAX_MS + plan.leadS * 1_000).then((done) => {
      untilMs = Math.max(rolloverAtMs + plan.afterS * 1_000, Date.now() + AROUND_MS);
      return done;
    });
    const flowed = await flow(stack, users, () => untilMs);
    const rolled = await watched;
    const flowApplied = await waitForBatcherDrain(stack.redis, stack.channels, 60_000);

    const delays = await acceptedDelays(stack, flowed);
    const audit = await auditRun(stack, { ackedBetIds: [...open, ...flowed.keys()] });
    const segments = listSegments(stack.dataDir).map((s) => s.name);
    const round: Round = {
      label,
      segments,
      rolled,
      rolloverAtMs,
      flowed: flowed.size,
      delays,
      openApplied,
      flowApplied,
      audit,
    };
    ctx.log(
      `${label}: pause ${rolled?.pauseMs} ms, roll-over ${rolled?.durationMs} ms, extra wait ${phasesOf(round).extraMs} ms`,
    );
    return round;
  } finally {
    await stack.stop();
  }
}

const max = (values: readonly number[]) => values.reduce((m, v) => Math.max(m, v), 0);
