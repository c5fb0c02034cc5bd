/**
 * A `tap:events` entry → the text ws-gateway publishes, per entry, on 100,000 realistic events:
 * before (JSON.parse + zod, then JSON.stringify({ ...event, id })), the fast decoder with the same
 * re-serialization, and now (`eventMessage`: fast decoder + the entry text with the id spliced in).
 * Best of ROUNDS passes after a warm-up pass; prints messages/s and µs/message.
 *
 *   npx tsx services/ws-gateway/bench/event-message.bench.ts [count]
 */
import assert from 'node:assert/strict';
import { decodeEntry, encodeEntry } from '@tap/channels';
import { type EventEntry, eventEntrySchema } from '@tap/domain';
import { eventMessage } from '../src/protocol/server-message.js';

const COUNT = Number(process.argv[2] ?? 100_000);
const ROUNDS = 5;

/** The batcher's mix: each bet accepted (with its cell) then won or lost, now and then a deposit. */
function event(i: number): EventEntry {
  const userId = `0x${(i % 5_000).toString(16).padStart(40, '0')}`;
  const betId = `01JAB${String(i).padStart(21, '0')}`;
  const balanceMicros = 50_000_000 - (i % 1_000) * 1_000;
  if (i % 20 === 19) return { type: 'balance', userId, balanceMicros, refType: 'deposit', refId: `dep-${i}` };
  if (i % 2 === 1)
    return i % 3 === 0
      ? { type: 'bet', userId, betId, status: 'won', balanceMicros, payoutMicros: 2_150_000 }
      : { type: 'bet', userId, betId, status: 'lost', balanceMicros };
  const bet = {
    t0: 1_764_000_000_000 + i,
    p0: 9_512_500,
    windowMs: 5_000,
    bandCents: 2_500,
    stakeMicros: 1_000_000,
    multiplierBp: 21_500,
  };
  return { type: 'bet', userId, betId, status: 'accepted', balanceMicros, bet };
}

type Build = (id: string, fields: readonly string[]) => string;

const PATHS: Record<string, Build> = {
  'zod + stringify (before)': (id, fields) => {
    const parsed = eventEntrySchema.safeParse(JSON.parse(fields[1] ?? ''));
    assert(parsed.success);
    return JSON.stringify({ ...parsed.data, id });
  },
  'fast + stringify': (id, fields) => {
    const decoded = decodeEntry('events', fields);
    assert(decoded.ok);
    return JSON.stringify({ ...decoded.value, id });
  },
  'fast + splice (now)': (id, fields) => {
    const built = eventMessage(id, fields);
    assert(built.ok);
    return built.message;
  },
};

const entries = Array.from(
  { length: COUNT },
  (_, i) => [`1764000000000-${i}`, encodeEntry('events', event(i))] as const,
);
const best: Record<string, number> = {};
// Rounds interleave the paths, so GC and JIT state favour none of them.
for (let round = 0; round <= ROUNDS; round++)
  for (const [name, build] of Object.entries(PATHS)) {
    let bytes = 0;
    const start = process.hrtime.bigint();
    for (const [id, fields] of entries) bytes += build(id, fields).length;
    const rate = entries.length / (Number(process.hrtime.bigint() - start) / 1e9);
    assert(bytes > 0);
    if (round > 0) best[name] = Math.max(best[name] ?? 0, rate);
  }

console.log(`node ${process.version}, ${COUNT} events, best of ${ROUNDS}`);
console.log('path                       messages/s   µs/message');
for (const [name, rate] of Object.entries(best))
  console.log(
    `${name.padEnd(26)} ${Math.round(rate).toLocaleString('en').padStart(10)}   ${(1e6 / rate).toFixed(2).padStart(10)}`,
  );
console.log(
  `speed-up ×${((best['fast + splice (now)'] ?? 0) / (best['zod + stringify (before)'] ?? 1)).toFixed(1)}`,
);
