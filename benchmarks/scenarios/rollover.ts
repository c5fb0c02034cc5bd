/**
 * rollover: the weekly segment roll-over under load (SPEC §8, issue 13). The batcher holds 100,000
 * funded wallets and 50,000 open bets; it is restarted with its roll-over clock shifted to just
 * before Monday 00:00 UTC (BATCHER_TEST_CLOCK_OFFSET_MS), and bets flow at 1,000/s through the
 * admission's Redis effects (reserve, exposure, XADD — what ingest-api's Lua script does) across
 * the boundary. Reported: the roll-over's duration (the batcher's `rollover.done` log line), the
 * admission → accepted delay of every bet (the bet's tap:bets id time to its `accepted` event's
 * tap:events id time, both Redis clocks) inside ±5 s of the roll-over against the rest, and the
 * audit (which checks the closed segment and the link: opening = closing, the hash chain).
 * Goal: no bet waits more than 1 s longer because of a roll-over.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeEntry } from '@tap/channels';
import { type BetEntry, isoWeekScheme, listSegments, payoutMicros } from '@tap/domain';
import { testUlid } from '@tap/testkit/standalone';
import { audit } from '../src/audit/audit.js';
import { readCacheBalances, readGroups, readSegments, waitForBatcherDrain } from '../src/audit/collect.js';
import { fundWallets } from '../src/load/wallets.js';
import { auditTable } from '../src/report/tables.js';
import { emptyOutcome, fail, type Scenario } from '../src/scenario.js';
import { syntheticSessions } from '../src/server-search.js';
import { type Stack, startStack } from '../src/stack/stack.js';

const FULL = { users: 100_000, openBets: 50_000, leadS: 30, afterS: 20 };
const QUICK = { users: 10_000, openBets: 5_000, leadS: 15, afterS: 8 };
const RATE_PER_S = 1_000;
const TICK_MS = 10;
const AROUND_MS = 5_000;

export const rollover: Scenario = {
  name: 'rollover',
  title: 'Segment roll-over under load',
  description:
    `${FULL.users.toLocaleString('en-US')} funded wallets and ${FULL.openBets.toLocaleString('en-US')} open bets; the ` +
    'batcher is restarted with its roll-over clock just before Monday 00:00 UTC while bets flow at 1,000/s through ' +
    "admission's Redis effects; the roll-over's duration, the admission → accepted delay around it against the rest, " +
    'and the audit (closed segment and roll-over link included). Goal: no bet waits > 1 s longer because of it.',
  async run(ctx) {
    const outcome = emptyOutcome();
    const shape = ctx.options.quick ? QUICK : FULL;
    const stack = await startStack({ outDir: ctx.outDir, daemons: ['batcher'], market: 'none' });
    try {
      const users = syntheticSessions(shape.users).map((s) => s.userId);
      ctx.log(`funding ${users.length} wallets, then ${shape.openBets} open bets`);
      await fundWallets(stack.redis, stack.channels, users, 1_000_000_000, 300_000);
      const open = await admitMany(stack, users, shape.openBets);
      if (!(await waitForBatcherDrain(stack.redis, stack.channels, 120_000)))
        fail(outcome, 'open bets not applied');
      await stack.stopDaemon('batcher');

      // The boundary falls `leadS` after this restart (the start-up rebuilds the cache meanwhile).
      const boundaryMs = isoWeekScheme.of(Date.now()).endMs;
      const rolloverAtMs = Date.now() + shape.leadS * 1_000;
      const offsetMs = boundaryMs - rolloverAtMs;
      if (!(await stack.startDaemon('batcher', { BATCHER_TEST_CLOCK_OFFSET_MS: String(offsetMs) })))
        throw new Error('the batcher did not restart');
      ctx.log(
        `flowing ${RATE_PER_S} bets/s; the roll-over is due in ${Math.round((rolloverAtMs - Date.now()) / 1000)} s`,
      );
      const flowed = await flow(stack, users, rolloverAtMs + shape.afterS * 1_000);
      if (!(await waitForBatcherDrain(stack.redis, stack.channels, 60_000)))
        fail(outcome, 'the flow was not applied');

      const rolled = rolloverLog(ctx.outDir);
      const delays = await acceptedDelays(stack, flowed);
      const around = delays
        .filter((d) => Math.abs(d.admittedAtMs - rolloverAtMs) <= AROUND_MS)
        .map((d) => d.ms);
      const rest = delays.filter((d) => Math.abs(d.admittedAtMs - rolloverAtMs) > AROUND_MS).map((d) => d.ms);
      const report = audit({
        ackedBetIds: [...open, ...flowed.keys()],
        unanswered: 0,
        ...readSegments(stack.dataDir),
        cacheBalances: await readCacheBalances(stack.redis, stack.channels, users),
        groups: await readGroups(stack.redis, stack.channels),
        drainedStreams: [stack.channels.streams.bets, stack.channels.streams.adjustments],
        ws: null,
      });
      const segments = listSegments(stack.dataDir).map((s) => s.name);
      const extraMs = Math.max(0, max(around) - max(rest));
      outcome.tables.push(
        {
          title: 'Roll-over under 1,000 bets/s',
          columns: ['segments', 'users carried', 'open bets carried', 'roll-over ms', 'bets flowed'],
          rows: [
            [
              segments.join(' → '),
              rolled?.users ?? null,
              rolled?.carriedBets ?? null,
              rolled?.durationMs ?? null,
              flowed.size,
            ],
          ],
          notes: [
            'roll-over ms: closing record, building and renaming the new segment, switch, closing the old one — ' +
              'from the batcher log (`rollover.done`). Batches wait meanwhile; admission keeps answering.',
          ],
        },
        {
          title: 'Admission → accepted delay (ms; bet tap:bets id time to its accepted event id time)',
          columns: ['bets', 'p50', 'p99', 'max'],
          rows: [
            [
              `within ±${AROUND_MS / 1000} s of the roll-over (${around.length})`,
              pct(around, 50),
              pct(around, 99),
              max(around),
            ],
            [`the rest (${rest.length})`, pct(rest, 50), pct(rest, 99), max(rest)],
          ],
          notes: [
            `extra wait caused by the roll-over (max around − max rest): ${extraMs} ms; goal ≤ 1,000 ms.`,
          ],
        },
        auditTable('Audit', report),
      );
      outcome.audits.push({ label: 'rollover', report });
      if (!report.ok) fail(outcome, 'audit failed');
      if (!rolled || segments.length < 2) fail(outcome, 'no roll-over happened');
      if (delays.length < flowed.size)
        fail(outcome, `${flowed.size - delays.length} bets without an accepted event`);
      outcome.headline = {
        rollover_ms: rolled?.durationMs ?? null,
        rollover_extra_wait_ms: extraMs,
        rollover_extra_wait_met: extraMs <= 1_000 ? 'yes' : 'no',
      };
      return outcome;
    } finally {
      await stack.stop();
    }
  },
};

function aBet(userId: string, nowMs: number, i: number): BetEntry {
  // A window far ahead: no resolver runs, the bets stay open and are carried over.
  const t0 = Math.ceil((nowMs + 600_000) / 5_000) * 5_000;
  const multiplierBp = 20_000;
  return {
    ...{ betId: testUlid(nowMs, i), userId, clientBetId: randomUUID(), t0, p0: 9_500_000 + (i % 7) * 1_000 },
    ...{ windowMs: 5_000, bandCents: 1_000, stakeMicros: 1_000_000, multiplierBp, placedAt: nowMs },
    terms: {
      ...{ indexPriceCents: 9_500_000, printId: 1, sigma: 0.0001, tau1Ms: 600_000, tau2Ms: 605_000 },
      ...{ probability: 0.45, g: 0.01, multiplierBp, configVersion: 'bench' },
    },
  };
}

/** What admission's Lua script does for a bet, without its checks: reserve, book, XADD. Returns the stream ids. */
async function admit(stack: Stack, bets: readonly BetEntry[]): Promise<string[]> {
  const { keys, streams } = stack.channels;
  const pipeline = stack.redis.pipeline();
  for (const bet of bets) {
    const payout = payoutMicros(bet.stakeMicros, bet.multiplierBp);
    pipeline
      .decrby(keys.balance(bet.userId), bet.stakeMicros)
      .incrby(keys.exposureCell(bet.t0, bet.p0), payout)
      .incrby(keys.exposureColumn(bet.t0), payout)
      .incrby(keys.exposureTotal, payout)
      .incrby(keys.exposureUser(bet.userId), payout)
      .incr(keys.openBets(bet.userId))
      .set(keys.pendingBet(bet.betId), bet.userId)
      .xadd(streams.bets, '*', ...encodeEntry('bets', bet));
  }
  const results = (await pipeline.exec()) ?? [];
  return results
    .filter((_, i) => i % 8 === 7)
    .map(([err, id]) => {
      if (err) throw err;
      return String(id);
    });
}

async function admitMany(stack: Stack, users: readonly string[], count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 1_000) {
    const bets = Array.from({ length: Math.min(1_000, count - start) }, (_, j) =>
      aBet(users[(start + j) % users.length]!, Date.now(), start + j),
    );
    await admit(stack, bets);
    ids.push(...bets.map((b) => b.betId));
  }
  return ids;
}

/** 1,000 bets/s in ticks of 10 until `untilMs`; bet id → its tap:bets id. */
async function flow(stack: Stack, users: readonly string[], untilMs: number): Promise<Map<string, string>> {
  const streamIds = new Map<string, string>();
  const perTick = (RATE_PER_S * TICK_MS) / 1_000;
  const startedAt = Date.now();
  for (let tick = 0; Date.now() < untilMs; tick += 1) {
    const bets = Array.from({ length: perTick }, (_, j) =>
      aBet(users[Math.floor(Math.random() * users.length)]!, Date.now(), 1_000_000 + tick * perTick + j),
    );
    const ids = await admit(stack, bets);
    for (const [j, bet] of bets.entries()) streamIds.set(bet.betId, ids[j]!);
    const nextAt = startedAt + (tick + 1) * TICK_MS;
    if (nextAt > Date.now()) await sleep(nextAt - Date.now());
  }
  return streamIds;
}

async function acceptedDelays(stack: Stack, flowed: ReadonlyMap<string, string>) {
  const delays: { admittedAtMs: number; ms: number }[] = [];
  let from = '-';
  for (;;) {
    const page = (await stack.redis.xrange(stack.channels.streams.events, from, '+', 'COUNT', 5_000)) as [
      string,
      string[],
    ][];
    for (const [id, fields] of page) {
      const event = JSON.parse(fields[fields.indexOf('d') + 1]!) as {
        type: string;
        status?: string;
        betId?: string;
      };
      const admitted =
        event.type === 'bet' && event.status === 'accepted' ? flowed.get(event.betId!) : undefined;
      if (admitted === undefined) continue;
      const admittedAtMs = Number(admitted.split('-')[0]);
      delays.push({ admittedAtMs, ms: Number(id.split('-')[0]) - admittedAtMs });
    }
    if (page.length < 5_000) return delays;
    from = `(${page.at(-1)![0]}`;
  }
}

function rolloverLog(outDir: string): { durationMs: number; users: number; carriedBets: number } | undefined {
  const lines = readFileSync(join(outDir, 'logs', 'batcher.log'), 'utf8').split('\n');
  const done = lines.find((line) => line.includes('"rollover.done"'));
  return done ? (JSON.parse(done) as { durationMs: number; users: number; carriedBets: number }) : undefined;
}

const max = (values: readonly number[]) => values.reduce((m, v) => Math.max(m, v), 0);

function pct(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
