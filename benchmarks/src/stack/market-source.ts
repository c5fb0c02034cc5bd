/**
 * The market a bet-path run needs: fresh index prints (`price:last`, `tap:prices`) and a closed
 * breaker with a current heartbeat, else admission fails closed.
 *
 * Preferred: the real price-ingest (its seeded simulator, outages off so runs are reproducible)
 * and the real health-monitor. If health-monitor does not keep a breaker heartbeat (it is still a
 * shell while its issue is open), the harness writes a closed breaker with a heartbeat every 250 ms
 * (a "breaker stand-in"). If price-ingest does not print, the test kit's fake market does both.
 * `describe` says which one ran; every report carries it.
 */
import type { Channels } from '@tap/channels';
import type { Redis } from 'ioredis';
import { startFakeMarket } from './fake-market.js';

const PRINT_WAIT_MS = 15_000;
const BREAKER_WAIT_MS = 4_000;
const BREAKER_CLOSE_WAIT_MS = 45_000;
const BREAKER_RECOVERY_MS = 1_000;
const STAND_IN_INTERVAL_MS = 250;

export interface MarketSource {
  describe: string;
  stop(): Promise<void>;
}

export interface MarketDeps {
  redis: Redis;
  channels: Channels;
  /** Starts a built daemon and waits until it is healthy; resolves false when it could not. */
  startDaemon(name: 'price-ingest' | 'health-monitor', env: Record<string, string>): Promise<boolean>;
  stopDaemon(name: 'price-ingest' | 'health-monitor'): Promise<void>;
}

export async function startMarketSource(deps: MarketDeps, mode: 'auto' | 'fake'): Promise<MarketSource> {
  if (mode === 'fake')
    return fakeMarket(deps, 'harness fake market (prints + breaker, as testkit startFakeMarket)');
  const printing =
    (await deps.startDaemon('price-ingest', { VENUES: 'simulator', SIM_OUTAGE_MEAN_INTERVAL_MS: '0' })) &&
    (await waitUntil(() => freshPrint(deps), PRINT_WAIT_MS));
  if (!printing) {
    await deps.stopDaemon('price-ingest');
    return fakeMarket(
      deps,
      'harness fake market (prints + breaker, as testkit startFakeMarket): price-ingest did not print',
    );
  }
  // SPEC §9 hysteresis keeps a new breaker open for 30 s of healthy prints; the harness shortens
  // that recovery so each run does not idle 30 s (the breaker logic itself is unchanged).
  const monitorUp = await deps.startDaemon('health-monitor', {
    BREAKER_RECOVERY_MS: String(BREAKER_RECOVERY_MS),
  });
  const beating = monitorUp && (await waitUntil(() => freshBreaker(deps), BREAKER_WAIT_MS));
  // A real breaker closes only after a healthy stretch (SPEC §9 hysteresis): wait for it.
  if (beating && (await waitUntil(() => freshBreaker(deps, 'closed'), BREAKER_CLOSE_WAIT_MS))) {
    return {
      describe: `real price-ingest (simulator, outages off) + real health-monitor (BREAKER_RECOVERY_MS=${BREAKER_RECOVERY_MS} so the breaker closes 1 s after start instead of 30 s)`,
      stop: async () => {},
    };
  }
  if (beating) throw new MarketUnavailableError('health-monitor keeps the breaker open');
  const standIn = startBreakerStandIn(deps);
  return {
    describe:
      'real price-ingest (simulator, outages off) + breaker stand-in (harness writes a closed breaker ' +
      `heartbeat every ${STAND_IN_INTERVAL_MS} ms: health-monitor ${monitorUp ? 'writes no breaker heartbeat' : 'did not start'})`,
    stop: async () => standIn.stop(),
  };
}

export class MarketUnavailableError extends Error {
  override name = 'MarketUnavailableError';
}

function fakeMarket(deps: MarketDeps, describe: string): MarketSource {
  const market = startFakeMarket(deps.redis, deps.channels);
  return { describe, stop: async () => market.stop() };
}

function startBreakerStandIn(deps: MarketDeps) {
  const write = () => {
    const t = String(Date.now());
    deps.redis
      .hset(deps.channels.keys.breakerState, { state: 'closed', reason: '', since: t, heartbeatAt: t })
      .catch(() => {
        // A missed heartbeat only ages the breaker; admission then answers trading_halted, which the run counts.
      });
  };
  write();
  const timer = setInterval(write, STAND_IN_INTERVAL_MS);
  return { stop: () => clearInterval(timer) };
}

async function freshPrint(deps: MarketDeps): Promise<boolean> {
  const raw = await deps.redis.get(deps.channels.keys.priceLast);
  if (!raw) return false;
  const print = JSON.parse(raw) as { t?: number };
  return typeof print.t === 'number' && Date.now() - print.t < 500;
}

async function freshBreaker(deps: MarketDeps, state?: string): Promise<boolean> {
  const hash = await deps.redis.hgetall(deps.channels.keys.breakerState);
  return (state === undefined || hash.state === state) && Date.now() - Number(hash.heartbeatAt) < 2_000;
}

export async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return false;
}
