/**
 * The admission call alone (issue 19), on a real redis-server with infra/redis.conf's AOF setting:
 * CPU per admitted bet in this process (the client: building and writing the command, parsing the
 * answer) and in Redis (`INFO cpu`), for bets arriving `perTurn` at a time in one event-loop turn
 * (what a busy uWS loop hands over), one bet a call (`ADMIT_BATCH_BETS_MAX=1`) against the turn's
 * bets in one call (the default). CPU time, not wall time, so a loaded host inflates both sides
 * alike; the order of the configurations alternates over ROUNDS, each figure is the median.
 *
 *   npx tsx services/ingest-api/bench/admission.bench.ts [betsPerRun]
 */
import { randomUUID } from 'node:crypto';
import { createChannels } from '@tap/channels';
import { DEFAULT_PRICING_CONFIG } from '@tap/pricing';
import { startRedis } from '@tap/testkit/standalone';
import { Redis } from 'ioredis';
import type { AdmissionBatching } from '../src/bets/admission-batch.js';
import { type Admission, createAdmission, ONE_BET_A_CALL } from '../src/bets/admission-script.js';

const BETS = Number(process.argv[2] ?? 20_000);
const ROUNDS = 3;
const USERS = 1_000;
const PER_TURN = [1, 4, 16];
const LIMITS = {
  cellMicros: 1e15,
  columnMicros: 1e15,
  totalMicros: 1e15,
  userPayoutMicros: 1e15,
  userOpenBets: 1e9,
};
const RATE = { ratePerS: 1e6, burst: 1e6 };
const BATCHED: AdmissionBatching = { betsMax: 16, callsInFlightMax: 4 };

const users = Array.from({ length: USERS }, (_, i) => `0x${i.toString(16).padStart(40, '0')}`);
// A realistic terms snapshot (pricing-v2.3 writes η and the index's error): the entry and the record carry it.
const TERMS =
  '{"indexPriceCents":9512345,"printId":1234567,"sigma":0.00041234567,"noise":0.0000213456,"indexNoise":0.0000119876,' +
  '"tau1Ms":1000,"tau2Ms":6000,"probability":0.31371234,"g":0.05,"multiplierBp":21500,"configVersion":"pricing-v2.3"}';

function aBet(i: number): Admission {
  const userId = users[i % USERS]!;
  const t0 = Math.ceil((Date.now() + 20_000) / 5_000) * 5_000;
  const betId = `01J${String(i).padStart(23, '0')}`;
  const clientBetId = randomUUID();
  const entryJson =
    `{"betId":"${betId}","userId":"${userId}","clientBetId":"${clientBetId}","t0":${t0},"p0":9501000,` +
    `"windowMs":5000,"bandCents":1000,"stakeMicros":1000000,"multiplierBp":21500,"placedAt":${Date.now()},"terms":${TERMS}}`;
  return {
    userId,
    clientBetId,
    betId,
    t0,
    p0: 9_501_000 + (i % 9) * 1_000,
    stakeMicros: 1_000_000,
    payoutMicros: 2_150_000,
    fingerprint: `${t0}:9501000:1000000:10500`,
    entryJson,
    termsBytes: TERMS.length,
    exposureExpireAtMs: t0 + 120_000,
    receivedAtMs: Date.now(),
    leadMs: DEFAULT_PRICING_CONFIG.leadMs,
  };
}

async function redisCpuS(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(info.match(new RegExp(`${name}:([\\d.]+)`))?.[1] ?? Number.NaN);
  return field('used_cpu_user') + field('used_cpu_sys');
}

async function once(redis: Redis, batching: AdmissionBatching, perTurn: number) {
  const channels = createChannels(`bench-${randomUUID().slice(0, 8)}:`);
  await redis.set(channels.keys.balanceCacheReady, '1');
  const seed = redis.pipeline();
  for (const u of users) seed.hset(channels.keys.wallet(u), 'balance', '1000000000000');
  await seed.exec();
  const admit = createAdmission(redis, channels, LIMITS, RATE, batching);
  const bets = Array.from({ length: BETS }, (_, i) => aBet(i));
  const redisBefore = await redisCpuS(redis);
  const before = process.cpuUsage();
  let admitted = 0;
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < BETS; i += perTurn) {
    for (let j = i; j < Math.min(BETS, i + perTurn); j++)
      pending.push(admit(bets[j]!).then((r) => void (r.ok && admitted++)));
    // The next turn's bets come after this turn's I/O, as requests do.
    await new Promise((resolve) => setImmediate(resolve));
    if (pending.length > 256) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  const cpu = process.cpuUsage(before);
  const redisS = (await redisCpuS(redis)) - redisBefore;
  if (admitted !== BETS) throw new Error(`admitted ${admitted} of ${BETS}`);
  await redis.del(channels.streams.bets);
  return { clientUs: (cpu.user + cpu.system) / BETS, redisUs: (redisS * 1e6) / BETS };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const server = await startRedis();
const redis = new Redis(server.url, { enableAutoPipelining: true });
try {
  console.log(`${BETS} bets a run, median of ${ROUNDS}; µs of CPU per admitted bet`);
  console.log('bets per turn | one a call: client / Redis | the turn in one call: client / Redis');
  for (const perTurn of PER_TURN) {
    const runs: Record<'one' | 'turn', { clientUs: number; redisUs: number }[]> = { one: [], turn: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['one', 'turn'] as const) : (['turn', 'one'] as const);
      for (const mode of order)
        runs[mode].push(await once(redis, mode === 'one' ? ONE_BET_A_CALL : BATCHED, perTurn));
    }
    const cell = (mode: 'one' | 'turn') =>
      `${median(runs[mode].map((r) => r.clientUs)).toFixed(1)} / ${median(runs[mode].map((r) => r.redisUs)).toFixed(1)}`;
    console.log(`${perTurn} | ${cell('one')} | ${cell('turn')}`);
  }
} finally {
  redis.disconnect();
  await server.stop();
}
