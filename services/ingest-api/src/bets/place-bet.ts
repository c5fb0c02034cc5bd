/**
 * The bet admission use case (SPEC §3, §6.1). The answer is decided in this order: body (a
 * malformed one never reaches Redis) → Redis memory (past 90 % of maxmemory `503 service_busy`,
 * retries included: SPEC §6 keeps the rest for prints and settlements) → the per-wallet rate limit → a retry of a known clientBetId
 * gets its original answer (even if the market moved since) → breaker and print freshness → the
 * batcher applying (heartbeat and lag) → stake
 * range → cell rules and price → the trader's minimum multiplier → the admission script.
 *
 * The checks that need no Redis run first, so a bet that passes them costs ONE round trip: the
 * admission script takes the rate-limit token and deduplicates itself. A bet they refuse takes its
 * token and reads its idempotency record in one round trip instead, so the order above holds either
 * way. Every refusal is a verdict named after the broken rule; apart from the rate limit's token
 * nothing is written to Redis before the script, and the script writes all or nothing.
 *
 * Next-tick entry (`BET_ENTRY=next_print`, issue 22): every check above still runs at receipt (a
 * cell the latest print does not offer, or offers below the trader's minimum, is refused at once),
 * but the bet is admitted unpriced: its exposure is reserved at `reserveMultiplierBp` (the worst
 * case admission allows it), the entry carries `nextPrint` and the 202 says only pending. The
 * batcher prices it at the first print after `receivedAtMs` (services/batcher/src/apply/fill.ts).
 * Its quote — what `minMultiplierBp` is checked against, what `quote_moved` reports and what the
 * reservation scales — is the quote at the expected fill (`quoteExpectedFill` at the fill's print
 * count, docs/pricing.md "Quote at the expected fill"), as the web grid shows it.
 */
import { type Channels, WALLET_FIELDS } from '@tap/channels';
import {
  type BetEntry,
  type ErrorCode,
  FILL_DELAY_PRINTS_MAX,
  type PrintEntry,
  payoutMicros,
  type Terms,
} from '@tap/domain';
import {
  betTermsOf,
  checkPlaceable,
  type FillDelay,
  type PricingConfig,
  type PrintQuoteMemo,
  quoteExpectedFill,
} from '@tap/pricing';
import type { Redis } from '@tap/runtime';
import { describe } from '../auth/login.js';
import { type BatcherRules, checkBatcher } from '../market/batcher-check.js';
import { checkTrading, type MarketSnapshot } from '../market/market-state.js';
import type { RedisMemory } from '../market/redis-memory.js';
import type { TokenBucket } from '../rate-limit/token-bucket.js';
import type { Admit, AdmitResult } from './admission-script.js';
import { type BetRequest, fingerprintOf, parseBetRequest } from './bet-request.js';
import { type AcceptedBet, decodeAnswer, decodeRecord, encodeAnswer } from './idempotency-record.js';

export type { AcceptedBet };

export interface PlaceBetDeps extends BatcherRules {
  market: { snapshot(): MarketSnapshot };
  /** Redis memory admission: past 90 % of maxmemory new bets are refused (SPEC §6). */
  memory: RedisMemory;
  rateLimit: TokenBucket;
  admit: Admit;
  redis: Redis;
  channels: Channels;
  pricing: PricingConfig;
  /** The quotes of the newest prints' cells, each computed once (`createPrintQuoteMemo`). */
  quotes: PrintQuoteMemo<BetQuote>;
  stakeMicrosMin: number;
  stakeMicrosMax: number;
  heartbeatAgeMsMax: number;
  printAgeMsMax: number;
  /** Accept bets on simulated prints (DEMO_MODE); otherwise they are refused `simulated_prices`. */
  demoMode: boolean;
  /** BET_ENTRY and BET_ENTRY_RESERVE_PCT (config.ts). */
  entry: BetEntryRule;
  newBetId: () => string;
}

export interface BetEntryRule {
  mode: 'receipt' | 'next_print';
  reservePct: number;
  /** next_print: which print after receipt fills a bet (BET_ENTRY_DELAY and its variables). */
  delay: FillDelay;
  /**
   * next_print: `delay` applied to the bets as they come, its decreases eased
   * (BET_ENTRY_DELAY_EASE_PCT, `@tap/pricing` createServiceFillDelay).
   */
  fillPrints: (print: PrintEntry, receivedAtMs: number) => number;
}

/**
 * `fixed`: every bet at `prints` (BET_ENTRY_DELAY_PRINTS; 1 = the next print); `adaptive`: each at
 * the print `adaptiveFillDelay` gives from the print in effect at receipt (docs/pricing.md
 * "Adaptive fill delay"). `@tap/pricing`'s, so the web quotes under the same rule.
 */
export type { FillDelay };

export type PlaceBetVerdict =
  /** `json`: the body as sent (`JSON.stringify(body)`, built around the terms' JSON written once). */
  | {
      ok: true;
      body: AcceptedBet;
      json: string;
      /** next_print: the print after receipt that fills it (for the metric; absent for a retry). */
      fillPrints?: number;
    }
  | { ok: false; code: ErrorCode; message?: string; details?: Record<string, unknown> };

/** `receivedAtMs` is the server receive time: the instant the bet is priced at (SPEC §3). */
export async function placeBet(
  deps: PlaceBetDeps,
  userId: string,
  body: unknown,
  receivedAtMs: number,
): Promise<PlaceBetVerdict> {
  const parsed = parseBetRequest(body);
  if (!parsed.success) return { ok: false, code: 'invalid_body', message: describe(parsed.error) };
  const full = deps.memory.refusal('bet');
  if (full) return { ok: false, code: full };
  const request = parsed.data;
  const priced = priceRequest(deps, request, receivedAtMs);
  if (priced.ok) return admit(deps, userId, request, priced, receivedAtMs);

  // Refused before admission: the rate limit and a retry's original answer still come first.
  const { keys } = deps.channels;
  const taken = await deps.rateLimit.take(
    { key: keys.wallet(userId), field: WALLET_FIELDS.rate },
    receivedAtMs,
    keys.idempotency(userId, request.clientBetId),
  );
  if (!taken.ok) return rateLimited(taken.retryAfterMs);
  if (taken.read !== null) return answerRetry(taken.read, request);
  return priced.refusal;
}

/**
 * The checks that need no Redis, in order: breaker and print freshness, the batcher check
 * (batcher-check.ts), a simulated print outside demo mode (SPEC §9), stake range, cell rules and price, the trader's minimum multiplier. Pure:
 * nothing is written whatever it answers.
 */
function priceRequest(
  deps: PlaceBetDeps,
  request: BetRequest,
  receivedAtMs: number,
): Priced | { ok: false; refusal: Extract<PlaceBetVerdict, { ok: false }> } {
  const refuse = (refusal: Extract<PlaceBetVerdict, { ok: false }>) => ({ ok: false as const, refusal });
  const trading = checkTrading(deps.market.snapshot(), receivedAtMs, deps);
  if (!trading.ok) return refuse({ ok: false, code: trading.code, message: trading.reason });
  const batcher = checkBatcher(deps.market.snapshot().batcher, receivedAtMs, deps);
  if (!batcher.ok) return refuse({ ok: false, code: batcher.code, message: batcher.reason });
  if (trading.print.simulated && !deps.demoMode) return refuse({ ok: false, code: 'simulated_prices' });
  if (request.stakeMicros < deps.stakeMicrosMin || request.stakeMicros > deps.stakeMicrosMax) {
    return refuse({
      ok: false,
      code: 'stake_out_of_range',
      details: { stakeMicrosMin: deps.stakeMicrosMin, stakeMicrosMax: deps.stakeMicrosMax },
    });
  }
  const { print } = trading;
  // Placeability reads the receive time; the rest of the quote is the print's and the cell's alone,
  // so the bets of one print on one cell share it (print-quote-memo.ts).
  const placeable = checkPlaceable({ t0: request.t0, p0: request.p0, nowMs: receivedAtMs }, deps.pricing);
  if (!placeable.ok)
    return refuse({ ok: false, code: placeable.code, details: { reason: placeable.reason } });
  const fillPrints = serviceFillPrints(deps, print, receivedAtMs);
  const quote = deps.quotes.get(print, `${request.t0}|${request.p0}|${fillPrints}`, () =>
    quoteBet(deps, request, print, receivedAtMs, fillPrints),
  );
  if (!quote.ok) return refuse({ ok: false, code: quote.code, details: { reason: quote.reason } });
  if (quote.shownBp < request.minMultiplierBp) {
    // The print that priced it: a client quoting from the same print gets exactly this multiplier.
    const details = { multiplierBp: quote.shownBp, printId: print.id };
    return refuse({ ok: false, code: 'quote_moved', details });
  }
  return { ok: true, terms: quote.terms, print, quotedBp: quote.shownBp, fillPrints };
}

/** A cell's quote from a print: the terms a bet is priced at, and the multiplier it is shown. */
export type BetQuote =
  | { ok: true; terms: Terms; shownBp: number }
  | { ok: false; code: 'cell_not_placeable' | 'cell_not_offered'; reason: string };

/**
 * The terms from S (`betTermsOf`; S is the filtered index when price-ingest prints one,
 * INDEX_FILTER=on, as the web display reads it) and the multiplier shown: the terms' own at receipt
 * entry, else the quote at the bet's expected fill print. A wallet's own delay (`tapctl delay`) is
 * not in it: it is learnt from the admission script, after this check; such a wallet's fills land
 * further below its quote.
 */
function quoteBet(
  deps: PlaceBetDeps,
  request: BetRequest,
  print: PrintEntry,
  receivedAtMs: number,
  fillPrints: number,
): BetQuote {
  const priced = betTermsOf(request, print, receivedAtMs, deps.pricing);
  if (!priced.ok) return { ok: false, code: priced.refusal.code, reason: priced.refusal.reason };
  if (fillPrints === 0) return { ok: true, terms: priced.terms, shownBp: priced.terms.multiplierBp };
  const cell = { t0: request.t0, p0: request.p0, nowMs: receivedAtMs };
  const shown = quoteExpectedFill(print, cell, fillPrints, deps.pricing);
  if (!shown.ok) return { ok: false, code: shown.code, reason: shown.reason };
  return { ok: true, terms: priced.terms, shownBp: shown.multiplierBp };
}

/**
 * A bet priced at receipt: its terms and the print they came from; the multiplier it was quoted
 * (at the expected fill under next-tick entry) and the service's fill print count (0: receipt).
 */
interface Priced {
  ok: true;
  terms: Terms;
  print: PrintEntry;
  quotedBp: number;
  fillPrints: number;
}

/**
 * The multiplier a next-tick bet's exposure is reserved at: `reservePct` % of the quote at receipt,
 * at most the offered maximum, at least the trader's minimum (the fill is refused outside
 * [minimum, reservation], so the booked exposure is never exceeded).
 */
export function reserveMultiplierBp(
  quotedBp: number,
  minMultiplierBp: number,
  rule: BetEntryRule,
  maxBp: number,
) {
  const scaled = Math.ceil((quotedBp * rule.reservePct) / 100);
  return Math.max(minMultiplierBp, Math.min(maxBp, scaled));
}

const rateLimited = (retryAfterMs: number): PlaceBetVerdict => ({
  ok: false,
  code: 'rate_limited',
  details: { retryAfterMs },
});

/**
 * `delayPrints`: the wallet's fill delay the entry is built for (0: none). A delayed wallet's bet is
 * a next-tick entry filled at that print whatever BET_ENTRY says; the script answers `fill_delay`
 * when the wallet's delay is not the one the entry was built for, and the bet is built and
 * admitted again, once.
 */
async function admit(
  deps: PlaceBetDeps,
  userId: string,
  request: BetRequest,
  priced: Priced,
  receivedAtMs: number,
  delayPrints = 0,
): Promise<PlaceBetVerdict> {
  const { accepted, entry } = betToAdmit(deps, userId, request, priced, receivedAtMs, delayPrints);
  const termsJson = JSON.stringify(entry.terms);
  const { json } = encodeAnswer(accepted, termsJson);
  const result = await deps.admit({
    userId,
    clientBetId: request.clientBetId,
    betId: entry.betId,
    t0: request.t0,
    p0: request.p0,
    stakeMicros: request.stakeMicros,
    payoutMicros: payoutMicros(request.stakeMicros, entry.multiplierBp),
    fingerprint: fingerprintOf(request),
    entryJson: betEntryJson(entry, termsJson),
    // The record's answer is `betId|termsJson` (cut from the entry's end) or `betId|next_print`.
    termsBytes: 'terms' in accepted ? Buffer.byteLength(termsJson) : 0,
    // Exposure on a cell matters until its window is settled; SPEC §4's dead-man sweep ends at +60 s.
    exposureExpireAtMs: request.t0 + deps.pricing.windowMs + 120_000,
    receivedAtMs,
    leadMs: deps.pricing.leadMs,
    delayPrints,
  });
  if (!result.ok && result.code === 'fill_delay' && delayPrints === 0 && isDelay(result.prints)) {
    return admit(deps, userId, request, priced, receivedAtMs, result.prints);
  }
  // The delay changed between the two calls (an operator just set or lifted it), or the key holds
  // no valid delay: retry later.
  if (!result.ok && result.code === 'fill_delay') return { ok: false, code: 'service_unavailable' };
  if (!result.ok && result.code === 'rate_limited') return rateLimited(result.retryAfterMs);
  if (!result.ok) return { ok: false, code: result.code, details: refusalDetails(result) };
  if ('duplicate' in result) return { ok: true, ...decodeAnswer(result.answer) };
  const fillPrints = entry.nextPrint ? (entry.nextPrint.delayPrints ?? 1) : undefined;
  return { ok: true, body: accepted, json, ...(fillPrints === undefined ? {} : { fillPrints }) };
}

/**
 * `JSON.stringify(entry)` around its terms already encoded (`termsJson`), keys in the entry's order.
 * Without `nextPrint` the terms end the entry (`…,"terms":{…}}`): the admission script cuts the
 * idempotency answer's terms from there (`Admission.termsBytes`).
 */
export function betEntryJson(entry: BetEntry, termsJson: string): string {
  const { terms: _, nextPrint, ...head } = entry;
  const start = JSON.stringify(head).slice(0, -1);
  const next = nextPrint === undefined ? '' : `,"nextPrint":${JSON.stringify(nextPrint)}`;
  return `${start},"terms":${termsJson}${next}}`;
}

/** A delay an entry can carry; any other value in the key refuses the bet (503): fail closed. */
const isDelay = (prints: number) =>
  Number.isInteger(prints) && prints >= 1 && prints <= FILL_DELAY_PRINTS_MAX;

/** The 202 body and the `tap:bets` entry of a bet priced at receipt, or a next-tick one (delayed or not). */
function betToAdmit(
  deps: PlaceBetDeps,
  userId: string,
  request: BetRequest,
  priced: Priced,
  receivedAtMs: number,
  delayPrints: number,
): { accepted: AcceptedBet; entry: BetEntry } {
  const { terms } = priced;
  const betId = deps.newBetId();
  const nextPrint = deps.entry.mode === 'next_print' || delayPrints > 0;
  const accepted: AcceptedBet = nextPrint
    ? { betId, status: 'pending', entry: 'next_print' }
    : { betId, status: 'pending', multiplierBp: terms.multiplierBp, terms };
  const { minMultiplierBp } = request;
  const bookedBp = nextPrint
    ? reserveMultiplierBp(priced.quotedBp, minMultiplierBp, deps.entry, deps.pricing.multiplierBpMax)
    : terms.multiplierBp;
  // The wallet's delay (the admission script checks the entry was built for it) or the service's
  // fill delay, whichever is longer.
  const fillAt = Math.max(delayPrints, priced.fillPrints);
  const delay = fillAt >= 2 ? { delayPrints: fillAt } : {};
  const entry: BetEntry = {
    betId,
    userId,
    clientBetId: request.clientBetId,
    t0: request.t0,
    p0: request.p0,
    windowMs: deps.pricing.windowMs,
    bandCents: deps.pricing.bandCents,
    stakeMicros: request.stakeMicros,
    multiplierBp: bookedBp,
    placedAt: receivedAtMs,
    terms,
    ...(nextPrint ? { nextPrint: { minMultiplierBp, ...delay } } : {}),
  };
  return { accepted, entry };
}

/** The service's fill delay for a bet received at `receivedAtMs` (0 under receipt entry). */
function serviceFillPrints(deps: PlaceBetDeps, print: PrintEntry, receivedAtMs: number): number {
  if (deps.entry.mode !== 'next_print') return 0;
  return deps.entry.fillPrints(print, receivedAtMs);
}

function refusalDetails(result: Exclude<AdmitResult, { ok: true }>): Record<string, unknown> | undefined {
  if (result.code === 'exposure_limit') return { limit: result.limit };
  if (result.code === 'cell_not_placeable') return { reason: result.reason };
  return undefined;
}

function answerRetry(prior: string, request: BetRequest): PlaceBetVerdict {
  const record = decodeRecord(prior);
  if (record.fingerprint !== fingerprintOf(request)) return { ok: false, code: 'idempotency_conflict' };
  return { ok: true, ...record.answer };
}
