/**
 * Hand-written validators for the hot stream kinds (bets, events, prices, settlements): the rules
 * of the zod schemas in `@tap/domain` as plain `typeof` / `Number.isInteger` checks and exact key
 * counts, several times cheaper per entry than zod (bench/decode.bench.ts has the numbers).
 *
 * They are a fast path, not a second source of truth. Each returns the value exactly as zod would
 * (fresh objects, keys in schema order, so whatever re-serializes it writes the same bytes) or
 * `undefined`, and `decodeEntry` then hands the entry to the zod schema, which decides and words
 * the reason. fast-validators.test.ts proves both agree on generated valid and mutated entries.
 * The input is a `JSON.parse` result: no `undefined` values, functions or class instances.
 *
 * Every optional key of a schema must be known here too (issue 19): a key the fast path does not
 * know sends every entry carrying it to zod — pricing-v2's η and the filtered index once did that
 * silently for every bet and print, at ~5 µs an entry in the batcher.
 */
import assert from 'node:assert/strict';
import {
  BET_STATUSES,
  type BetCell,
  type BetEntry,
  betEntrySchema,
  betIdSchema,
  type EventEntry,
  FILL_DELAY_PRINTS_MAX,
  type FillPrint,
  OUTCOMES,
  type PrintEntry,
  type SettlementEntry,
  type Terms,
  userIdSchema,
} from '@tap/domain';
import type { z } from 'zod';

type JsonObject = Record<string, unknown>;
type BetEvent = Extract<EventEntry, { type: 'bet' }>;
type BalanceEvent = Extract<EventEntry, { type: 'balance' }>;
type NextPrint = NonNullable<BetEntry['nextPrint']>;

/** The pattern of a `z.string().regex(…)` schema, taken from it so the two cannot drift apart. */
function patternOf(schema: z.ZodString): RegExp {
  const [check, ...others] = schema._def.checks;
  assert(check?.kind === 'regex' && others.length === 0, 'expected a string schema with one regex check');
  return check.regex;
}

const USER_ID = patternOf(userIdSchema);
const BET_ID = patternOf(betIdSchema);
// zod keeps its uuid pattern private; this is a copy of zod 3's (the test pins it against zod).
const UUID = /^[0-9a-fA-F]{8}\b-[0-9a-fA-F]{4}\b-[0-9a-fA-F]{4}\b-[0-9a-fA-F]{4}\b-[0-9a-fA-F]{12}$/i;
assert(
  betEntrySchema.shape.clientBetId._def.checks.map((check) => check.kind).join() === 'uuid',
  'clientBetId is expected to be z.string().uuid()',
);

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isNonNegInt = (v: unknown): v is number => isInt(v) && v >= 0;
const isPositiveInt = (v: unknown): v is number => isInt(v) && v > 0;
// NaN fails `>= 0`, as zod refuses NaN as a number.
const isNonNegNumber = (v: unknown): v is number => typeof v === 'number' && v >= 0;
const isUserId = (v: unknown): v is string => typeof v === 'string' && USER_ID.test(v);
const isBetId = (v: unknown): v is string => typeof v === 'string' && BET_ID.test(v);
const isOneOf = <T extends string>(values: readonly T[], v: unknown): v is T =>
  typeof v === 'string' && (values as readonly string[]).includes(v);

/** Own enumerable keys, counted without allocating (strict schemas refuse any key they lack). */
function keyCount(o: JsonObject): number {
  let count = 0;
  for (const _ in o) count += 1;
  return count;
}

/** An optional key: absent, or present with a value `valid` accepts (a `null` is not absent). */
const isAbsentOr = <T>(v: unknown, valid: (v: unknown) => v is T): v is T | undefined =>
  v === undefined || valid(v);

function terms(o: unknown): Terms | undefined {
  if (!isObject(o)) return undefined;
  const { indexPriceCents, printId, sigma, noise, indexNoise, tau1Ms, tau2Ms, probability, g } = o;
  const { multiplierBp, configVersion, entry } = o;
  if (
    !isPositiveInt(indexPriceCents) ||
    !isNonNegInt(printId) ||
    !isNonNegNumber(sigma) ||
    !isAbsentOr(noise, isNonNegNumber) ||
    !isAbsentOr(indexNoise, isNonNegNumber) ||
    !isNonNegInt(tau1Ms) ||
    !isNonNegInt(tau2Ms) ||
    !isNonNegNumber(probability) ||
    probability > 1 ||
    !isNonNegNumber(g) ||
    !isPositiveInt(multiplierBp) ||
    typeof configVersion !== 'string' ||
    configVersion.length < 1 ||
    (entry !== undefined && entry !== 'next_print')
  )
    return undefined;
  const optional =
    Number(noise !== undefined) + Number(indexNoise !== undefined) + Number(entry !== undefined);
  if (keyCount(o) !== 9 + optional) return undefined;
  // Built key by key so the optional keys sit where zod puts them (schema order).
  const value = { indexPriceCents, printId, sigma } as Terms;
  if (noise !== undefined) value.noise = noise;
  if (indexNoise !== undefined) value.indexNoise = indexNoise;
  Object.assign(value, { tau1Ms, tau2Ms, probability, g, multiplierBp, configVersion });
  if (entry !== undefined) value.entry = entry;
  return value;
}

const isDelayPrints = (v: unknown): v is number => isInt(v) && v >= 2 && v <= FILL_DELAY_PRINTS_MAX;

function nextPrint(o: unknown): NextPrint | undefined {
  if (!isObject(o)) return undefined;
  const { minMultiplierBp, delayPrints } = o;
  if (!isPositiveInt(minMultiplierBp) || !isAbsentOr(delayPrints, isDelayPrints)) return undefined;
  if (keyCount(o) !== 1 + Number(delayPrints !== undefined)) return undefined;
  return delayPrints === undefined ? { minMultiplierBp } : { minMultiplierBp, delayPrints };
}

function betEntry(o: unknown): BetEntry | undefined {
  if (!isObject(o)) return undefined;
  const { betId, userId, clientBetId, t0, p0, windowMs, bandCents, stakeMicros, multiplierBp, placedAt } = o;
  if (
    !isBetId(betId) ||
    !isUserId(userId) ||
    typeof clientBetId !== 'string' ||
    !UUID.test(clientBetId) ||
    !isNonNegInt(t0) ||
    !isNonNegInt(p0) ||
    !isPositiveInt(windowMs) ||
    !isPositiveInt(bandCents) ||
    !isPositiveInt(stakeMicros) ||
    !isPositiveInt(multiplierBp) ||
    !isNonNegInt(placedAt)
  )
    return undefined;
  if (keyCount(o) !== 11 + Number(o.nextPrint !== undefined)) return undefined;
  const betTerms = terms(o.terms);
  if (betTerms === undefined) return undefined;
  const next = o.nextPrint === undefined ? undefined : nextPrint(o.nextPrint);
  if (o.nextPrint !== undefined && next === undefined) return undefined;
  const bet: BetEntry = {
    betId,
    userId,
    clientBetId,
    t0,
    p0,
    windowMs,
    bandCents,
    stakeMicros,
    multiplierBp,
    placedAt,
    terms: betTerms,
  };
  if (next !== undefined) bet.nextPrint = next;
  return bet;
}

function printEntry(o: unknown): PrintEntry | undefined {
  if (!isObject(o)) return undefined;
  const { id, t, priceCents, venues, sigma, noise, filteredCents, filteredNoise, simulated } = o;
  if (!isNonNegInt(id) || !isNonNegInt(t) || !isPositiveInt(priceCents) || !isNonNegInt(venues))
    return undefined;
  if (!isNonNegNumber(sigma) || typeof simulated !== 'boolean') return undefined;
  if (
    !isAbsentOr(noise, isNonNegNumber) ||
    !isAbsentOr(filteredCents, isPositiveInt) ||
    !isAbsentOr(filteredNoise, isNonNegNumber)
  )
    return undefined;
  const optional =
    Number(noise !== undefined) + Number(filteredCents !== undefined) + Number(filteredNoise !== undefined);
  if (keyCount(o) !== 6 + optional) return undefined;
  const print = { id, t, priceCents, venues, sigma } as PrintEntry;
  if (noise !== undefined) print.noise = noise;
  if (filteredCents !== undefined) print.filteredCents = filteredCents;
  if (filteredNoise !== undefined) print.filteredNoise = filteredNoise;
  print.simulated = simulated;
  return print;
}

/** `z.record(z.unknown())`: a shallow copy, as zod makes (which also drops a `__proto__` key). */
function record(o: unknown): JsonObject | undefined {
  if (!isObject(o)) return undefined;
  const copy: JsonObject = {};
  for (const key in o) {
    if (key === '__proto__') return undefined; // zod's quirk; leave it to zod
    copy[key] = o[key];
  }
  return copy;
}

function settlementEntry(o: unknown): SettlementEntry | undefined {
  if (!isObject(o) || keyCount(o) !== 4) return undefined;
  const { betId, outcome, settledAt } = o;
  if (!isBetId(betId) || !isOneOf(OUTCOMES, outcome) || !isNonNegInt(settledAt)) return undefined;
  const evidence = record(o.evidence);
  if (evidence === undefined) return undefined;
  return { betId, outcome, evidence, settledAt };
}

function betCell(o: unknown): BetCell | undefined {
  if (!isObject(o) || keyCount(o) !== 6) return undefined;
  const { t0, p0, windowMs, bandCents, stakeMicros, multiplierBp } = o;
  if (
    !isNonNegInt(t0) ||
    !isNonNegInt(p0) ||
    !isPositiveInt(windowMs) ||
    !isPositiveInt(bandCents) ||
    !isPositiveInt(stakeMicros) ||
    !isPositiveInt(multiplierBp)
  )
    return undefined;
  return { t0, p0, windowMs, bandCents, stakeMicros, multiplierBp };
}

function fillPrint(o: unknown): FillPrint | undefined {
  if (!isObject(o) || keyCount(o) !== 2) return undefined;
  const { id, t } = o;
  return isNonNegInt(id) && isNonNegInt(t) ? { id, t } : undefined;
}

function betEvent(o: JsonObject): BetEvent | undefined {
  const { userId, betId, status, reason, payoutMicros, balanceMicros } = o;
  if (!isUserId(userId) || !isBetId(betId) || !isOneOf(BET_STATUSES, status) || !isNonNegInt(balanceMicros))
    return undefined;
  if (reason !== undefined && typeof reason !== 'string') return undefined;
  if (payoutMicros !== undefined && !isNonNegInt(payoutMicros)) return undefined;
  const cell = o.bet === undefined ? undefined : betCell(o.bet);
  if (o.bet !== undefined && cell === undefined) return undefined;
  const fill = o.fillPrint === undefined ? undefined : fillPrint(o.fillPrint);
  if (o.fillPrint !== undefined && fill === undefined) return undefined;
  const expectedKeys =
    5 + Number(reason !== undefined) + Number(payoutMicros !== undefined) + Number(!!cell) + Number(!!fill);
  if (keyCount(o) !== expectedKeys) return undefined;
  // Built key by key so the optional keys sit where zod puts them (schema order).
  const event = { type: 'bet', userId, betId, status } as BetEvent;
  if (reason !== undefined) event.reason = reason;
  if (payoutMicros !== undefined) event.payoutMicros = payoutMicros;
  event.balanceMicros = balanceMicros;
  if (cell !== undefined) event.bet = cell;
  if (fill !== undefined) event.fillPrint = fill;
  return event;
}

function balanceEvent(o: JsonObject): BalanceEvent | undefined {
  if (keyCount(o) !== 5) return undefined;
  const { userId, balanceMicros, refType, refId } = o;
  if (!isUserId(userId) || !isNonNegInt(balanceMicros) || typeof refType !== 'string') return undefined;
  if (typeof refId !== 'string') return undefined;
  return { type: 'balance', userId, balanceMicros, refType, refId };
}

function eventEntry(o: unknown): EventEntry | undefined {
  if (!isObject(o)) return undefined;
  if (o.type === 'bet') return betEvent(o);
  if (o.type === 'balance') return balanceEvent(o);
  return undefined;
}

/** By stream kind (the keys of `ENTRY_SCHEMAS`); the cold kinds go straight to zod. */
export const FAST_VALIDATORS = {
  bets: betEntry,
  events: eventEntry,
  prices: printEntry,
  settlements: settlementEntry,
} as const;
