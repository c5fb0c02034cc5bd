/**
 * A stand-in for price-ingest and health-monitor in tests of the bet path: every `intervalMs` it
 * writes a fresh index print to `price:last` (and `tap:prices` when asked) and a closed breaker with
 * a current heartbeat, so admission sees a healthy market. `set` changes the price or σ; `halt`
 * opens the breaker; `freeze` stops updating so the print and heartbeat go stale.
 *
 * Its prints say `simulated: false` unless asked otherwise: it stands in for a real feed, so bet-path
 * tests run the production admission rules (no demo mode needed).
 *
 * `randomWalk` moves the price by a seeded walk (at most ±100 cents a tick, the same sequence every
 * run) so cells keep moving: the benchmark harness uses it when price-ingest does not print. A tick
 * that fails (Redis stopped or killed on purpose) is skipped: the print and heartbeat only age, and
 * admission then answers price_stale or trading_halted, which is what the caller is testing.
 */
import { createChannels, encodeEntry } from '@tap/channels';
import type { PrintEntry } from '@tap/domain';
import { Redis } from 'ioredis';

export interface FakeMarket {
  /** Later prints carry these; `filtered` null drops the filtered index (issue 22) again. */
  set(update: {
    priceCents?: number;
    sigma?: number;
    noise?: number;
    filtered?: { filteredCents: number; filteredNoise: number } | null;
  }): void;
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
  /** η and the filtered index (issue 22) of every print from the first; later changed by `set`. */
  noise?: number;
  filtered?: { filteredCents: number; filteredNoise: number };
  intervalMs?: number;
  publishPrints?: boolean;
  /** Mark every print as simulated (as price-ingest's simulator does). Default false. */
  simulated?: boolean;
  /** Move the price by a seeded random walk each tick. Default false (the price stays until `set`). */
  randomWalk?: boolean;
}): Promise<FakeMarket> {
  const redis = new Redis(options.redisUrl);
  // Connection errors surface as failed ticks (below); the events need no report of their own.
  redis.on('error', () => undefined);
  const channels = createChannels(options.prefix);
  let priceCents = options.priceCents ?? 9_500_000;
  let sigma = options.sigma ?? 0.0001;
  let extra: Partial<Pick<PrintEntry, 'noise' | 'filteredCents' | 'filteredNoise'>> = {
    ...(options.noise === undefined ? {} : { noise: options.noise }),
    ...options.filtered,
  };
  let breaker = { state: 'closed', reason: '' };
  let frozen = false;
  let id = Date.now();
  let seed = 1;
  const simulated = options.simulated ?? false;
  let last: PrintEntry = { id, t: Date.now(), priceCents, venues: 3, sigma, simulated };

  const tick = async () => {
    if (frozen) return;
    if (options.randomWalk) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      priceCents += Math.round((seed / 2 ** 31 - 0.5) * 200);
    }
    const t = Date.now();
    id = Math.max(id + 1, t);
    last = { id, t, priceCents, venues: 3, sigma, ...extra, simulated };
    const pipeline = redis.pipeline();
    pipeline.set(channels.keys.priceLast, JSON.stringify(last));
    if (options.publishPrints) pipeline.xadd(channels.streams.prices, '*', ...encodeEntry('prices', last));
    pipeline.hset(channels.keys.breakerState, { ...breaker, since: String(t), heartbeatAt: String(t) });
    await pipeline.exec();
  };
  await tick();
  const timer = setInterval(() => {
    tick().catch(() => undefined); // a missed tick only ages the market (see the header)
  }, options.intervalMs ?? 100);
  return {
    set(update) {
      priceCents = update.priceCents ?? priceCents;
      sigma = update.sigma ?? sigma;
      if (update.noise !== undefined) extra = { ...extra, noise: update.noise };
      if (update.filtered === null) extra = { ...(extra.noise === undefined ? {} : { noise: extra.noise }) };
      else if (update.filtered) extra = { ...extra, ...update.filtered };
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
