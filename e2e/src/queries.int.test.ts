/**
 * The bet path's money rules and read routes end to end (issue "The bet path"): 1,000 concurrent
 * $1 bets from a wallet holding $10 end with exactly 10 bets in SQLite and balance == SUM(ledger);
 * the trader's history and ledger routes show them; tapctl-style adjustments appear in the ledger.
 */

import { createChannels } from '@tap/channels';
import { listSegments, openSegmentReadOnly } from '@tap/domain';
import { type FakeMarket, startFakeMarket, startStack, type TestStack } from '@tap/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deposit, LOGIN, nextCell, placeBet, signIn } from './trader.js';

let stack: TestStack;
let market: FakeMarket;
let redis: Redis;

beforeAll(async () => {
  stack = await startStack({
    daemons: ['batcher', 'ingest-api'],
    env: {
      'ingest-api': {
        ...LOGIN,
        // Priced at receipt, the opt-out from next-tick entry: these tests count and list bets that
        // the 202 priced (the fake market's prints would fill next-tick ones just the same).
        BET_ENTRY: 'receipt',
        RATE_LIMIT_PER_S: '10000',
        RATE_LIMIT_BURST: '10000',
        PRINT_AGE_MS_MAX: '5000',
      },
    },
  });
  redis = new Redis(stack.redis.url);
  market = await startFakeMarket({ redisUrl: stack.redis.url, prefix: stack.prefix });
}, 60_000);
afterAll(async () => {
  await market?.stop();
  redis?.disconnect();
  await stack?.stop();
});

const get = async (path: string, token: string) => {
  const res = await fetch(`${stack.apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** The current segment (the stack's batcher does not roll over during these tests). */
function segment() {
  return openSegmentReadOnly(listSegments(stack.dataDir).at(-1)!.path);
}

describe('money rules across admission and the batcher', () => {
  it('applies exactly 10 of 1,000 concurrent $1 bets from a $10 wallet, balance == SUM(ledger)', async () => {
    const trader = await signIn(stack);
    await deposit(stack, redis, trader.userId, 10_000_000);
    const cell = nextCell(market.last().priceCents);
    const results = await Promise.all(
      Array.from({ length: 1_000 }, (_, i) =>
        placeBet(stack, trader.token, { ...cell, p0: cell.p0 + (i % 4) * 1_000 }),
      ),
    );
    const accepted = results.filter((r) => r.status === 202);
    expect(accepted).toHaveLength(10);
    expect(new Set(results.filter((r) => r.status !== 202).map((r) => r.body.error))).toEqual(
      new Set(['insufficient_funds']),
    );
    const channels = createChannels(stack.prefix);
    await waitFor(async () => {
      const [pending] = (await redis.xpending(channels.streams.bets, 'batcher')) as [number];
      const listed = (await get('/v1/bets?status=accepted', trader.token)).body.bets as unknown[];
      return pending === 0 && listed.length === 10;
    });

    const db = segment();
    try {
      const row = db.prepare('SELECT balance FROM users WHERE id = ?').get(trader.userId) as {
        balance: number;
      };
      const sum = db
        .prepare('SELECT SUM(amount) AS s FROM transaction_ledger WHERE user_id = ?')
        .get(trader.userId) as { s: number };
      expect(row.balance).toBe(0);
      expect(sum.s).toBe(row.balance);
      expect(
        db
          .prepare("SELECT COUNT(*) AS n FROM bets WHERE user_id = ? AND status = 'accepted'")
          .get(trader.userId),
      ).toEqual({ n: 10 });
    } finally {
      db.close();
    }
  }, 60_000);

  it('lists the trader’s bets newest first with a cursor, and the ledger by reference and time', async () => {
    const trader = await signIn(stack);
    await deposit(stack, redis, trader.userId, 5_000_000);
    const placed: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await placeBet(stack, trader.token, nextCell(market.last().priceCents, 1 + i));
      placed.push(String(res.body.betId));
    }
    await waitFor(async () => ((await get('/v1/bets', trader.token)).body.bets as unknown[]).length === 3);

    const page1 = await get('/v1/bets?limit=2', trader.token);
    const ids1 = (page1.body.bets as { betId: string }[]).map((b) => b.betId);
    expect(ids1).toEqual([placed[2], placed[1]]);
    const page2 = await get(`/v1/bets?limit=2&cursor=${page1.body.nextCursor}`, trader.token);
    expect((page2.body.bets as { betId: string }[]).map((b) => b.betId)).toEqual([placed[0]]);

    const ledger = await get('/v1/ledger', trader.token);
    const rows = ledger.body.rows as { refType: string; amountMicros: number; balanceAfterMicros: number }[];
    expect(rows.map((r) => r.refType)).toEqual(['bet_stake', 'bet_stake', 'bet_stake', 'deposit']);
    expect(rows[0]?.balanceAfterMicros).toBe(2_000_000);
    const ledgerPage1 = await get('/v1/ledger?limit=3', trader.token);
    expect((ledgerPage1.body.rows as unknown[]).length).toBe(3);
    const ledgerPage2 = await get(`/v1/ledger?limit=3&cursor=${ledgerPage1.body.nextCursor}`, trader.token);
    expect((ledgerPage2.body.rows as { refType: string }[]).map((r) => r.refType)).toEqual(['deposit']);
    expect(ledgerPage2.body.nextCursor).toBeNull();
    const byRef = await get(`/v1/ledger?refType=bet_stake&refId=${placed[1]}`, trader.token);
    expect((byRef.body.rows as unknown[]).length).toBe(1);
    const future = await get(`/v1/ledger?from=${Date.now() + 60_000}`, trader.token);
    expect(future.body.rows).toEqual([]);
    expect((await get('/v1/ledger?refType=bonus', trader.token)).body.error).toBe('invalid_query');
    expect((await get('/v1/bets?limit=0', trader.token)).body.error).toBe('invalid_query');
  }, 30_000);

  it('never shows one trader another trader’s bet', async () => {
    const alice = await signIn(stack);
    const bob = await signIn(stack);
    await deposit(stack, redis, alice.userId, 5_000_000);
    const res = await placeBet(stack, alice.token, nextCell(market.last().priceCents));
    const betId = String(res.body.betId);
    await waitFor(async () => (await get(`/v1/bets/${betId}`, alice.token)).body.status === 'accepted');
    expect((await get(`/v1/bets/${betId}`, bob.token)).status).toBe(404);
    expect(((await get('/v1/bets', bob.token)).body.bets as unknown[]).length).toBe(0);
  }, 30_000);
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
