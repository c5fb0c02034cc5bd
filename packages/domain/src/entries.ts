/**
 * The TypeScript types of every stream entry, derived from their validators (one source of truth).
 * Streams carry these as JSON; `@tap/channels` encodes and decodes them against these schemas, so a
 * malformed entry is caught at the reader (and dead-lettered) instead of corrupting state.
 */
import { z } from 'zod';
import { macSchema } from './operator/operator-mac.js';

// `.safe()`: every integer of an entry (money in micro-dollars, ids, times) must be exact in a JS
// number (SPEC §1); 2^53 + 1 would be read as a neighbour and break balance == SUM(ledger).
const int = () => z.number().int().safe();
const nonNegInt = () => int().nonnegative();
const positiveInt = () => int().positive();
export const userIdSchema = z.string().regex(/^0x[0-9a-f]{40}$/, 'lower-cased 0x address');
/** Bet ids are ULIDs: 26 Crockford base-32 characters, sortable by admission time. */
export const betIdSchema = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'ULID');

/** What priced a bet (SPEC §3 terms snapshot); later config changes never reprice it. */
export const termsSchema = z
  .object({
    indexPriceCents: positiveInt(),
    printId: nonNegInt(),
    sigma: z.number().nonnegative(),
    /** η, the print micro-noise the two-part model priced with (pricing-v2; absent on pricing-v1 bets). */
    noise: z.number().nonnegative().optional(),
    /** The error of `indexPriceCents` priced with: the filter's when S is the filtered index (issue 22); absent = η. */
    indexNoise: z.number().nonnegative().optional(),
    tau1Ms: nonNegInt(),
    tau2Ms: nonNegInt(),
    probability: z.number().min(0).max(1),
    g: z.number().nonnegative(),
    multiplierBp: positiveInt(),
    configVersion: z.string().min(1),
    /**
     * `next_print` when the bet was priced at the first print after its receive time (issue 22,
     * BET_ENTRY=next_print): `printId` is that print. Absent: priced from the latest print at receipt.
     */
    entry: z.literal('next_print').optional(),
  })
  .strict();
export type Terms = z.infer<typeof termsSchema>;

/** The longest per-wallet fill delay, in prints (5 s at one print every 100 ms). */
export const FILL_DELAY_PRINTS_MAX = 50;

/**
 * Next-tick entry (issue 22, docs/pricing.md "Informed traders"): the bet is priced by the batcher at
 * the first print whose time is after `placedAt`, and filled only if that multiplier is at least
 * `minMultiplierBp` (the trader's) and at most the entry's `multiplierBp` (the reservation).
 */
export const nextPrintSchema = z
  .object({
    minMultiplierBp: positiveInt(),
    /**
     * Filled at the n-th print after `placedAt` instead of the first: a wallet's longer fill delay,
     * set by an operator or the edge monitor (`tapctl delay`, `keys.fillDelay`). Absent = 1.
     */
    delayPrints: int().min(2).max(FILL_DELAY_PRINTS_MAX).optional(),
  })
  .strict();

/**
 * `tap:bets`: a bet admitted by ingest-api (stake reserved, exposure booked at
 * `stake × multiplierBp`). With `nextPrint` the bet is not priced yet: `multiplierBp` is the
 * multiplier its exposure was reserved at (the worst case admission allowed) and `terms` the quote
 * at receipt that reservation derives from; the batcher stores the fill's multiplier and terms.
 */
export const betEntrySchema = z
  .object({
    betId: betIdSchema,
    userId: userIdSchema,
    clientBetId: z.string().uuid(),
    t0: nonNegInt(),
    p0: nonNegInt(),
    windowMs: positiveInt(),
    bandCents: positiveInt(),
    stakeMicros: positiveInt(),
    multiplierBp: positiveInt(),
    placedAt: nonNegInt(),
    terms: termsSchema,
    nextPrint: nextPrintSchema.optional(),
  })
  .strict();
export type BetEntry = z.infer<typeof betEntrySchema>;

export const ADJUSTMENT_KINDS = ['deposit', 'withdrawal', 'adjustment'] as const;

/** Who asked for an operator entry: a name from tapctl's config or the OS user. */
const operatorNameSchema = z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, '1-64 letters, digits, _ . @ or -');

/**
 * `tap:adjustments`: deposits, withdrawals and operator corrections (signed amount), with who
 * (`operator`), why (`reason`) and when (`requestedAt`), authenticated by `mac` (operator-mac.ts).
 */
export const adjustmentEntrySchema = z
  .object({
    adjustmentId: z.string().min(1).max(64),
    userId: userIdSchema,
    kind: z.enum(ADJUSTMENT_KINDS),
    amountMicros: int().refine((v) => v !== 0, 'must not be zero'),
    reason: z.string().min(1).max(200),
    operator: operatorNameSchema,
    requestedAt: nonNegInt(),
    mac: macSchema,
  })
  .strict();
export type AdjustmentEntry = z.infer<typeof adjustmentEntrySchema>;

/**
 * Operator actions that are not money movements of a wallet by amount. halt/resume,
 * freeze/unfreeze, limit/unlimit (a wallet's lowered open-payout limit) and delay/undelay (a wallet's
 * longer next-tick fill delay) change Redis state (tapctl writes it in the same MULTI as the entry) and are
 * recorded here for the audit trail; `void` refunds a stuck bet through the batcher; the dlq actions
 * record a dead letter re-queued or discarded.
 */
export const OPERATOR_ACTIONS = [
  'halt',
  'resume',
  'freeze',
  'unfreeze',
  'limit',
  'unlimit',
  'delay',
  'undelay',
  'void',
  'dlq_retry',
  'dlq_discard',
] as const;
export type OperatorAction = (typeof OPERATOR_ACTIONS)[number];

/** `tap:operator`: one audited operator action, authenticated by `mac`. `target` is '' when none. */
export const operatorEntrySchema = z
  .object({
    actionId: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/),
    action: z.enum(OPERATOR_ACTIONS),
    target: z.string().max(128),
    reason: z.string().min(1).max(200),
    operator: operatorNameSchema,
    requestedAt: nonNegInt(),
    mac: macSchema,
  })
  .strict();
export type OperatorEntry = z.infer<typeof operatorEntrySchema>;

/**
 * `tap:prices`: one index print (SPEC §9). `simulated` is true when the print came from the seeded
 * simulator, not from exchange quotes: admission refuses real-money bets on such a print unless the
 * API runs in demo mode. Required, never defaulted: a print that does not say is not trusted.
 */
export const printEntrySchema = z
  .object({
    id: nonNegInt(),
    t: nonNegInt(),
    priceCents: positiveInt(),
    venues: nonNegInt(),
    sigma: z.number().nonnegative(),
    /** η, the estimated micro-noise of one print (log units); absent on prints from before pricing-v2. */
    noise: z.number().nonnegative().optional(),
    /**
     * The filtered index (issue 22, price-ingest `INDEX_FILTER=on`): the true price's posterior mean
     * given the prints so far, and its standard error (log units). When present, bets are priced
     * from it (`@tap/pricing` pricingIndexOf); settlement always uses `priceCents`.
     */
    filteredCents: positiveInt().optional(),
    filteredNoise: z.number().nonnegative().optional(),
    /** The print came from the price simulator (SPEC §9): ingest-api refuses real-money bets on it. */
    simulated: z.boolean(),
  })
  .strict();
export type PrintEntry = z.infer<typeof printEntrySchema>;

/**
 * A 1-second candle of the index (SPEC §9, kept 7 days), as price-ingest stores it (the member JSON
 * of `keys.candles1s`, scored by `t`) and `GET /v1/index/history?resolution=1s` returns it.
 */
export interface Candle1s {
  /** Epoch second the candle covers, [t·1000, t·1000 + 1000). */
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  /** The fewest venues in any print of the second. */
  v: number;
  /** Prints in the second. */
  n: number;
}

export const OUTCOMES = ['won', 'lost', 'void'] as const;

/** `tap:settlements`: the resolver's verdict on a bet, with the evidence that decided it (SPEC §4). */
export const settlementEntrySchema = z
  .object({
    betId: betIdSchema,
    outcome: z.enum(OUTCOMES),
    evidence: z.record(z.unknown()),
    settledAt: nonNegInt(),
  })
  .strict();
export type SettlementEntry = z.infer<typeof settlementEntrySchema>;

/** The cell and money terms of an accepted bet, carried on its `accepted` event. */
export const betCellSchema = betEntrySchema
  .pick({ t0: true, p0: true, windowMs: true, bandCents: true, stakeMicros: true, multiplierBp: true })
  .strict();
export type BetCell = z.infer<typeof betCellSchema>;

/**
 * The print a next-tick bet was filled at (issue 22): its id (the terms' `printId`) and its time `t`
 * (price-ingest stamps `t` and XADDs the print in the same turn). With it a client tells the
 * deliberate delay (receipt → fill print) from what the stack itself takes (fill print → `accepted`,
 * SPEC §12's target with the defence on; docs/pricing.md "Informed traders").
 */
export const fillPrintSchema = z.object({ id: nonNegInt(), t: nonNegInt() }).strict();
export type FillPrint = z.infer<typeof fillPrintSchema>;

/** The fill print a bet's terms name: under next-tick entry `τ1 = t0 − t` of that print; none at receipt. */
export function fillPrintOf(
  t0: number,
  terms: Pick<Terms, 'printId' | 'tau1Ms' | 'entry'>,
): FillPrint | undefined {
  return terms.entry === 'next_print' ? { id: terms.printId, t: t0 - terms.tau1Ms } : undefined;
}

export const BET_STATUSES = ['pending', 'accepted', 'rejected', 'won', 'lost', 'void'] as const;
export type BetStatus = (typeof BET_STATUSES)[number];

/** `tap:events`: what the batcher applied, delivered to the owner by ws-gateway (SPEC §11). */
export const eventEntrySchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('bet'),
      userId: userIdSchema,
      betId: betIdSchema,
      status: z.enum(BET_STATUSES),
      reason: z.string().optional(),
      payoutMicros: nonNegInt().optional(),
      balanceMicros: nonNegInt(),
      /** On `accepted` events: the cell and money terms, so the resolver can index the bet. */
      bet: betCellSchema.optional(),
      /** On `accepted` events of next-tick bets: the print that filled it. */
      fillPrint: fillPrintSchema.optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('balance'),
      userId: userIdSchema,
      balanceMicros: nonNegInt(),
      refType: z.string(),
      refId: z.string(),
    })
    .strict(),
]);
export type EventEntry = z.infer<typeof eventEntrySchema>;

export const BREAKER_STATES = ['open', 'closed'] as const;

/** `tap:breaker`: a breaker state change (SPEC §9). */
export const breakerEntrySchema = z
  .object({
    state: z.enum(BREAKER_STATES),
    reason: z.string(),
    since: nonNegInt(),
  })
  .strict();
export type BreakerEntry = z.infer<typeof breakerEntrySchema>;

/** A dead-lettered entry: where it came from, why it failed, and the raw fields. */
export const deadLetterEntrySchema = z
  .object({
    stream: z.string(),
    entryId: z.string(),
    reason: z.string(),
    raw: z.string(),
    failedAt: nonNegInt(),
  })
  .strict();
export type DeadLetterEntry = z.infer<typeof deadLetterEntrySchema>;
