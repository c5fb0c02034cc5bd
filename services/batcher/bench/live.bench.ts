/**
 * The batcher in the live path, alone: bets admitted at a steady open-loop rate (the test kit's
 * admission commands, one pipeline per 1 ms timer turn) to a real redis-server, applied by a built
 * batcher, its CPU per bet read from /proc — the batch-size-dependent costs `batcher-apply` (a
 * pre-filled stream, full batches) does not see. Variants run alternately, each round on a fresh
 * prefix and data directory on one Redis, so a loaded host's drift falls on every variant alike.
 *
 *   npx tsx bench/live.bench.ts [--rate 3000] [--seconds 15] [--warmup 5] [--rounds 2] \
 *     --variant main=dist/main.js --variant wait10=dist/main.js,BATCH_WAIT_MS=10
 *
 * A variant is `name=<bundle>[,KEY=value…][,--node-flag…]`: the bundle relative to this package
 * (copy another build's dist/main.js beside it to compare code), the batcher's environment, and
 * node flags (`--cpu-prof,--cpu-prof-dir=/tmp/p`). Per variant and round it prints JSON: batcher
 * and Redis CPU µs per bet and the batcher's CPU %, batches and bets per batch, and admission
 * (XADD) → `tap:events` p50/p99 ms (the batcher's share of request → accepted).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChannels, encodeEntry } from '@tap/channels';
import { Redis } from '@tap/runtime';
import {
  aBetPlacedNow,
  anAdjustment,
  CLOCK_TICKS_PER_S,
  freePort,
  freshPrefix,
  queueAdmission,
  readProcStat,
  scrapeMetric,
  startProcess,
  startRedis,
  TEST_OPERATOR_KEY,
  unitNodeArgs,
  waitForHealthy,
} from '@tap/testkit/standalone';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(args[at + 1]);
};
const rate = option('rate', 3_000);
const seconds = option('seconds', 15);
const warmup = option('warmup', 5);
const rounds = option('rounds', 2);
const variants = args.flatMap((arg, i) => (args[i - 1] === '--variant' ? [parseVariant(arg)] : []));
if (variants.length === 0) variants.push(parseVariant('dist=dist/main.js'));

function parseVariant(text: string) {
  const [name = '', bundle = 'dist/main.js', ...pairs] = splitAt(text, '=', (rest) => rest.split(','));
  const nodeArgs = pairs.filter((pair) => pair.startsWith('--'));
  const settings = pairs.filter((pair) => !pair.startsWith('--'));
  const env = Object.fromEntries(settings.map((pair) => splitAt(pair, '=', (value) => [value])));
  return { name, bundle: join(import.meta.dirname, '..', bundle), nodeArgs, env };
}

/** `head<sep>rest` → [head, ...tail(rest)]; only the first separator counts. */
function splitAt(text: string, sep: string, tail: (rest: string) => string[]): string[] {
  const at = text.indexOf(sep);
  return at < 0 ? [text] : [text.slice(0, at), ...tail(text.slice(at + 1))];
}

const WALLETS = 1_000;
const wallet = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;
const cpuTicks = (pid: number) => {
  const stat = readProcStat(pid);
  if (!stat) throw new Error(`no /proc/${pid}/stat`);
  return stat.cpuTicks;
};

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function runVariant(redisUrl: string, redisPid: number, variant: (typeof variants)[number]) {
  const prefix = freshPrefix();
  const channels = createChannels(prefix);
  const port = await freePort();
  const daemon = startProcess(
    process.execPath,
    [...unitNodeArgs('batcher'), ...variant.nodeArgs, variant.bundle],
    {
      name: `batcher-${variant.name}`,
      env: {
        PATH: process.env.PATH ?? '',
        ...{
          REDIS_URL: redisUrl,
          TAP_KEY_PREFIX: prefix,
          OPS_PORT: String(port),
          DATA_DIR: mkdtempSync(join(tmpdir(), 'tap-batcher-live-')),
        },
        ...{ LOG_LEVEL: 'warn', DEAD_MAN_SWEEP_INTERVAL_MS: '0', OPERATOR_MAC_KEY: TEST_OPERATOR_KEY },
        ...variant.env,
      },
    },
  );
  const redis = new Redis(redisUrl);
  const events = new Redis(redisUrl);
  try {
    await waitForHealthy(`http://127.0.0.1:${port}/healthz`, 30_000);
    const funding = redis.pipeline();
    for (let n = 0; n < WALLETS; n += 1) {
      const deposit = anAdjustment({ userId: wallet(n), amountMicros: 1_000_000_000_000 });
      funding.xadd(channels.streams.adjustments, '*', ...encodeEntry('adjustments', deposit));
    }
    await funding.exec();
    while ((await redis.hget(channels.keys.wallet(wallet(WALLETS - 1)), 'balance')) === null) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Admission → published event, from the bet's placedAt to its event's stream id time.
    const placedAt = new Map<string, number>();
    const latencies: number[] = [];
    let measuring = false;
    let eventsId = '$';
    let reading = true;
    const readEvents = (async () => {
      while (reading) {
        const reply = (await events.xread(
          'COUNT',
          10_000,
          'BLOCK',
          100,
          'STREAMS',
          channels.streams.events,
          eventsId,
        )) as [string, [string, string[]][]][] | null;
        for (const [id, fields] of reply?.[0]?.[1] ?? []) {
          eventsId = id;
          const { betId } = JSON.parse(fields[1]!) as { betId?: string };
          const at = betId === undefined ? undefined : placedAt.get(betId);
          if (at === undefined) continue;
          placedAt.delete(betId!);
          if (measuring) latencies.push(Number(id.split('-')[0]) - at);
        }
      }
    })();
    const metricsUrl = `http://127.0.0.1:${port}/metrics`;
    const startMs = Date.now();
    let sent = 0;
    let sample: { ticks: number; redisTicks: number; batches: number; sent: number; at: number } | undefined;
    let result: Record<string, unknown> | undefined;
    await new Promise<void>((done) => {
      const tick = async () => {
        const now = Date.now();
        const elapsedS = (now - startMs) / 1000;
        const due = Math.floor(elapsedS * rate) - sent;
        if (due > 0) {
          const pipeline = redis.pipeline();
          for (let i = 0; i < due; i += 1) {
            const bet = aBetPlacedNow({ userId: wallet((sent + i) % WALLETS) });
            placedAt.set(bet.betId, bet.placedAt);
            queueAdmission(pipeline, channels, bet);
          }
          sent += due;
          void pipeline.exec();
        }
        if (!sample && elapsedS >= warmup) {
          measuring = true;
          const batches = await scrapeMetric(metricsUrl, 'tap_batcher_batches_total');
          sample = { ticks: cpuTicks(daemon.pid), redisTicks: cpuTicks(redisPid), batches, sent, at: now };
        }
        if (sample && elapsedS >= warmup + seconds && !result) {
          measuring = false;
          const batches = (await scrapeMetric(metricsUrl, 'tap_batcher_batches_total')) - sample.batches;
          const bets = sent - sample.sent;
          const wallS = (Date.now() - sample.at) / 1000;
          const perBet = (ticks: number) => Math.round(((ticks / CLOCK_TICKS_PER_S) * 1e6) / bets);
          result = {
            variant: variant.name,
            env: variant.env,
            betsPerS: Math.round(bets / wallS),
            batcherCpuUsPerBet: perBet(cpuTicks(daemon.pid) - sample.ticks),
            batcherCpuPct: Math.round(
              ((cpuTicks(daemon.pid) - sample.ticks) / CLOCK_TICKS_PER_S / wallS) * 100,
            ),
            redisCpuUsPerBet: perBet(cpuTicks(redisPid) - sample.redisTicks),
            batchesPerS: Math.round(batches / wallS),
            betsPerBatch: Math.round(bets / batches),
          };
          done();
          return;
        }
        setTimeout(tick, 1);
      };
      void tick();
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    reading = false;
    await readEvents;
    latencies.sort((a, b) => a - b);
    return {
      ...result,
      eventP50Ms: percentile(latencies, 0.5),
      eventP99Ms: percentile(latencies, 0.99),
      eventMaxMs: latencies.at(-1),
      eventsMeasured: latencies.length,
    };
  } finally {
    redis.disconnect();
    events.disconnect();
    await daemon.stop();
  }
}

const server = await startRedis();
try {
  for (let round = 1; round <= rounds; round += 1) {
    for (const variant of variants) {
      console.log(JSON.stringify({ round, ...(await runVariant(server.url, server.pid, variant)) }));
    }
  }
} finally {
  await server.stop();
}
