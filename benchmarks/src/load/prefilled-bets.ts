/**
 * The batcher's apply rate on a pre-filled tap:bets, shared by the scenarios that time it
 * (batcher-apply, backup-apply): valid bets appended while the batcher is stopped, then its
 * consumer group polled from its first to its last acknowledged entry.
 */
import { randomUUID } from 'node:crypto';
import { encodeEntry } from '@tap/channels';
import type { BetEntry } from '@tap/domain';
import { testUlid } from '@tap/testkit/standalone';
import type { Stack } from '../stack/stack.js';

/** A bet's terms as pricing-v2.3 writes them: what the batcher really decodes and stores. */
export function benchTerms(): BetEntry['terms'] {
  return {
    indexPriceCents: 9_500_000,
    printId: 1,
    sigma: 0.0001,
    // η and the index's error (pricing-v2.3).
    noise: 0.000021,
    indexNoise: 0.000012,
    tau1Ms: 60_000,
    tau2Ms: 65_000,
    probability: 0.45,
    g: 0.01,
    multiplierBp: 20_000,
    configVersion: 'bench',
  };
}

/** Appends `count` valid $1 bets of `users` (round robin) to tap:bets; returns their ids. */
export async function prefillBets(stack: Stack, users: string[], count: number): Promise<string[]> {
  const now = Date.now();
  const betIds: string[] = [];
  // 45–50 s ahead: inside the 60 s horizon and past the 2 s lead the batcher re-checks.
  const t0 = Math.ceil((now + 45_000) / 5_000) * 5_000;
  for (let start = 0; start < count; start += 2_000) {
    const pipeline = stack.redis.pipeline();
    for (let i = start; i < Math.min(count, start + 2_000); i += 1) {
      const bet: BetEntry = {
        betId: testUlid(now, i),
        userId: users[i % users.length]!,
        clientBetId: randomUUID(),
        t0,
        p0: 9_500_000 + (i % 7) * 1_000,
        windowMs: 5_000,
        bandCents: 1_000,
        stakeMicros: 1_000_000,
        multiplierBp: 20_000,
        placedAt: now,
        terms: benchTerms(),
      };
      betIds.push(bet.betId);
      pipeline.xadd(stack.channels.streams.bets, '*', ...encodeEntry('bets', bet));
    }
    await pipeline.exec();
  }
  return betIds;
}

/** Polls the batcher group on tap:bets (acknowledged = entries-read − pending) from first to last ack. */
export async function timeApply(stack: Stack, total: number, startedAt: number, timeoutMs: number) {
  let firstAt: number | undefined;
  let firstAcked = 0;
  const deadline = startedAt + timeoutMs;
  for (;;) {
    const acked = await ackedBets(stack);
    const now = performance.now();
    if (acked > 0 && firstAt === undefined) {
      firstAt = now;
      firstAcked = acked;
    }
    if (acked >= total) {
      const applyMs = Math.max(1, now - (firstAt ?? now));
      return {
        firstAckMs: Math.round((firstAt ?? now) - startedAt),
        applyMs: Math.round(applyMs),
        betsPerS: Math.round(((total - firstAcked) / applyMs) * 1000),
        window: [(firstAt ?? now) - startedAt, now - startedAt] as [number, number],
      };
    }
    if (now > deadline)
      throw new Error(`the batcher acknowledged ${acked} of ${total} bets in ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function ackedBets(stack: Stack): Promise<number> {
  const infos = (await stack.redis.xinfo('GROUPS', stack.channels.streams.bets)) as unknown[][];
  for (const raw of infos) {
    const info: Record<string, unknown> = {};
    for (let i = 0; i + 1 < raw.length; i += 2) info[String(raw[i])] = raw[i + 1];
    if (info.name === stack.channels.groups.batcher) {
      return Number(info['entries-read'] ?? 0) - Number(info.pending ?? 0);
    }
  }
  return 0;
}
