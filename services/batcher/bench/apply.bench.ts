/**
 * Batcher apply throughput, in process (no Redis): N funded users, M bets applied in batches of
 * BATCH through the real batch applier on a fresh segment (WAL, synchronous=FULL). Prints JSON.
 *   npx tsx bench/apply.bench.ts [bets=100000] [batch=1000]
 */
import { encodeEntry } from '@tap/channels';
import type { BetEntry } from '@tap/domain';
import { monotonicFactory } from 'ulid';
import { createBatchApplier, type StreamEntry } from '../src/apply/apply-batch.js';
import { openTestSegment } from '../src/storage/test-segment.js';

const betsTotal = Number(process.argv[2] ?? 100_000);
const batchSize = Number(process.argv[3] ?? 1_000);
const users = Array.from({ length: 1_000 }, (_, i) => `0x${i.toString(16).padStart(40, '0')}`);
const ulid = monotonicFactory();
const segment = openTestSegment();
segment.tx(() => {
  for (const user of users) segment.ledger.credit(user, 1_000_000_000, 'deposit', `d-${user}`, Date.now());
});
const applier = createBatchApplier(segment.db, {
  ledger: segment.ledger,
  bets: segment.bets,
  outbox: segment.outbox,
});

function betEntry(i: number): StreamEntry {
  const bet: BetEntry = {
    betId: ulid(),
    userId: users[i % users.length]!,
    clientBetId: '5f2b6a2e-8c1d-4b7e-9a3f-0d2e4c6b8a10',
    t0: 1_764_072_010_000,
    p0: 9_501_000,
    windowMs: 5_000,
    bandCents: 1_000,
    stakeMicros: 1_000_000,
    multiplierBp: 23_500,
    placedAt: Date.now(),
    terms: {
      indexPriceCents: 9_500_012,
      printId: 1_764_072_000_000,
      sigma: 0.0001,
      tau1Ms: 8_000,
      tau2Ms: 13_000,
      probability: 0.39,
      g: 0.01,
      multiplierBp: 23_500,
      configVersion: 'pricing-v1',
    },
  };
  return { kind: 'bets', stream: 'tap:bets', id: `${i}-0`, fields: encodeEntry('bets', bet) };
}

const entries = Array.from({ length: betsTotal }, (_, i) => betEntry(i));
const started = process.hrtime.bigint();
for (let i = 0; i < entries.length; i += batchSize) {
  const result = applier.apply(entries.slice(i, i + batchSize), Date.now());
  segment.outbox.markPublished(result.outbox);
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(
  JSON.stringify({
    bets: betsTotal,
    batch: batchSize,
    seconds,
    betsPerSecond: Math.round(betsTotal / seconds),
  }),
);
segment.close();
