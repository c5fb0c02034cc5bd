/**
 * The market a bet-path run needs: fresh index prints (`price:last`, `tap:prices`) and a closed
 * breaker with a current heartbeat, else admission fails closed.
 *
 * The real price-ingest (its seeded simulator, outages off so runs are reproducible) and the real
 * health-monitor. If price-ingest does not print, the test kit's fake market writes both (simulated
 * prints on a seeded random walk, so cells keep moving); a health-monitor that does not close the
 * breaker fails the run rather than being stood in for (it is a real daemon now). `describe` says
 * which market ran; every report carries it.
 */
import type { Channels } from '@tap/channels';
import { startFakeMarket, waitUntil } from '@tap/testkit/standalone';
import type { Redis } from 'ioredis';

const PRINT_WAIT_MS = 15_000;
const BREAKER_CLOSE_WAIT_MS = 45_000;
const BREAKER_RECOVERY_MS = 1_000;

export interface MarketSource {
  describe: string;
  stop(): Promise<void>;
}

export interface MarketDeps {
  redis: Redis;
  redisUrl: string;
  channels: Channels;
  /** Starts a built daemon and waits until it is healthy; resolves false when it could not. */
  startDaemon(name: 'price-ingest' | 'health-monitor', env: Record<string, string>): Promise<boolean>;
  stopDaemon(name: 'price-ingest' | 'health-monitor'): Promise<void>;
}

export async function startMarketSource(deps: MarketDeps, mode: 'auto' | 'fake'): Promise<MarketSource> {
  if (mode === 'fake') return fakeMarket(deps, 'test kit fake market (prints + breaker)');
  const printing =
    (await deps.startDaemon('price-ingest', { VENUES: 'simulator', SIM_OUTAGE_MEAN_INTERVAL_MS: '0' })) &&
    (await waitUntil(() => freshPrint(deps), PRINT_WAIT_MS));
  if (!printing) {
    await deps.stopDaemon('price-ingest');
    return fakeMarket(deps, 'test kit fake market (prints + breaker): price-ingest did not print');
  }
  // SPEC §9 hysteresis keeps a new breaker open for 30 s of healthy prints; the harness shortens
  // that recovery so each run does not idle 30 s (the breaker logic itself is unchanged).
  const monitorUp = await deps.startDaemon('health-monitor', {
    BREAKER_RECOVERY_MS: String(BREAKER_RECOVERY_MS),
  });
  if (!monitorUp) throw new Error('health-monitor did not start');
  if (!(await waitUntil(() => freshBreaker(deps, 'closed'), BREAKER_CLOSE_WAIT_MS)))
    throw new Error(
      `health-monitor did not keep a closed breaker heartbeat within ${BREAKER_CLOSE_WAIT_MS} ms`,
    );
  return {
    describe: `real price-ingest (simulator, outages off) + real health-monitor (BREAKER_RECOVERY_MS=${BREAKER_RECOVERY_MS} so the breaker closes 1 s after start instead of 30 s)`,
    stop: async () => {},
  };
}

async function fakeMarket(deps: MarketDeps, describe: string): Promise<MarketSource> {
  const market = await startFakeMarket({
    redisUrl: deps.redisUrl,
    prefix: deps.channels.prefix,
    publishPrints: true,
    simulated: true,
    randomWalk: true,
  });
  return { describe, stop: () => market.stop() };
}

async function freshPrint(deps: MarketDeps): Promise<boolean> {
  const raw = await deps.redis.get(deps.channels.keys.priceLast);
  if (!raw) return false;
  const print = JSON.parse(raw) as { t?: number };
  return typeof print.t === 'number' && Date.now() - print.t < 500;
}

async function freshBreaker(deps: MarketDeps, state: string): Promise<boolean> {
  const hash = await deps.redis.hgetall(deps.channels.keys.breakerState);
  return hash.state === state && Date.now() - Number(hash.heartbeatAt) < 2_000;
}
