import { createChannels } from '@tap/channels';
import { type FakeMarket, startFakeMarket, startStack, type TestStack } from '@tap/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deposit, LOGIN, nextCell, openSocket, placeBet, signIn } from './trader.js';

let stack: TestStack;
let market: FakeMarket;
let redis: Redis;

beforeAll(async () => {
  stack = await startStack({
    daemons: ['batcher', 'ingest-api', 'ws-gateway'],
    env: { 'ingest-api': LOGIN },
  });
  redis = new Redis(stack.redis.url);
  market = await startFakeMarket({ redisUrl: stack.redis.url, prefix: stack.prefix, publishPrints: true });
}, 60_000);
afterAll(async () => {
  await market?.stop();
  redis?.disconnect();
  await stack?.stop();
});

describe('the bet path end to end', () => {
  it('shows a bet pending on 202 and accepted on the WebSocket, then in GET /v1/bets/:id', async () => {
    const trader = await signIn(stack);
    await deposit(stack, redis, trader.userId, 10_000_000);
    const socket = await openSocket(stack, trader.token);
    const placed = await placeBet(stack, trader.token, nextCell(market.last().priceCents));
    expect(placed.status).toBe(202);
    expect(placed.body.status).toBe('pending');
    const accepted = await socket.waitFor((e) => e.type === 'bet' && e.betId === placed.body.betId);
    expect(accepted).toMatchObject({ status: 'accepted', balanceMicros: 9_000_000 });
    const lookup = await fetch(`${stack.apiUrl}/v1/bets/${placed.body.betId}`, {
      headers: { authorization: `Bearer ${trader.token}` },
    });
    expect(await lookup.json()).toMatchObject({
      betId: placed.body.betId,
      status: 'accepted',
      stakeMicros: 1_000_000,
    });
    await socket.close();
  });

  it('replays the events a reconnecting client missed after its last id', async () => {
    const trader = await signIn(stack);
    await deposit(stack, redis, trader.userId, 10_000_000);
    const first = await openSocket(stack, trader.token);
    const firstBet = await placeBet(stack, trader.token, nextCell(market.last().priceCents));
    const seen = await first.waitFor((e) => e.betId === firstBet.body.betId);
    await first.close();

    const missed: Awaited<ReturnType<typeof placeBet>>[] = [];
    for (let i = 0; i < 3; i += 1)
      missed.push(await placeBet(stack, trader.token, nextCell(market.last().priceCents, 2 + i)));
    const channels = createChannels(stack.prefix);
    await waitUntil(
      async () => (await redis.exists(channels.keys.pendingBet(String(missed.at(-1)?.body.betId)))) === 0,
    );

    const again = await openSocket(stack, trader.token, String(seen.id));
    for (const bet of missed) {
      expect(await again.waitFor((e) => e.betId === bet.body.betId)).toMatchObject({ status: 'accepted' });
    }
    const replayedIds = again.events.filter((e) => e.type === 'bet').map((e) => e.betId);
    expect(replayedIds).not.toContain(firstBet.body.betId);
    await again.close();
  });

  it('rejects a bet the ledger cannot cover (balance cache drift) and says so on the WebSocket', async () => {
    const trader = await signIn(stack);
    await deposit(stack, redis, trader.userId, 1_000_000);
    const channels = createChannels(stack.prefix);
    await redis.hincrby(channels.keys.wallet(trader.userId), 'balance', 5_000_000);
    const socket = await openSocket(stack, trader.token);
    const bets: Awaited<ReturnType<typeof placeBet>>[] = [];
    for (let i = 0; i < 2; i += 1)
      bets.push(await placeBet(stack, trader.token, nextCell(market.last().priceCents, 1 + i)));
    expect(bets.map((b) => b.status)).toEqual([202, 202]);
    const second = await socket.waitFor((e) => e.betId === bets[1]?.body.betId);
    expect(second).toMatchObject({ status: 'rejected', reason: 'insufficient_funds' });
    await socket.close();
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
