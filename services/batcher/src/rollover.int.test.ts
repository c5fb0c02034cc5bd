/**
 * Roll-over under load (SPEC §8; issue 13): the built batcher rolls its segment over every second
 * while bets, deposits, settlements and prints flow, and is killed with SIGKILL at each named
 * roll-over step three times and at random moments. Afterwards: ≥ 50 roll-overs, every segment
 * verifies on its own, every opening equals the previous closing, the hash chain runs across all
 * segments, every admitted bet was applied once and settled as decided, every balance equals what
 * the test's own bookkeeping says (none was ever reset), and the Redis cache equals SQLite.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeEntry } from '@tap/channels';
import {
  type EventEntry,
  listSegments,
  openSegmentReadOnly,
  payoutMicros,
  readSegmentState,
} from '@tap/domain';
import type { Redis } from '@tap/runtime';
import { aBetPlacedNow, anAdjustment, aPrint, aSettlement } from '@tap/testkit';
import { describe, expect, it } from 'vitest';
import { segmentsProblems } from './rollover/rollover-fixture.js';
import {
  admitBet,
  admitBetWhenReady,
  type BatcherSetup,
  eventually,
  newRedis,
  newSetup,
  pendingTotal,
  redisForSuite,
  startBatcher,
  startHealthyBatcher,
  streamJson,
} from './testing.js';

const USD = 1_000_000;
const WALLETS = Array.from({ length: 20 }, (_, i) => `0x${(0xd0000 + i).toString(16).padStart(40, '0')}`);
const ROLLOVERS_MIN = 50;
const ENV = { SEGMENT_PERIOD: '1000ms' };
const OUTCOMES = ['won', 'lost', 'void'] as const;
const STEP_KILLS = [
  'rollover_after_closing',
  'rollover_after_opening',
  'rollover_after_switch',
  'rollover_during_carry',
  'rollover_after_carry',
];

/** Bets, deposits, prints and settlements (of bets the events say were accepted) until stopped. */
function startFlow(redis: Redis, setup: BatcherSetup) {
  const { streams } = setup.channels;
  const expected = new Map<string, number>(WALLETS.map((w) => [w, 0]));
  const credit = (userId: string, micros: number) => expected.set(userId, expected.get(userId)! + micros);
  const bets = new Map<
    string,
    { userId: string; multiplierBp: number; outcome?: (typeof OUTCOMES)[number] }
  >();
  const accepted: { betId: string; settleAtMs: number }[] = [];
  const events = newRedis(setup.redisUrl);
  let lastEventId = '0';
  let producing = true;
  let running = true;

  const deposit = async (userId: string, micros: number) => {
    await redis.xadd(
      streams.adjustments,
      '*',
      ...encodeEntry('adjustments', anAdjustment({ userId, amountMicros: micros })),
    );
    credit(userId, micros);
  };
  const settleDue = async (all: boolean) => {
    const due = all
      ? accepted.splice(0)
      : accepted.splice(0, accepted.findIndex((a) => a.settleAtMs > Date.now()) >>> 0);
    for (const { betId } of due) {
      const bet = bets.get(betId)!;
      bet.outcome = OUTCOMES[Math.floor(Math.random() * OUTCOMES.length)]!;
      const settlement = aSettlement({ betId, outcome: bet.outcome, evidence: { reason: 'test' } });
      await redis.xadd(streams.settlements, '*', ...encodeEntry('settlements', settlement));
    }
  };
  const readAccepted = async () => {
    const read = (await events.xread('COUNT', 1_000, 'BLOCK', 20, 'STREAMS', streams.events, lastEventId)) as
      | [string, [string, string[]][]][]
      | null;
    for (const [id, fields] of read?.[0]?.[1] ?? []) {
      lastEventId = id;
      const event = JSON.parse(fields[fields.indexOf('d') + 1]!) as EventEntry;
      if (event.type !== 'bet' || event.status !== 'accepted') continue;
      const { betId } = event;
      const bet = bets.get(betId);
      // Events may be published twice after a crash: a bet is settled once.
      if (!bet || bet.outcome !== undefined || accepted.some((a) => a.betId === betId)) continue;
      accepted.push({ betId, settleAtMs: Date.now() + 200 + Math.random() * 2_500 });
    }
    accepted.sort((a, b) => a.settleAtMs - b.settleAtMs);
  };

  const done = (async () => {
    for (const userId of WALLETS) await deposit(userId, 100_000 * USD);
    for (let tick = 0; running; tick += 1) {
      if (producing) {
        for (let i = 0; i < 3; i += 1) {
          const userId = WALLETS[Math.floor(Math.random() * WALLETS.length)]!;
          const bet = aBetPlacedNow({ userId, stakeMicros: USD });
          if (!(await admitBetWhenReady(redis, setup.channels, bet))) continue;
          bets.set(bet.betId, { userId, multiplierBp: bet.multiplierBp });
          credit(userId, -USD);
        }
        if (tick % 25 === 0) await deposit(WALLETS[tick % WALLETS.length]!, 7 * USD);
        if (tick % 5 === 0)
          await redis.xadd(streams.prices, '*', ...encodeEntry('prices', aPrint({ t: Date.now() })));
      }
      await readAccepted();
      await settleDue(!producing);
    }
  })();

  return {
    bets,
    expected,
    /** Stops admitting; settlements go on until every accepted bet is settled. */
    stopProducing() {
      producing = false;
    },
    async stop() {
      running = false;
      await done;
      events.disconnect();
      for (const [, bet] of bets) {
        if (bet.outcome === 'won') credit(bet.userId, payoutMicros(USD, bet.multiplierBp));
        if (bet.outcome === 'void') credit(bet.userId, USD);
      }
    },
  };
}

describe('segment roll-over under load (real Redis, built daemon)', () => {
  const suite = redisForSuite();

  it('rolls over ≥ 50 times through kill -9 at every roll-over step, and loses, doubles and resets nothing', async () => {
    const setup = newSetup(suite.url);
    const flow = startFlow(suite.redis, setup);
    const kills = [...STEP_KILLS, ...STEP_KILLS, ...STEP_KILLS, 'random', 'random', 'random'];
    for (const kill of kills.sort(() => Math.random() - 0.5)) {
      if (kill === 'random') {
        const { daemon } = await startBatcher(setup, ENV);
        await sleep(500 + Math.random() * 1_500);
        expect((await daemon.stop('SIGKILL')).signal).toBe('SIGKILL');
        continue;
      }
      const env = {
        ...ENV,
        BATCHER_FAIL_POINT: kill,
        BATCHER_FAIL_AFTER_BATCHES: String(1 + Math.floor(Math.random() * 2)),
      };
      const { daemon } = await startBatcher(setup, env);
      expect((await daemon.exited).signal).toBe('SIGKILL');
      expect(daemon.lines.join('\n')).toContain(`"failPoint":"${kill}"`);
    }
    const batcher = await startHealthyBatcher(setup, ENV);
    try {
      await eventually(
        () => listSegments(setup.dataDir).length,
        (n) => n > ROLLOVERS_MIN,
        120_000,
      );
      flow.stopProducing();
      const settled = await eventually(
        () => unsettled(setup.dataDir, flow.bets),
        (left) => left.length === 0,
        30_000,
      );
      expect(settled).toEqual([]);
      await eventually(
        () => pendingTotal(suite.redis, setup),
        (n) => n === 0,
      );
      await flow.stop();
    } finally {
      await batcher.stop();
    }
    // A stop may come in the middle of a roll-over's carry (it runs between batches after the
    // switch): a restart finishes it. Its clock is set back, so it starts no other roll-over.
    await (await startHealthyBatcher(setup, { ...ENV, BATCHER_TEST_CLOCK_OFFSET_MS: '-3600000' })).stop();

    expect(listSegments(setup.dataDir).length).toBeGreaterThan(ROLLOVERS_MIN);
    expect(segmentsProblems(setup.dataDir)).toEqual([]);
    expect(await streamJson(suite.redis, setup.channels.streams.deadLetter)).toEqual([]);
    expect(ledgerRefsPerBet(setup.dataDir, flow.bets)).toEqual([]);
    const current = openSegmentReadOnly(listSegments(setup.dataDir).at(-1)!.path);
    try {
      for (const userId of WALLETS) {
        const balance = current.prepare('SELECT balance FROM users WHERE id = ?').pluck().get(userId);
        expect({ userId, balance }).toEqual({ userId, balance: flow.expected.get(userId) });
        expect(await suite.redis.hget(setup.channels.keys.wallet(userId), 'balance')).toBe(String(balance));
        expect(Number((await suite.redis.hget(setup.channels.keys.wallet(userId), 'openbets')) ?? 0)).toBe(0);
      }
    } finally {
      current.close();
    }
    console.log(`roll-over test: ${listSegments(setup.dataDir).length} segments, ${flow.bets.size} bets`);
  }, 240_000);

  it('carries everything over when a batcher stopped on Sunday starts on Monday (shifted clock)', async () => {
    const setup = newSetup(suite.url);
    const offsetTo = (iso: string) => ({
      BATCHER_TEST_CLOCK_OFFSET_MS: String(Date.parse(iso) - Date.now()),
    });
    const userId = WALLETS[0]!;
    const sunday = await startHealthyBatcher(setup, offsetTo('2026-12-06T23:59:00Z'));
    const bet = aBetPlacedNow({ userId, stakeMicros: 3 * USD });
    try {
      const deposit = anAdjustment({ userId, amountMicros: 10 * USD });
      await suite.redis.xadd(setup.channels.streams.adjustments, '*', ...encodeEntry('adjustments', deposit));
      await eventually(
        () => suite.redis.hget(setup.channels.keys.wallet(userId), 'balance'),
        (v) => v === String(10 * USD),
      );
      await admitBet(suite.redis, setup.channels, bet);
      await eventually(
        () => suite.redis.exists(setup.channels.keys.pendingBet(bet.betId)),
        (n) => n === 0,
      );
    } finally {
      expect(await sunday.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    }
    expect(listSegments(setup.dataDir).map((s) => s.name)).toEqual(['2026-W49']);

    const monday = await startHealthyBatcher(setup, offsetTo('2026-12-07T00:00:05Z'));
    try {
      await eventually(
        () => listSegments(setup.dataDir).map((s) => s.name),
        (names) => names.length === 2,
      );
      expect(listSegments(setup.dataDir).map((s) => s.name)).toEqual(['2026-W49', '2026-W50']);
      expect(await suite.redis.hget(setup.channels.keys.wallet(userId), 'balance')).toBe(String(7 * USD));
      const settlement = aSettlement({ betId: bet.betId, outcome: 'void', evidence: { reason: 'test' } });
      await suite.redis.xadd(
        setup.channels.streams.settlements,
        '*',
        ...encodeEntry('settlements', settlement),
      );
      await eventually(
        () => suite.redis.hget(setup.channels.keys.wallet(userId), 'balance'),
        (v) => v === String(10 * USD),
      );
      // The carry runs between batches after the switch; the old segment closes when it is done.
      await eventually(
        () => stateOf(listSegments(setup.dataDir)[0]!.path),
        (state) => state === 'closed',
      );
    } finally {
      await monday.stop();
    }
    expect(await suite.redis.hget(setup.channels.keys.wallet(userId), 'balance')).toBe(String(10 * USD));
    expect(await streamJson(suite.redis, setup.channels.streams.deadLetter)).toEqual([]);
    expect(segmentsProblems(setup.dataDir)).toEqual([]);
    const w50 = openSegmentReadOnly(listSegments(setup.dataDir)[1]!.path);
    try {
      expect(w50.prepare('SELECT balance FROM users WHERE id = ?').pluck().get(userId)).toBe(10 * USD);
      expect(w50.prepare('SELECT status FROM bets WHERE id = ?').pluck().get(bet.betId)).toBe('void');
    } finally {
      w50.close();
    }
  }, 60_000);
});

function stateOf(path: string) {
  const db = openSegmentReadOnly(path);
  try {
    return readSegmentState(db);
  } finally {
    db.close();
  }
}

/** Bets whose home row (newest segment holding it) is not settled as the test decided. */
function unsettled(dataDir: string, bets: ReturnType<typeof startFlow>['bets']): string[] {
  const home = new Map<string, string>();
  for (const file of listSegments(dataDir)) {
    const db = openSegmentReadOnly(file.path);
    try {
      for (const row of db.prepare('SELECT id, status FROM bets').all() as { id: string; status: string }[]) {
        home.set(row.id, row.status);
      }
    } finally {
      db.close();
    }
  }
  return [...bets]
    .filter(([id, bet]) => bet.outcome === undefined || home.get(id) !== bet.outcome)
    .map(([id]) => id);
}

/** Every bet: one stake, one payout if won, one refund if void, over all segments. */
function ledgerRefsPerBet(dataDir: string, bets: ReturnType<typeof startFlow>['bets']): string[] {
  const refs = new Map<string, string[]>();
  for (const file of listSegments(dataDir)) {
    const db = openSegmentReadOnly(file.path);
    try {
      const rows = db
        .prepare("SELECT ref_type, ref_id FROM transaction_ledger WHERE ref_type LIKE 'bet_%' ORDER BY id")
        .all() as { ref_type: string; ref_id: string }[];
      for (const row of rows) refs.set(row.ref_id, [...(refs.get(row.ref_id) ?? []), row.ref_type]);
    } finally {
      db.close();
    }
  }
  const wrong: string[] = [];
  for (const [id, bet] of bets) {
    const want = [
      'bet_stake',
      ...(bet.outcome === 'won' ? ['bet_payout'] : bet.outcome === 'void' ? ['bet_refund'] : []),
    ];
    if ((refs.get(id) ?? []).join() !== want.join()) wrong.push(`${id}: ${(refs.get(id) ?? []).join()}`);
  }
  return wrong;
}
