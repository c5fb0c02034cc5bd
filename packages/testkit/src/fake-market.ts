/**
 * A stand-in for price-ingest and health-monitor in tests of the bet path: every `intervalMs` it
 * writes a fresh index print to `price:last` (and `tap:prices` when asked) and a closed breaker with
 * a current heartbeat, so admission sees a healthy market. `set` changes the price or σ; `halt`
 * opens the breaker; `freeze` stops updating so the print and heartbeat go stale.
 *
 * Its prints say `simulated: false` unless asked otherwise: it stands in for a real feed, so bet-path
 * tests run the production admission rules (no demo mode needed).
 */
import { createChannels, encodeEntry } from '@tap/channels';
import type { PrintEntry } from '@tap/domain';
import { Redis } from 'ioredis';

export interface FakeMarket {
  set(update: { priceCents?: number; sigma?: number }): void;
  halt(reason: string): void;
  resume(): void;
  freeze(): void;
  /** The print most recently written. */
  last(): PrintEntry;
  stop(): Promise<void>;
}

export async function startFakeMarket(options: {
  redisUrl: string;
  prefix: string;
  priceCents?: number;
  sigma?: number;
  intervalMs?: number;
  publishPrints?: boolean;
  /** Mark every print as simulated (as price-ingest's simulator does). Default false. */
  simulated?: boolean;
}): Promise<FakeMarket> {
  const redis = new Redis(options.redisUrl);
  const channels = createChannels(options.prefix);
  let priceCents = options.priceCents ?? 9_500_000;
  let sigma = options.sigma ?? 0.0001;
  let breaker = { state: 'closed', reason: '' };
  let frozen = false;
  let id = Date.now();
  const simulated = options.simulated ?? false;
  let last: PrintEntry = { id, t: Date.now(), priceCents, venues: 3, sigma, simulated };

  const tick = async () => {
    if (frozen) return;
    const t = Date.now();
    id = Math.max(id + 1, t);
    last = { id, t, priceCents, venues: 3, sigma, simulated };
    const pipeline = redis.pipeline();
    pipeline.set(channels.keys.priceLast, JSON.stringify(last));
    if (options.publishPrints) pipeline.xadd(channels.streams.prices, '*', ...encodeEntry('prices', last));
    pipeline.hset(channels.keys.breakerState, { ...breaker, since: String(t), heartbeatAt: String(t) });
    await pipeline.exec();
  };
  await tick();
  const timer = setInterval(() => void tick(), options.intervalMs ?? 100);
  return {
    set(update) {
      priceCents = update.priceCents ?? priceCents;
      sigma = update.sigma ?? sigma;
    },
    halt(reason) {
      breaker = { state: 'open', reason };
    },
    resume() {
      breaker = { state: 'closed', reason: '' };
      frozen = false;
    },
    freeze() {
      frozen = true;
    },
    last: () => last,
    async stop() {
      clearInterval(timer);
      redis.disconnect();
    },
  };
}
