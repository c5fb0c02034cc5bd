/**
 * Resolver benchmark: 100 000 open bets, one print every 100 ms (SPEC §9), for `--seconds`.
 *
 * Starts a real redis-server and the built resolver (`npx tsup` first), seeds the bets into this
 * week's SQLite segment (the start-up path), then keeps about that many open by publishing
 * `accepted` events for each column entering the 60 s horizon (spread over 5 s), while a
 * random-walk index (σ ≈ 30 %/year) prints every 100 ms on its own connection. Prints one JSON
 * object:
 * - resolver CPU per print (process CPU from /metrics ÷ prints) and index time per print;
 * - win latency: from the print whose processing decided it (the touching print, or for a touch
 *   by the print in effect at t0 the first print after t0) to the settlement's append to
 *   `tap:settlements` (its stream id); SPEC target p99 ≤ 50 ms;
 * - loss latency: from the window end (t0 + W) to the append; SPEC target p99 ≤ 1 s.
 *
 * Usage (from services/resolver): npx tsx bench/resolver.bench.ts [--seconds 60] [--bets 100000]
 */
import { encodeEntry } from '@tap/channels';
import type { BetEntry, PrintEntry } from '@tap/domain';
import { Redis } from '@tap/runtime';
import { aBet, startRedis } from '@tap/testkit/standalone';
import { type ResolverHarness, startResolverHarness } from '../src/resolver-harness.js';

const W = 5_000;
const H = 1_000;
const HORIZON_MS = 60_000;
const PRINT_EVERY_MS = 100;
const BANDS_EACH_SIDE = 20;
const START_PRICE = 9_500_000;
/** σ floor 30 %/year, per print: ≈ 160 cents at $95k. */
const STEP_SIGMA_CENTS = START_PRICE * (0.3 / Math.sqrt(365 * 86_400)) * Math.sqrt(PRINT_EVERY_MS / 1_000);

interface Run {
  harness: ResolverHarness;
  redisUrl: string;
  perColumn: number;
  t0Of: Map<string, number>;
  prints: PrintEntry[];
  replenished: number;
}

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = Math.imul(state ^ (state >>> 15), 1 | state);
    x ^= x + Math.imul(x ^ (x >>> 7), 61 | x);
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** `count` bets spread evenly over the bands around `price` in the column at t0. */
function columnBets(run: Run, t0: number, price: number): BetEntry[] {
  const base = Math.floor(price / H) * H;
  const bets = Array.from({ length: run.perColumn }, (_, i) =>
    aBet({
      t0,
      windowMs: W,
      bandCents: H,
      p0: base + ((i % (2 * BANDS_EACH_SIDE + 1)) - BANDS_EACH_SIDE) * H,
    }),
  );
  for (const b of bets) run.t0Of.set(b.betId, b.t0);
  return bets;
}

/**
 * Prints every 100 ms on a dedicated connection. Each column entering the 60 s horizon gets its
 * bets, published a slice per print over the next 5 s (bets arrive steadily, as traders tap).
 */
function startPrinter(run: Run, firstFreeT0: number): () => void {
  const random = seeded(7);
  const connection = new Redis(run.redisUrl);
  const arriving: BetEntry[] = [];
  const perPrint = Math.ceil(run.perColumn / (W / PRINT_EVERY_MS));
  let price = START_PRICE;
  let nextT0 = firstFreeT0;
  const timer = setInterval(() => {
    const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    price = Math.max(1, Math.round(price + STEP_SIGMA_CENTS * gaussian));
    const print = {
      id: run.prints.length + 1,
      t: Date.now(),
      priceCents: price,
      venues: 3,
      sigma: 0.0005,
      simulated: false,
    };
    run.prints.push(print);
    void connection.xadd(run.harness.channels.streams.prices, '*', ...encodeEntry('prices', print));
    if (nextT0 - print.t <= HORIZON_MS) {
      arriving.push(...columnBets(run, nextT0, price));
      nextT0 += W;
    }
    const slice = arriving.splice(0, perPrint);
    run.replenished += slice.length;
    if (slice.length > 0) void run.harness.publishAccepted(slice);
  }, PRINT_EVERY_MS);
  return () => {
    clearInterval(timer);
    connection.disconnect();
  };
}

type RawSettlement = {
  betId: string;
  outcome: 'won' | 'lost' | 'void';
  evidence: { t?: number; reason?: string };
};

/** Reads `tap:settlements` for `seconds` and measures each settlement's latency by its stream id. */
async function collect(run: Run, seconds: number) {
  const reader = new Redis(run.redisUrl);
  const result = {
    won: [] as number[],
    lostAfterEnd: [] as number[],
    counts: { won: 0, lost: 0, void: 0 },
    voidReasons: {} as Record<string, number>,
  };
  const firstPrintAfter = (t: number) => run.prints.find((p) => p.t > t)?.t ?? t;
  let cursor = '$';
  for (const until = Date.now() + seconds * 1_000; Date.now() < until; ) {
    const stream = run.harness.channels.streams.settlements;
    const reply = (await reader.xread('COUNT', 10_000, 'BLOCK', 200, 'STREAMS', stream, cursor)) as
      | [string, [string, string[]][]][]
      | null;
    for (const [id, fields] of reply?.[0]?.[1] ?? []) {
      cursor = id;
      const appendedAt = Number(id.split('-')[0]);
      const s = JSON.parse(fields[1]!) as RawSettlement;
      result.counts[s.outcome] += 1;
      if (s.evidence.reason)
        result.voidReasons[s.evidence.reason] = (result.voidReasons[s.evidence.reason] ?? 0) + 1;
      const t0 = run.t0Of.get(s.betId);
      if (t0 === undefined) continue;
      if (s.outcome === 'won')
        result.won.push(appendedAt - (s.evidence.t! > t0 ? s.evidence.t! : firstPrintAfter(t0)));
      if (s.outcome === 'lost') result.lostAfterEnd.push(appendedAt - (t0 + W));
    }
  }
  reader.disconnect();
  return result;
}

function percentiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? null;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? null };
}

/** Sums every sample of each metric family in the resolver's /metrics. */
async function scrape(url: string): Promise<Map<string, number>> {
  const values = new Map<string, number>();
  for (const line of (await (await fetch(url)).text()).split('\n')) {
    const match = /^([a-z_]+)(?:\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (match) values.set(match[1]!, (values.get(match[1]!) ?? 0) + Number(match[2]));
  }
  return values;
}

async function main() {
  const seconds = arg('seconds', 60);
  const betsOpen = arg('bets', 100_000);
  const redisServer = await startRedis();
  // A 1 s recovery, as the stack benchmarks give health-monitor, so the two breakers agree.
  const harness = await startResolverHarness(redisServer, { LOG_LEVEL: 'warn', BREAKER_RECOVERY_MS: '1000' });
  const columns = Math.ceil(HORIZON_MS / W);
  const run: Run = {
    harness,
    redisUrl: redisServer.url,
    perColumn: Math.ceil(betsOpen / columns),
    t0Of: new Map(),
    prints: [],
    replenished: 0,
  };
  const firstT0 = Math.ceil((Date.now() + 5_000) / W) * W;
  const seed = Array.from({ length: columns }, (_, c) =>
    columnBets(run, firstT0 + c * W, START_PRICE),
  ).flat();
  harness.insertBets(seed);

  const startupAt = Date.now();
  await harness.start();
  const startupMs = Date.now() - startupAt;
  const metricsUrl = harness.healthUrl.replace('/healthz', '/metrics');
  const before = await scrape(metricsUrl);
  const stopPrinter = startPrinter(run, firstT0 + columns * W);
  const measured = await collect(run, seconds);
  stopPrinter();
  const after = await scrape(metricsUrl);
  const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
  const prints = delta('tap_resolver_print_processing_seconds_count');
  const report = {
    scenario: 'resolver',
    seconds,
    betsOpenTarget: betsOpen,
    seededFromSqlite: seed.length,
    replenishedByEvents: run.replenished,
    startupMs,
    openBetsAtEnd: (await harness.health()).openBets,
    prints,
    settlements: measured.counts,
    voidReasons: measured.voidReasons,
    cpuMsPerPrint: (delta('process_cpu_seconds_total') * 1_000) / prints,
    indexMsPerPrint: (delta('tap_resolver_print_processing_seconds_sum') * 1_000) / prints,
    winLatencyMs: percentiles(measured.won),
    lossAfterWindowEndMs: percentiles(measured.lostAfterEnd),
  };
  console.log(JSON.stringify(report, null, 2));
  await harness.close();
  await redisServer.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
