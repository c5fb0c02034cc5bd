/**
 * Differential test of the fast path against zod: seeded random valid entries of every hot kind, and
 * every one of them mutated field by field (deleted, replaced by a value of another type, sign,
 * range, pattern or enum, extra keys at every level). For each text the fast validator, `decodeEntry`
 * and the zod schema must agree on accept/refuse, and on the decoded value down to key order.
 */
import { describe, expect, it } from 'vitest';
import { decodeEntry, decodeWithSchema, type StreamKind } from './codec.js';
import { FAST_VALIDATORS } from './fast-validators.js';

type HotKind = keyof typeof FAST_VALIDATORS;
type Json = Record<string, unknown>;

/** mulberry32: small, seeded, good enough to spread cases. */
function rngOf(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(values: readonly T[]): T => values[int(0, values.length - 1)] as T;
  const chars = (alphabet: string, length: number) =>
    Array.from({ length }, () => alphabet[int(0, alphabet.length - 1)]).join('');
  return { next, int, pick, chars, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof rngOf>;

const HEX = '0123456789abcdef';
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const userId = (r: Rng) => `0x${r.chars(HEX, 40)}`;
const betId = (r: Rng) => r.chars(CROCKFORD, 26);
const uuid = (r: Rng) => {
  const hex = r.chance(0.2) ? '0123456789ABCDEF' : HEX;
  return [8, 4, 4, 4, 12].map((n) => r.chars(hex, n)).join('-');
};
/** Integers from the edges as well as the middle: 0, small, large, the largest safe one. */
const anyInt = (r: Rng, min: 0 | 1) =>
  r.pick([min, min + 1, r.int(min, 1_000), r.int(min, 2 ** 40), Number.MAX_SAFE_INTEGER]);
const unit = (r: Rng) => r.pick([0, 1, r.next(), 1e-9]);

/** Keys in schema order, each optional one present about half the time. */
function terms(r: Rng): Json {
  const t: Json = {
    indexPriceCents: anyInt(r, 1),
    printId: anyInt(r, 0),
    sigma: r.pick([0, r.next() / 100, 3]),
  };
  if (r.chance(0.5)) t.noise = r.pick([0, r.next() / 1_000]);
  if (r.chance(0.5)) t.indexNoise = r.pick([0, r.next() / 1_000]);
  Object.assign(t, {
    tau1Ms: anyInt(r, 0),
    tau2Ms: anyInt(r, 0),
    probability: unit(r),
    g: r.pick([0, r.next(), 1.5]),
    multiplierBp: anyInt(r, 1),
    configVersion: r.pick(['v1', 'x', `cfg-${r.int(0, 99)}`]),
  });
  if (r.chance(0.3)) t.entry = 'next_print';
  return t;
}

function nextPrint(r: Rng): Json {
  const next: Json = { minMultiplierBp: anyInt(r, 1) };
  if (r.chance(0.5)) next.delayPrints = r.pick([2, r.int(2, 50), 50]);
  return next;
}

function bet(r: Rng): Json {
  return {
    betId: betId(r),
    userId: userId(r),
    clientBetId: uuid(r),
    t0: anyInt(r, 0),
    p0: anyInt(r, 0),
    windowMs: anyInt(r, 1),
    bandCents: anyInt(r, 1),
    stakeMicros: anyInt(r, 1),
    multiplierBp: anyInt(r, 1),
    placedAt: anyInt(r, 0),
    terms: terms(r),
    ...(r.chance(0.4) ? { nextPrint: nextPrint(r) } : {}),
  };
}

function print(r: Rng): Json {
  const p: Json = {
    id: anyInt(r, 0),
    t: anyInt(r, 0),
    priceCents: anyInt(r, 1),
    venues: anyInt(r, 0),
    sigma: unit(r),
  };
  if (r.chance(0.5)) p.noise = r.pick([0, r.next() / 1_000]);
  if (r.chance(0.5)) p.filteredCents = anyInt(r, 1);
  if (r.chance(0.5)) p.filteredNoise = r.pick([0, r.next() / 1_000]);
  p.simulated = r.chance(0.5);
  return p;
}

function evidence(r: Rng): Json {
  return r.pick<Json>([
    {},
    { touchedAt: anyInt(r, 0), printId: anyInt(r, 0) },
    { prints: [1, 2.5, 'x'], nested: { a: null, b: [true] }, note: 'window expired' },
    { '1': 'integer-like keys sort first', z: -1 },
  ]);
}

function settlement(r: Rng): Json {
  return {
    betId: betId(r),
    outcome: r.pick(['won', 'lost', 'void']),
    evidence: evidence(r),
    settledAt: anyInt(r, 0),
  };
}

function event(r: Rng): Json {
  if (r.chance(0.3))
    return {
      type: 'balance',
      userId: userId(r),
      balanceMicros: anyInt(r, 0),
      refType: 'deposit',
      refId: 'x',
    };
  const e: Json = {
    type: 'bet',
    userId: userId(r),
    betId: betId(r),
    status: r.pick(['pending', 'accepted', 'rejected', 'won', 'lost', 'void']),
  };
  if (r.chance(0.3)) e.reason = r.pick(['', 'internal', 'window_closed']);
  if (r.chance(0.3)) e.payoutMicros = anyInt(r, 0);
  e.balanceMicros = anyInt(r, 0);
  if (r.chance(0.4)) {
    const { t0, p0, windowMs, bandCents, stakeMicros, multiplierBp } = bet(r);
    e.bet = { t0, p0, windowMs, bandCents, stakeMicros, multiplierBp };
  }
  if (r.chance(0.3)) e.fillPrint = { id: anyInt(r, 0), t: anyInt(r, 0) };
  return e;
}

const BUILDERS: Record<HotKind, (r: Rng) => Json> = {
  bets: bet,
  events: event,
  prices: print,
  settlements: settlement,
};

/** Stand-ins for what JSON.stringify cannot write, swapped into the text afterwards. */
const TEXT_ONLY: Record<string, string> = { '"@inf"': '1e999', '"@-inf"': '-1e999', '"@-0"': '-0' };
const toText = (value: unknown) =>
  Object.entries(TEXT_ONLY).reduce((text, [from, to]) => text.replaceAll(from, to), JSON.stringify(value));

/** Every field gets each of these: other types, signs, fractions, ranges, patterns and enum values. */
const REPLACEMENTS: readonly unknown[] = [
  null,
  true,
  false,
  [],
  [1],
  {},
  { a: 1 },
  -1,
  0,
  '@-0',
  0.5,
  1,
  1.5,
  2,
  1e-7,
  0.9999999,
  1.0000001,
  Number.MAX_SAFE_INTEGER,
  2 ** 53,
  2 ** 60,
  1e21,
  -Number.MAX_SAFE_INTEGER,
  '@inf',
  '@-inf',
  '',
  '0',
  '1',
  'x',
  'a'.repeat(300),
  '0x00000000000000000000000000000000000000aa',
  '0x00000000000000000000000000000000000000AA',
  '0x00000000000000000000000000000000000000a',
  '00000000000000000000000000000000000000000aa',
  '01JAB00000000000000000000A',
  '01jab00000000000000000000a',
  '01JAB00000000000000000000I',
  '01JAB00000000000000000000',
  '123e4567-e89b-12d3-a456-426614174000',
  '123E4567-E89B-12D3-A456-426614174000',
  '123e4567e89b12d3a456426614174000',
  '123e4567-e89b-12d3-a456-42661417400g',
  '123e4567-e89b-12d3-a456-426614174000\n',
  'bet',
  'balance',
  'won',
  'Won',
  'accepted',
  'settled',
];
const EXTRA_KEYS = ['extra', 'id', 'constructor', 'toString', 'hasOwnProperty'];

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The entry with one change at every place: each key deleted or replaced, extra keys at each level. */
function* mutations(value: Json): Generator<string> {
  for (const key of Object.keys(value)) {
    const { [key]: _, ...without } = value;
    yield toText(without);
    for (const replacement of REPLACEMENTS) yield toText({ ...value, [key]: replacement });
    const inner = value[key];
    if (isObject(inner))
      for (const text of mutations(inner)) yield toText(value).replace(JSON.stringify(inner), text);
  }
  for (const key of EXTRA_KEYS) yield toText({ ...value, [key]: 1 });
  // An own `__proto__` key only comes from text (an object literal would set the prototype).
  const text = toText(value);
  yield text === '{}' ? '{"__proto__":1}' : text.replace('{', '{"__proto__":1,');
}

/** The same keys in another order (readers must not care, and must return zod's order). */
function shuffled(value: Json, r: Rng): Json {
  const entries = Object.entries(value).map(([k, v]) => [k, isObject(v) ? shuffled(v, r) : v] as const);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [entries[i], entries[j]] = [
      entries[j] as (typeof entries)[number],
      entries[i] as (typeof entries)[number],
    ];
  }
  return Object.fromEntries(entries);
}

/** zod keeps such a record minus the key; the fast path leaves it to zod (tested below). */
const hasOwnProtoEvidence = (kind: HotKind, json: unknown) =>
  kind === 'settlements' &&
  isObject(json) &&
  isObject(json.evidence) &&
  Object.hasOwn(json.evidence, '__proto__');

/** Checks one text; returns whether zod accepted it. */
function agree(kind: StreamKind & HotKind, text: string): boolean {
  const reference = decodeWithSchema(kind, JSON.parse(text));
  const fast = FAST_VALIDATORS[kind](JSON.parse(text));
  const decoded = decodeEntry(kind, ['d', text]);
  const context = `${kind} ${text}`;
  const zodOnly = hasOwnProtoEvidence(kind, JSON.parse(text));
  expect(fast !== undefined, context).toBe(reference.ok && !zodOnly);
  expect(decoded, context).toEqual(reference);
  if (reference.ok && decoded.ok && !zodOnly) {
    expect(fast, context).toEqual(reference.value);
    expect(JSON.stringify(fast), context).toBe(JSON.stringify(reference.value));
    expect(JSON.stringify(decoded.value), context).toBe(JSON.stringify(reference.value));
  }
  return reference.ok;
}

const KINDS = Object.keys(FAST_VALIDATORS) as HotKind[];
const VALID_PER_KIND = 2_000;
const MUTATED_BASES_PER_KIND = 12;

describe('fast validators', () => {
  it.each(KINDS)('accept every generated valid %s entry as zod does, in any key order', (kind) => {
    const r = rngOf(0x7a9 + kind.length);
    for (let i = 0; i < VALID_PER_KIND; i++) {
      const value = BUILDERS[kind](r);
      expect(agree(kind, toText(value))).toBe(true);
      expect(agree(kind, toText(shuffled(value, r)))).toBe(true);
    }
  });

  it.each(KINDS)('agree with zod on every mutation of a %s entry', (kind) => {
    const r = rngOf(0x51ce + kind.length);
    let refused = 0;
    let total = 0;
    for (let i = 0; i < MUTATED_BASES_PER_KIND; i++) {
      for (const text of mutations(BUILDERS[kind](r))) {
        total += 1;
        if (!agree(kind, text)) refused += 1;
      }
    }
    // Most mutations break the entry; some (an int where an int is due) keep it valid.
    expect(refused).toBeGreaterThan(total / 2);
    expect(total - refused).toBeGreaterThan(0);
  });

  it.each(KINDS)('agree with zod on a %s payload that is not an entry object', (kind) => {
    for (const text of ['null', '[]', '"x"', '1', 'true', '{}', '{"type":"bet"}', '{"type":"balance"}'])
      agree(kind, text);
  });

  it('leaves an evidence record with an own __proto__ key to zod, which drops the key', () => {
    const value = { ...settlement(rngOf(1)), evidence: { a: 1 } };
    const text = toText(value).replace('"evidence":{', '"evidence":{"__proto__":{"x":1},');
    expect(FAST_VALIDATORS.settlements(JSON.parse(text))).toBeUndefined();
    const decoded = decodeEntry('settlements', ['d', text]);
    expect(decoded.ok).toBe(true);
    expect(decoded).toEqual(decodeWithSchema('settlements', JSON.parse(text)));
    expect(decoded.ok && JSON.stringify(decoded.value.evidence)).toBe('{"a":1}');
  });

  it('returns fresh objects in schema order, as zod does', () => {
    const value = bet(rngOf(2));
    const text = toText(shuffled(value, rngOf(3)));
    const decoded = decodeEntry('bets', ['d', text]);
    expect(decoded.ok && Object.keys(decoded.value)).toEqual(Object.keys(value));
    expect(decoded.ok && Object.keys(decoded.value.terms)).toEqual(Object.keys(value.terms as Json));
  });

  it('names the broken field in the reason, as zod words it', () => {
    const value = bet(rngOf(4));
    const text = toText({ ...value, terms: { ...(value.terms as Json), probability: 1.5 } });
    const decoded = decodeEntry('bets', ['d', text]);
    expect(decoded).toMatchObject({ ok: false, code: 'entry_malformed' });
    expect(!decoded.ok && decoded.reason).toContain('terms.probability');
  });
});
