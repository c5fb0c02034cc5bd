/**
 * Reads across roll-overs end to end (SPEC §8, issue 13): with segments rolling over every 2 s, a
 * bet placed and a deposit made three periods ago are still found by every query route and by
 * tapctl; the bet, carried over each roll-over and settled in the current period, shows once with
 * its whole history; the list and ledger cursors continue over the boundaries.
 */
import { createChannels, encodeEntry } from '@tap/channels';
import { listSegments, openSegmentReadOnly } from '@tap/domain';
import { type FakeMarket, startDaemon, startFakeMarket, startStack, type TestStack } from '@tap/testkit';
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
      batcher: { SEGMENT_PERIOD: '2000ms' },
      'ingest-api': { ...LOGIN, PRINT_AGE_MS_MAX: '5000' },
    },
  });
  redis = new Redis(stack.redis.url);
  market = await startFakeMarket({ redisUrl: stack.redis.url, prefix: stack.prefix, publishPrints: true });
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

async function tapctl(...args: string[]) {
  const run = startDaemon(
    'tapctl',
    { REDIS_URL: stack.redis.url, TAP_KEY_PREFIX: stack.prefix, DATA_DIR: stack.dataDir },
    ['--json', ...args],
  );
  const { code } = await run.exited;
  expect({ code, stderr: run.stderr.join('\n') }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(run.lines.join('\n')) as Record<string, unknown>;
}

/** The segment holding a ledger row of `refType:refId`. */
function segmentOf(refType: string, refId: string): string | undefined {
  for (const file of listSegments(stack.dataDir)) {
    const db = openSegmentReadOnly(file.path);
    try {
      if (
        db.prepare('SELECT 1 FROM transaction_ledger WHERE ref_type = ? AND ref_id = ?').get(refType, refId)
      )
        return file.name;
    } finally {
      db.close();
    }
  }
  return undefined;
}

describe('queries across roll-overs', () => {
  it('finds a bet and ledger rows from three periods ago through every route and tapctl', async () => {
    const trader = await signIn(stack);
    await deposit(stack, redis, trader.userId, 10_000_000);
    const placedAtMs = Date.now();
    // No resolver runs: the bet stays open and is carried over every roll-over until settled here.
    const old = await placeBet(stack, trader.token, nextCell(market.last().priceCents, 1));
    expect(old).toMatchObject({ status: 202 });
    const oldId = String(old.body.betId);
    await waitFor(async () => (await get(`/v1/bets/${oldId}`, trader.token)).body.status === 'accepted');
    const oldSegment = segmentOf('bet_stake', oldId)!;
    await waitFor(async () => {
      const names = listSegments(stack.dataDir).map((s) => s.name);
      return names.length - names.indexOf(oldSegment) > 3;
    }, 30_000);

    const recent = await placeBet(stack, trader.token, nextCell(market.last().priceCents, 2));
    const recentId = String(recent.body.betId);
    await waitFor(async () => (await get(`/v1/bets/${recentId}`, trader.token)).body.status === 'accepted');
    const channels = createChannels(stack.prefix);
    const settlement = {
      betId: oldId,
      outcome: 'void' as const,
      evidence: { reason: 'e2e' },
      settledAt: Date.now(),
    };
    await redis.xadd(channels.streams.settlements, '*', ...encodeEntry('settlements', settlement));
    await waitFor(async () => (await get(`/v1/bets/${oldId}`, trader.token)).body.status === 'void');
    const names = listSegments(stack.dataDir).map((s) => s.name);
    expect(names.length - names.indexOf(oldSegment)).toBeGreaterThan(3);

    // One bet, its whole history: placed three periods ago, settled now.
    const shown = (await get(`/v1/bets/${oldId}`, trader.token)).body;
    expect(shown).toMatchObject({ betId: oldId, status: 'void', stakeMicros: 1_000_000 });
    const listed: string[] = [];
    let cursor: unknown = null;
    do {
      const page = await get(`/v1/bets?limit=1${cursor ? `&cursor=${cursor}` : ''}`, trader.token);
      listed.push(...(page.body.bets as { betId: string }[]).map((b) => b.betId));
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    expect(listed).toEqual([recentId, oldId]);

    // The ledger, two rows a page, across every segment: newest first, each row once.
    const ledger: { id: number; refType: string; refId: string }[] = [];
    cursor = null;
    do {
      const page = await get(`/v1/ledger?limit=2${cursor ? `&cursor=${cursor}` : ''}`, trader.token);
      ledger.push(...(page.body.rows as { id: number; refType: string; refId: string }[]));
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    const ids = ledger.map((r) => r.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ledger.filter((r) => r.refType === 'deposit')).toHaveLength(1);
    expect(ledger.filter((r) => r.refType === 'opening').length).toBeGreaterThanOrEqual(3);
    const stake = await get(`/v1/ledger?refType=bet_stake&refId=${oldId}`, trader.token);
    expect(stake.body.rows).toMatchObject([{ amountMicros: -1_000_000 }]);
    const refund = await get(`/v1/ledger?refType=bet_refund&refId=${oldId}`, trader.token);
    expect(refund.body.rows).toMatchObject([{ amountMicros: 1_000_000 }]);

    const prints = await get(
      `/v1/index/history?from=${placedAtMs - 1_000}&to=${placedAtMs + 1_000}`,
      trader.token,
    );
    expect((prints.body.prints as unknown[]).length).toBeGreaterThan(0);

    expect(await tapctl('bet', oldId)).toMatchObject({
      betId: oldId,
      status: 'void',
      ledger: [{ refType: 'bet_stake' }, { refType: 'bet_refund' }],
    });
    const tapLedger = await tapctl('ledger', trader.userId, '--ref', `bet_stake:${oldId}`);
    expect(tapLedger.rows).toMatchObject([{ refType: 'bet_stake', amountMicros: -1_000_000 }]);
    expect(await tapctl('balance', trader.userId)).toMatchObject({ balanceMicros: 9_000_000 });
  }, 90_000);
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
