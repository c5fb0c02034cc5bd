/**
 * Realistic stream entries for the decode benchmarks, written the way the daemons write them
 * (`encodeEntry`, i.e. JSON.stringify of a typed value) with the optional keys pricing-v2 and the
 * filtered index write (η, the index's error, the filtered print): ingest-api's bets, the batcher's events,
 * price-ingest's prints and the resolver's settlements. Deterministic, so runs compare.
 */
import type { BetEntry, EventEntry, PrintEntry, SettlementEntry } from '@tap/domain';
import { encodeEntry, type StreamKind } from '../src/codec.js';

const T0_MS = 1_764_000_000_000;

const betId = (i: number) => `01JAB${String(i).padStart(21, '0')}`;
const userId = (i: number) => `0x${(i % 5_000).toString(16).padStart(40, '0')}`;
const uuid = (i: number) => `123e4567-e89b-42d3-a456-${i.toString(16).padStart(12, '0')}`;
const priceCents = (i: number) => 9_500_000 + ((i * 7_919) % 200_000);

function bet(i: number): BetEntry {
  return {
    betId: betId(i),
    userId: userId(i),
    clientBetId: uuid(i),
    t0: T0_MS + i * 10,
    p0: priceCents(i) + 2_500,
    windowMs: 5_000,
    bandCents: 2_500,
    stakeMicros: 1_000_000 + (i % 100) * 10_000,
    multiplierBp: 21_500 + (i % 40) * 125,
    placedAt: T0_MS + i * 10 - 3,
    terms: {
      indexPriceCents: priceCents(i),
      printId: 1_000_000 + i,
      sigma: 0.000412 + (i % 13) * 1e-6,
      noise: 0.0000213 + (i % 7) * 1e-7,
      indexNoise: 0.0000119 + (i % 5) * 1e-7,
      tau1Ms: 1_000,
      tau2Ms: 6_000,
      probability: 0.3137 + (i % 17) * 0.001,
      g: 0.05,
      multiplierBp: 21_500 + (i % 40) * 125,
      configVersion: 'v3',
    },
  };
}

function event(i: number): EventEntry {
  const b = bet(i);
  const balanceMicros = 50_000_000 - (i % 1_000) * 1_000;
  // Per bet: accepted (with its cell), then won or lost; now and then a deposit.
  if (i % 20 === 19)
    return { type: 'balance', userId: b.userId, balanceMicros, refType: 'deposit', refId: `dep-${i}` };
  if (i % 2 === 0) {
    const { t0, p0, windowMs, bandCents, stakeMicros, multiplierBp } = b;
    const cell = { t0, p0, windowMs, bandCents, stakeMicros, multiplierBp };
    return { type: 'bet', userId: b.userId, betId: b.betId, status: 'accepted', balanceMicros, bet: cell };
  }
  if (i % 3 === 0)
    return {
      type: 'bet',
      userId: b.userId,
      betId: b.betId,
      status: 'won',
      balanceMicros,
      payoutMicros: 2_150_000,
    };
  return { type: 'bet', userId: b.userId, betId: b.betId, status: 'lost', balanceMicros };
}

function print(i: number): PrintEntry {
  return {
    id: 1_000_000 + i,
    t: T0_MS + i * 100,
    priceCents: priceCents(i),
    venues: 3,
    sigma: 0.000412,
    noise: 0.0000213 + (i % 7) * 1e-7,
    filteredCents: priceCents(i) - 3,
    filteredNoise: 0.0000119,
    simulated: false,
  };
}

function settlement(i: number): SettlementEntry {
  const p = print(i);
  const ref = { id: p.id, t: p.t, priceCents: p.priceCents };
  const low = p.priceCents - 1_250;
  const high = p.priceCents + 1_250;
  const evidence =
    i % 3 === 0
      ? { printId: p.id, t: p.t, priceCents: p.priceCents, low, high }
      : { low, high, lastPrint: ref, closingPrint: ref };
  return { betId: betId(i), outcome: i % 3 === 0 ? 'won' : 'lost', evidence, settledAt: p.t + 12 };
}

export const HOT_KINDS = ['bets', 'events', 'prices', 'settlements'] as const satisfies readonly StreamKind[];
export type HotKind = (typeof HOT_KINDS)[number];

const BUILDERS = { bets: bet, events: event, prices: print, settlements: settlement } as const;

/** `count` entries of `kind` as XREAD returns their fields: ['d', json]. */
export function entryFields(kind: HotKind, count: number): [string, string][] {
  const build = BUILDERS[kind] as (i: number) => never;
  return Array.from({ length: count }, (_, i) => encodeEntry(kind, build(i)));
}
