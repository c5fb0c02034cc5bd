/**
 * integrity-cron against real state: the built batcher applies deposits and bets that end won,
 * lost, void, open and rejected; the built integrity-cron checks it — clean while bets keep
 * flowing, then with Redis desynced, then on copies of the data directory corrupted one way each.
 */
import { startRedis, type TestRedis } from '@tap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from './report/report.js';
import {
  copyDataDir,
  openCopySegment,
  placeBet,
  runIntegrity,
  type Stack,
  seedTraffic,
  settle,
  sleep,
  startStack,
  USERS,
  untilStatus,
} from './testing.js';

const byCheck = (checks: CheckResult[], check: string) => checks.filter((c) => c.check === check);
const statusOf = (checks: CheckResult[], check: string) => byCheck(checks, check).map((c) => c.status);
const problemsOf = (checks: CheckResult[], check: string) =>
  byCheck(checks, check).flatMap((c) => c.problems);

describe('integrity-cron on a real batcher and Redis', () => {
  let server: TestRedis;
  let stack: Stack;
  let seeded: { won: string[]; open: string[] };

  beforeAll(async () => {
    server = await startRedis();
    stack = await startStack(server.url);
    seeded = await seedTraffic(stack);
  }, 120_000);
  afterAll(async () => {
    await stack?.batcher.stop();
    stack?.redis.disconnect();
    await server?.stop();
  });

  it('reports a clean stack as clean, every check run, while bets keep being placed and settled', async () => {
    let flowing = true;
    let last: string | undefined;
    const traffic = (async () => {
      while (flowing) {
        const bet = await placeBet(stack, USERS[0]!, 100_000);
        await sleep(30);
        await settle(stack, bet.betId, 'won');
        last = bet.betId;
      }
    })();
    const run = await runIntegrity(stack, stack.dataDir);
    flowing = false;
    await traffic;
    // Quiet again before the next test reads the cache.
    if (last) await untilStatus(stack, last, ['won']);
    expect(run.report.checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(run.code, run.output).toBe(0);
    expect(run.report.ok).toBe(true);
    const names = new Set(run.report.checks.map((c) => c.check));
    expect([...names]).toEqual(
      expect.arrayContaining([
        'segments_present',
        'segment',
        'segment_links',
        'anchors',
        'bets_ledger',
        'redis_cache',
      ]),
    );
    const cache = byCheck(run.report.checks, 'redis_cache')[0]!;
    expect(cache.facts['keysCompared']).toBeGreaterThan(USERS.length * 3);
    expect(byCheck(run.report.checks, 'bets_ledger')[0]!.facts['betsChecked']).toBeGreaterThanOrEqual(13);
  }, 60_000);

  it('names a desynced balance cache, open-bet count and exposure key', async () => {
    const { keys } = stack.channels;
    const [a, b, c] = USERS as [string, string, string];
    const read = async () => [
      await stack.redis.hget(keys.wallet(a), 'balance'),
      await stack.redis.hget(keys.wallet(b), 'openbets'),
      await stack.redis.hget(keys.wallet(c), 'exposure'),
    ];
    const before = await read();
    await stack.redis.hincrby(keys.wallet(a), 'balance', 5);
    await stack.redis.hincrby(keys.wallet(b), 'openbets', 1);
    await stack.redis.hincrby(keys.wallet(c), 'exposure', -7);
    try {
      const run = await runIntegrity(stack, stack.dataDir);
      expect(run.code).toBe(1);
      expect(run.report.ok).toBe(false);
      expect(statusOf(run.report.checks, 'redis_cache')).toEqual(['failed']);
      const problems = problemsOf(run.report.checks, 'redis_cache');
      expect(problems).toHaveLength(3);
      expect(problems.join('\n')).toContain(`${keys.wallet(a)}#balance: Redis is +5 off`);
      expect(problems.join('\n')).toContain(`${keys.wallet(b)}#openbets: Redis is +1 off`);
      expect(problems.join('\n')).toContain(`${keys.wallet(c)}#exposure: Redis is -7 off`);
      expect(statusOf(run.report.checks, 'bets_ledger')).toEqual(['ok']);
    } finally {
      await stack.redis.hincrby(keys.wallet(a), 'balance', -5);
      await stack.redis.hincrby(keys.wallet(b), 'openbets', -1);
      await stack.redis.hincrby(keys.wallet(c), 'exposure', 7);
    }
    expect(await read()).toEqual(before);
  }, 60_000);

  it('does not pass when the cache check cannot run (cache not ready, Redis unreachable)', async () => {
    const ready = stack.channels.keys.balanceCacheReady;
    await stack.redis.del(ready);
    try {
      const run = await runIntegrity(stack, stack.dataDir);
      expect(run.code).toBe(1);
      expect(statusOf(run.report.checks, 'redis_cache')).toEqual(['not_run']);
      expect(problemsOf(run.report.checks, 'redis_cache')[0]).toContain('not marked ready');
    } finally {
      await stack.redis.set(ready, '1');
    }
    const down = await runIntegrity({ ...stack, redisUrl: 'redis://127.0.0.1:1' }, stack.dataDir, {
      CACHE_SETTLE_MS: '10',
    });
    expect(down.code).toBe(1);
    expect(down.report.ok).toBe(false);
    expect(statusOf(down.report.checks, 'redis_cache')).toEqual(['not_run']);
    expect(statusOf(down.report.checks, 'bets_ledger')).toEqual(['ok']);
  }, 60_000);

  describe('a copy of the data directory, corrupted', () => {
    beforeAll(async () => {
      await stack.batcher.stop();
    });

    const corrupt = (sql: string) => {
      const copy = copyDataDir(stack.dataDir);
      const db = openCopySegment(copy);
      db.exec(sql);
      db.close();
      return copy;
    };

    it('a copy left alone is clean (Redis as the stopped batcher left it)', async () => {
      const run = await runIntegrity(stack, copyDataDir(stack.dataDir));
      expect(run.code, run.output).toBe(0);
    }, 60_000);

    it('names a won bet recorded as lost (its payout row has no reason to exist)', async () => {
      const betId = seeded.won[0]!;
      const run = await runIntegrity(stack, corrupt(`UPDATE bets SET status = 'lost' WHERE id = '${betId}'`));
      expect(run.code).toBe(1);
      expect(problemsOf(run.report.checks, 'bets_ledger').join('\n')).toMatch(
        new RegExp(`bet ${betId} \\(lost\\).*1 bet_payout`),
      );
    }, 60_000);

    it('names a bet whose stake row was deleted (triggers dropped)', async () => {
      const betId = seeded.open[1]!;
      const copy = corrupt(`DROP TRIGGER ledger_no_delete;
        DELETE FROM transaction_ledger WHERE ref_type = 'bet_stake' AND ref_id = '${betId}'`);
      const run = await runIntegrity(stack, copy);
      expect(run.code).toBe(1);
      expect(problemsOf(run.report.checks, 'bets_ledger').join('\n')).toContain(
        `bet ${betId} (accepted) of ${USERS[1]} has no bet_stake row in any local segment`,
      );
    }, 60_000);

    it('names ledger rows whose bet is gone', async () => {
      const betId = seeded.won[2]!;
      const run = await runIntegrity(stack, corrupt(`DELETE FROM bets WHERE id = '${betId}'`));
      expect(run.code).toBe(1);
      const problems = problemsOf(run.report.checks, 'bets_ledger').join('\n');
      expect(problems).toContain(
        `(bet_stake of ${USERS[2]}) names bet ${betId}, which is not in the segment`,
      );
      expect(problems).toContain(
        `(bet_payout of ${USERS[2]}) names bet ${betId}, which is not in the segment`,
      );
    }, 60_000);

    it('names a SQLite balance changed under the cache in both the segment and the cache check', async () => {
      const user = USERS[0]!;
      const run = await runIntegrity(
        stack,
        corrupt(`UPDATE users SET balance = balance + 3 WHERE id = '${user}'`),
      );
      expect(run.code).toBe(1);
      expect(statusOf(run.report.checks, 'segment')).toContain('failed');
      expect(problemsOf(run.report.checks, 'redis_cache').join('\n')).toContain(
        `${stack.channels.keys.wallet(user)}#balance: Redis is -3 off`,
      );
    }, 60_000);
  });
});
