/**
 * Crash safety of the bet path (SPEC §6, §12: 0 lost or doubly applied bets under kill -9): while a
 * producer admits funded bets for many wallets, the batcher is killed with SIGKILL at random
 * moments 20 times (restarted each time, some kills land in its start-up), stopped once with
 * SIGTERM, and killed once at each named fail point. After the drain, every admitted bet is in
 * SQLite exactly once, nothing is pending, the ledger verifies, and the cache matches SQLite.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeEntry } from '@tap/channels';
import type { EventEntry } from '@tap/domain';
import type { Redis } from '@tap/runtime';
import { aBetPlacedNow, anAdjustment, waitForHealthy } from '@tap/testkit';
import { describe, expect, it } from 'vitest';
import { ledgerProblems } from './storage/test-segment.js';
import {
  admitBet,
  type BatcherSetup,
  eventually,
  newSetup,
  openSegmentReadonly,
  pendingTotal,
  redisForSuite,
  startBatcher,
  startHealthyBatcher,
  streamJson,
} from './testing.js';

const USD = 1_000_000;
const WALLETS = Array.from({ length: 100 }, (_, i) => `0x${(0xc0000 + i).toString(16).padStart(40, '0')}`);
const RANDOM_KILLS = 20;

/** Admits $1 bets for random wallets, ~2,000/s, until stopped; returns every admitted bet id. */
function startProducer(redis: Redis, setup: BatcherSetup) {
  const betIds: string[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      for (let i = 0; i < 10; i += 1) {
        const userId = WALLETS[Math.floor(Math.random() * WALLETS.length)]!;
        const bet = aBetPlacedNow({ userId, stakeMicros: USD });
        await admitBet(redis, setup.channels, bet);
        betIds.push(bet.betId);
      }
      await sleep(5);
    }
  })();
  return {
    betIds,
    async stop() {
      running = false;
      await done;
    },
  };
}

describe('batcher crash safety', () => {
  const suite = redisForSuite();

  it('applies every admitted bet exactly once through 20 kill -9s, a SIGTERM and both fail points', async () => {
    const setup = newSetup(suite.url);
    for (const userId of WALLETS) {
      const deposit = anAdjustment({ userId, amountMicros: 1_000 * USD });
      await suite.redis.xadd(setup.channels.streams.adjustments, '*', ...encodeEntry('adjustments', deposit));
    }
    const first = await startHealthyBatcher(setup);
    await eventually(
      () => suite.redis.hget(setup.channels.keys.wallet(WALLETS.at(-1)!), 'balance'),
      (v) => v !== null,
    );
    await first.stop();
    const producer = startProducer(suite.redis, setup);

    let killedWhileConsuming = 0;
    for (let kill = 0; kill < RANDOM_KILLS; kill += 1) {
      const { daemon, healthUrl } = await startBatcher(setup, { LOG_LEVEL: 'info' });
      if (kill === RANDOM_KILLS / 2) {
        // A graceful stop under load (once its signal handlers are installed): exit 0 within 5 s.
        await waitForHealthy(healthUrl, 15_000);
        await sleep(200);
        const stoppedAt = Date.now();
        expect(await daemon.stop('SIGTERM')).toEqual({ code: 0, signal: null });
        expect(Date.now() - stoppedAt).toBeLessThan(5_000);
      } else {
        await sleep(100 + Math.random() * 900);
        expect((await daemon.stop('SIGKILL')).signal).toBe('SIGKILL');
        if (daemon.lines.some((line) => line.includes('"consumer.running"'))) killedWhileConsuming += 1;
      }
    }
    // Most kills land while it consumes, the others during its start-up (rebuild, pending claims).
    expect(killedWhileConsuming).toBeGreaterThanOrEqual(3);
    for (const failPoint of ['after_commit_before_ack', 'after_ack_before_events']) {
      const { daemon } = await startBatcher(setup, {
        BATCHER_FAIL_POINT: failPoint,
        BATCHER_FAIL_AFTER_BATCHES: String(2 + Math.floor(Math.random() * 5)),
      });
      expect((await daemon.exited).signal).toBe('SIGKILL');
    }
    await producer.stop();

    const daemon = await startHealthyBatcher(setup);
    try {
      const admitted = producer.betIds.length;
      const db = openSegmentReadonly(setup.dataDir);
      const applied = await eventually(
        () => db.prepare('SELECT count(*) FROM bets').pluck().get() as number,
        (n) => n === admitted,
        20_000,
      );
      expect(applied).toBe(admitted);
      await eventually(
        () => pendingTotal(suite.redis, setup),
        (n) => n === 0,
      );
      expect(await pendingTotal(suite.redis, setup)).toBe(0);

      const ids = new Set(db.prepare('SELECT id FROM bets').pluck().all() as string[]);
      expect(producer.betIds.every((id) => ids.has(id))).toBe(true);
      const doubled = db
        .prepare(
          "SELECT ref_id FROM transaction_ledger WHERE ref_type = 'bet_stake' GROUP BY 1 HAVING count(*) > 1",
        )
        .all();
      expect(doubled).toEqual([]);
      expect(db.prepare("SELECT count(*) FROM bets WHERE status = 'accepted'").pluck().get()).toBe(admitted);
      expect(ledgerProblems(db)).toEqual([]);

      const events = await streamJson<EventEntry>(suite.redis, setup.channels.streams.events);
      const announced = new Set(events.flatMap((e) => (e.type === 'bet' ? [e.betId] : [])));
      expect(producer.betIds.filter((id) => !announced.has(id))).toEqual([]);

      const balances = db.prepare('SELECT id, balance FROM users').all() as { id: string; balance: number }[];
      for (const { id, balance } of balances) {
        expect(await suite.redis.hget(setup.channels.keys.wallet(id), 'balance')).toBe(String(balance));
      }
      const openBets = db.prepare('SELECT user_id AS id, count(*) AS n FROM bets GROUP BY 1').all() as {
        id: string;
        n: number;
      }[];
      for (const { id, n } of openBets)
        expect(await suite.redis.hget(setup.channels.keys.wallet(id), 'openbets')).toBe(String(n));
      db.close();
      console.log(
        `crash test: ${admitted} bets, ${killedWhileConsuming} kills while consuming, ${events.length} events`,
      );
    } finally {
      await daemon.stop();
    }
  }, 90_000);
});
