/**
 * The fallback market when price-ingest does not print: every 100 ms a fresh index print to
 * `price:last` and `tap:prices`, and a closed breaker with a current heartbeat — the same contract
 * as @tap/testkit's startFakeMarket (which the harness cannot import, see repo.ts), with a small
 * seeded random walk so cells keep moving.
 */
import { type Channels, encodeEntry } from '@tap/channels';
import type { PrintEntry } from '@tap/domain';
import type { Redis } from 'ioredis';

export function startFakeMarket(redis: Redis, channels: Channels, intervalMs = 100) {
  let priceCents = 9_500_000;
  let seed = 1;
  let id = Date.now();
  const tick = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    priceCents += Math.round((seed / 2 ** 31 - 0.5) * 200);
    const t = Date.now();
    id = Math.max(id + 1, t);
    const print: PrintEntry = { id, t, priceCents, venues: 3, sigma: 0.0001, simulated: true };
    redis
      .multi()
      .set(channels.keys.priceLast, JSON.stringify(print))
      .xadd(channels.streams.prices, '*', ...encodeEntry('prices', print))
      .hset(channels.keys.breakerState, {
        state: 'closed',
        reason: '',
        since: String(t),
        heartbeatAt: String(t),
      })
      .exec()
      .catch(() => {
        // A missed print only ages the market; admission then answers price_stale, which the run counts.
      });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return { stop: () => clearInterval(timer) };
}
