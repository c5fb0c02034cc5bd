/**
 * Admission micro-benchmark (issue 19): ingest-api's real bet path below HTTP — `placeBet` (parse,
 * price, build the entry) → the batched admission script — against a real redis-server signed in as
 * the `ingest-api` ACL user (production's rights: an ACL refusal shows as errors), open loop at a
 * fixed rate, for one ingest-api source tree or an A/B of two.
 *
 * An A/B on a shared, loaded host: both trees are loaded into this one process (each with its own
 * Redis connection, rate-limit bucket and admission script, on one redis-server) and run in short
 * alternating chunks (A B B A A B …), each chunk drained before the next starts, so a slow period
 * hits both alike. Per tree it reports, per bet answered: this process's CPU µs (process.cpuUsage —
 * the admission path plus the fake market's and the market state's timers, the same for both),
 * Redis' CPU µs (INFO cpu: used_cpu_user + used_cpu_sys), EVALSHA calls and µs (INFO commandstats),
 * the time from each bet's planned start to its verdict; and B/A as the median over adjacent chunk
 * pairs. Prints one JSON line.
 *
 *   node --import tsx services/ingest-api/bench/admission-ab.bench.ts [--src DIR]… [--rate N] [--seconds S]
 *     [--chunk S] [--bets-max N]
 *
 * `--src` is an ingest-api `src` directory (default this checkout's); another commit's copy must sit
 * under `services/ingest-api/` so its imports resolve: `mkdir services/ingest-api/.base && git
 * archive main services/ingest-api/src | tar -x --strip-components=2 -C services/ingest-api/.base`,
 * then `--src services/ingest-api/.base/src --src services/ingest-api/src`. Not a `bench run`
 * scenario: it measures one daemon's code path, not the stack.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createChannels, WALLET_FIELDS } from '@tap/channels';
import { DEFAULT_PRICING_CONFIG } from '@tap/pricing';
import { startFakeMarket, startRedis } from '@tap/testkit/standalone';
import { Redis } from 'ioredis';

const { values } = parseArgs({
  options: {
    src: { type: 'string', multiple: true },
    // Per --src, in order: how its connection reaches Redis, `tcp` (loopback; the test kit's and the
    // bench stack's default) or `unix` (the socket production uses, infra/redis.conf). Default tcp.
    transport: { type: 'string', multiple: true },
    rate: { type: 'string', default: '1000' },
    // Measured seconds per tree, after `warmup` seconds per tree.
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '2' },
    chunk: { type: 'string', default: '2' },
    wallets: { type: 'string', default: '1000' },
    // ADMIT_BATCH_BETS_MAX (config.ts default 16); 1 shows the per-call costs.
    'bets-max': { type: 'string', default: '16' },
  },
});
const RATE = Number(values.rate);
const CHUNK_S = Number(values.chunk);
const WARMUP_CHUNKS = Math.ceil(Number(values.warmup) / CHUNK_S);
const CHUNKS = Math.ceil(Number(values.seconds) / CHUNK_S);
const WALLETS = Number(values.wallets);
const BETS_MAX = Number(values['bets-max']);
const SRCS = (values.src ?? [resolve(import.meta.dirname, '../src')]).map((s) => resolve(s));
const PREFIX = 'tap:';
const PRICE_CENTS = 9_500_000;

// biome-ignore lint/suspicious/noExplicitAny: the modules of another checkout are loaded by path
type Loose = any;

const TRANSPORTS = SRCS.map((_, i) => values.transport?.[i] ?? 'tcp');

const server = await startRedis({ aclPrefix: PREFIX, unixSocket: true });
const admin = new Redis(server.url);
const channels = createChannels(PREFIX);
const { REDIS_USERNAME, REDIS_PASSWORD } = server.credentials('ingest-api');
// As createRedis configures a daemon's client (auto-pipelining on).
const newClient = (transport = 'tcp') => {
  const options = {
    username: REDIS_USERNAME,
    password: REDIS_PASSWORD,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 3,
  };
  if (transport === 'tcp') return new Redis(server.port, '127.0.0.1', options);
  return new Redis({ ...options, path: new URL(server.socketUrl as string).pathname });
};
const market = await startFakeMarket({ redisUrl: server.url, prefix: PREFIX });
const heartbeat = () => admin.hset(channels.keys.batcherHeartbeat, { at: Date.now(), lagMs: 0 });
await heartbeat();
const heartbeatTimer = setInterval(() => void heartbeat(), 200);

const users = Array.from({ length: WALLETS }, (_, i) => `0x${i.toString(16).padStart(40, '0')}`);
const seed = admin.pipeline();
for (const user of users) seed.hset(channels.keys.wallet(user), WALLET_FIELDS.balance, String(10 ** 15));
seed.set(channels.keys.balanceCacheReady, '1');
await seed.exec();

const quiet = () => undefined;
const SILENT = { info: quiet, warn: quiet, error: quiet, debug: quiet };
const marketClient = newClient();
const marketModule: Loose = await import(resolve(SRCS[0] as string, 'market/market-state.ts'));
const marketState = marketModule.startMarketState(marketClient, channels, SILENT, 50);
while (!marketState.snapshot().print) await new Promise((r) => setTimeout(r, 20));

/** One tree's bet path: `placeBet` over its own deps, as api-deps.ts builds them (limits raised). */
interface Tree {
  src: string;
  transport: string;
  redis: Redis;
  place(user: string, body: unknown, at: number): Promise<{ ok: boolean; code?: string }>;
}

async function loadTree(src: string, transport: string): Promise<Tree> {
  const load = (path: string): Promise<Loose> => import(resolve(src, path));
  const [{ placeBet }, { createAdmission }, { createTokenBucket }, { createBetIdFactory }] =
    await Promise.all([
      load('bets/place-bet.ts'),
      load('bets/admission-script.ts'),
      load('rate-limit/token-bucket.ts'),
      load('bets/bet-id.ts'),
    ]);
  const redis = newClient(transport);
  const rule = { ratePerS: 50, burst: 100 };
  const big = 10 ** 15;
  const limits = {
    cellMicros: big,
    columnMicros: big,
    totalMicros: big,
    userPayoutMicros: big,
    userOpenBets: 1e9,
  };
  const deps = {
    market: marketState,
    memory: { refusal: () => undefined },
    rateLimit: createTokenBucket(redis, rule),
    admit: createAdmission(redis, channels, limits, rule, { betsMax: BETS_MAX, callsInFlightMax: 4 }),
    redis,
    channels,
    pricing: DEFAULT_PRICING_CONFIG,
    stakeMicrosMin: 100_000,
    stakeMicrosMax: 100_000_000,
    heartbeatAgeMsMax: 10_000,
    printAgeMsMax: 5_000,
    batcherHeartbeatAgeMsMax: 10_000,
    batcherLagMsMax: 10_000,
    demoMode: false,
    entry: { mode: 'receipt', reservePct: 100, delay: { kind: 'fixed', prints: 1 } },
    newBetId: createBetIdFactory(),
  };
  const place = (user: string, body: unknown, at: number): Promise<{ ok: boolean; code?: string }> =>
    placeBet(deps, user, body, at);
  return { src, transport, redis, place };
}
const trees: Tree[] = [];
for (const [i, src] of SRCS.entries()) trees.push(await loadTree(src, TRANSPORTS[i] as string));

interface Totals {
  cpuUs: number;
  redisUs: number;
  evalCalls: number;
  evalUs: number;
  bets: number;
}
async function sample(): Promise<Totals> {
  const [cpu, stats] = await Promise.all([admin.info('cpu'), admin.info('commandstats')]);
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(cpu)?.[1] ?? Number.NaN);
  const evalsha = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(stats);
  const { user, system } = process.cpuUsage();
  return {
    cpuUs: user + system,
    redisUs: (field('used_cpu_user') + field('used_cpu_sys')) * 1e6,
    evalCalls: Number(evalsha?.[1] ?? 0),
    evalUs: Number(evalsha?.[2] ?? 0),
    bets: 0,
  };
}
const minus = (a: Totals, b: Totals): Totals => ({
  cpuUs: a.cpuUs - b.cpuUs,
  redisUs: a.redisUs - b.redisUs,
  evalCalls: a.evalCalls - b.evalCalls,
  evalUs: a.evalUs - b.evalUs,
  bets: a.bets - b.bets,
});
const plus = (a: Totals, b: Totals): Totals => ({
  cpuUs: a.cpuUs + b.cpuUs,
  redisUs: a.redisUs + b.redisUs,
  evalCalls: a.evalCalls + b.evalCalls,
  evalUs: a.evalUs + b.evalUs,
  bets: a.bets + b.bets,
});

/** One chunk of one tree: open loop at RATE for CHUNK_S, then every bet answered. */
async function runChunk(tree: Tree, latencies: number[], verdicts: Map<string, number>) {
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  let sent = 0;
  await new Promise<void>((done) => {
    const timer = setInterval(() => {
      const elapsedS = (performance.now() - start) / 1_000;
      // Every bet due by now goes out in this tick, timed from its planned start.
      const due = Math.min(Math.floor(elapsedS * RATE), Math.round(CHUNK_S * RATE));
      for (; sent < due; sent += 1) {
        const plannedAt = start + (sent / RATE) * 1_000;
        const now = Date.now();
        const t0 = Math.ceil((now + 3_000) / 5_000) * 5_000 + 5_000;
        const p0 = Math.floor(PRICE_CENTS / 1_000) * 1_000 + 1_000;
        const body = { clientBetId: randomUUID(), t0, p0, stakeMicros: 1_000_000, minMultiplierBp: 10_500 };
        const verdict = tree.place(users[sent % WALLETS] as string, body, now).then(
          (v) => {
            const key = v.ok ? 'ok' : (v.code ?? 'refused');
            verdicts.set(key, (verdicts.get(key) ?? 0) + 1);
            latencies.push(performance.now() - plannedAt);
          },
          (err: Error) =>
            void verdicts.set(`error: ${err.message}`, (verdicts.get(`error: ${err.message}`) ?? 0) + 1),
        );
        inFlight.push(verdict);
      }
      if (sent >= Math.round(CHUNK_S * RATE)) {
        clearInterval(timer);
        done();
      }
    }, 1);
  });
  await Promise.all(inFlight);
  return sent;
}

const results = trees.map(() => ({
  totals: { cpuUs: 0, redisUs: 0, evalCalls: 0, evalUs: 0, bets: 0 } as Totals,
  chunks: [] as Totals[],
  latencies: [] as number[],
  verdicts: new Map<string, number>(),
}));
// A B B A A B B A …: neither tree always runs first after the other.
const order = (round: number) =>
  round % 2 === 0 ? trees.map((_, i) => i) : trees.map((_, i) => i).reverse();
for (let round = 0; round < WARMUP_CHUNKS + CHUNKS; round += 1) {
  for (const i of order(round)) {
    const tree = trees[i] as Tree;
    const result = results[i] as (typeof results)[number];
    const measured = round >= WARMUP_CHUNKS;
    const before = await sample();
    const bets = await runChunk(
      tree,
      measured ? result.latencies : [],
      measured ? result.verdicts : new Map(),
    );
    const chunk = { ...minus(await sample(), before), bets };
    if (measured) {
      result.chunks.push(chunk);
      result.totals = plus(result.totals, chunk);
    }
  }
}

const round1 = (x: number) => Number(x.toFixed(1));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? Number.NaN;
const perBet = (t: Totals) => ({
  clientCpuUs: round1(t.cpuUs / t.bets),
  redisCpuUs: round1(t.redisUs / t.bets),
  evalshaCalls: Number((t.evalCalls / t.bets).toFixed(3)),
  evalshaUs: round1(t.evalUs / t.bets),
});
const report = results.map((r, i) => {
  const lat = [...r.latencies].sort((a, b) => a - b);
  const pct = (p: number) => Number((lat[Math.floor((lat.length - 1) * p)] ?? 0).toFixed(2));
  return {
    src: trees[i]?.src,
    transport: trees[i]?.transport,
    bets: r.totals.bets,
    perBet: perBet(r.totals),
    latencyMs: { p50: pct(0.5), p99: pct(0.99), max: pct(1) },
    verdicts: Object.fromEntries(r.verdicts),
  };
});
const [a, b] = results;
const ratios =
  a && b
    ? Object.fromEntries(
        (['clientCpuUs', 'redisCpuUs', 'evalshaUs'] as const).map((key) => [
          key,
          Number(
            median(a.chunks.map((c, j) => perBet(b.chunks[j] as Totals)[key] / perBet(c)[key])).toFixed(3),
          ),
        ]),
      )
    : undefined;
console.log(
  JSON.stringify({ rate: RATE, betsMax: BETS_MAX, chunkS: CHUNK_S, trees: report, bOverA: ratios }),
);

clearInterval(heartbeatTimer);
marketState.stop();
await market.stop();
for (const tree of trees) tree.redis.disconnect();
marketClient.disconnect();
admin.disconnect();
await server.stop();
process.exit(0);
