/**
 * decodeEntry per hot stream kind on 100,000 realistic entries each: the zod-only path it replaced
 * (JSON.parse + schema.safeParse) against today's (JSON.parse + hand-written validator), with
 * JSON.parse alone as the floor; then the validation step alone on already-parsed values.
 * Best of ROUNDS passes after a warm-up pass; prints entries/s and µs/entry.
 *
 *   npx tsx packages/channels/bench/decode.bench.ts [count]
 */
import assert from 'node:assert/strict';
import { decodeEntry, decodeWithSchema, ENTRY_SCHEMAS, entryJson } from '../src/codec.js';
import { FAST_VALIDATORS } from '../src/fast-validators.js';
import { entryFields, HOT_KINDS, type HotKind } from './entries.js';

const COUNT = Number(process.argv[2] ?? 100_000);
const ROUNDS = 5;

type Path<I> = (kind: HotKind, input: I) => boolean;

const DECODE_PATHS: Record<string, Path<readonly string[]>> = {
  'JSON.parse only': (_kind, fields) => JSON.parse(entryJson(fields) ?? '') !== null,
  'zod (before)': (kind, fields) => decodeWithSchema(kind, JSON.parse(entryJson(fields) ?? '')).ok,
  'fast (now)': (kind, fields) => decodeEntry(kind, fields).ok,
};
const VALIDATE_PATHS: Record<string, Path<unknown>> = {
  'zod schema': (kind, json) => ENTRY_SCHEMAS[kind].safeParse(json).success,
  'fast validator': (kind, json) => FAST_VALIDATORS[kind](json) !== undefined,
};

/** Best entries/s per path; rounds interleave the paths so GC and JIT state favour none of them. */
function measure<I>(paths: Record<string, Path<I>>, kind: HotKind, inputs: readonly I[]) {
  const best: Record<string, number> = {};
  for (let round = 0; round <= ROUNDS; round++)
    for (const [name, path] of Object.entries(paths)) {
      const start = process.hrtime.bigint();
      for (const input of inputs) assert(path(kind, input));
      const rate = inputs.length / (Number(process.hrtime.bigint() - start) / 1e9);
      if (round > 0) best[name] = Math.max(best[name] ?? 0, rate);
    }
  return best;
}

function print(kind: HotKind, rates: Record<string, number>, before: string, after: string): void {
  for (const [name, rate] of Object.entries(rates)) {
    const perSecond = Math.round(rate).toLocaleString('en').padStart(10);
    console.log(
      `${kind.padEnd(12)} ${name.padEnd(16)} ${perSecond}   ${(1e6 / rate).toFixed(2).padStart(8)}`,
    );
  }
  console.log(`${kind.padEnd(12)} speed-up ×${((rates[after] ?? 0) / (rates[before] ?? 1)).toFixed(1)}`);
}

console.log(`node ${process.version}, ${COUNT} entries per kind, best of ${ROUNDS}`);
console.log('\ndecodeEntry (JSON text → validated value)');
console.log('kind         path              entries/s   µs/entry');
for (const kind of HOT_KINDS)
  print(kind, measure(DECODE_PATHS, kind, entryFields(kind, COUNT)), 'zod (before)', 'fast (now)');

console.log('\nvalidation only (already parsed)');
console.log('kind         path              entries/s   µs/entry');
for (const kind of HOT_KINDS) {
  const parsed = entryFields(kind, COUNT).map((fields) => JSON.parse(entryJson(fields) ?? '') as unknown);
  print(kind, measure(VALIDATE_PATHS, kind, parsed), 'zod schema', 'fast validator');
}
