/**
 * One batch, one SQLite transaction (SPEC §6.2). Entries are applied in arrival order, first
 * directly (no savepoints). If any entry is refused or fails, the whole transaction rolls back and
 * the batch is re-run with a savepoint per entry: the failing entry is rolled back alone and becomes
 * a dead letter, and the rest of the batch still commits. An entry that cannot be decoded is a dead
 * letter on either path. The batch's events and dead letters are
 * written to the outbox in the same transaction; the Redis effects are returned for after the
 * commit. Synchronous (better-sqlite3): nothing else touches the database while it runs.
 */
import { decodeEntry, type EntryOf, entryJson, streamIdTimeMs } from '@tap/channels';
import type { DeadLetterEntry, EventEntry } from '@tap/domain';
import { type BetTermsQuote, createPrintQuoteMemo } from '@tap/pricing';
import type Database from 'better-sqlite3';
import type { BetStore } from '../storage/bet-store.js';
import type { LedgerWriter } from '../storage/ledger-writer.js';
import type { OperatorLog } from '../storage/operator-log.js';
import type { Outbox, OutboxRow } from '../storage/outbox.js';
import { storageFailureCode } from '../storage/storage-failure.js';
import { applyAdjustment } from './apply-adjustment.js';
import { applyBet, releaseReservation } from './apply-bet.js';
import { applyOperatorAction } from './apply-operator.js';
import { applyPrint } from './apply-print.js';
import { applySettlement } from './apply-settlement.js';
import type { BetRules } from './bet-bounds.js';
import { sweepOverdue } from './dead-man-sweep.js';
import type { ApplyContext, Effect, Outcome, Verdict } from './verdict.js';

export const CONSUMED_KINDS = ['adjustments', 'bets', 'settlements', 'prices', 'operator'] as const;
export type ConsumedKind = (typeof CONSUMED_KINDS)[number];

/** An entry as read from a stream; `fields` is null when the entry was deleted while pending. */
export interface StreamEntry {
  kind: ConsumedKind;
  stream: string;
  id: string;
  fields: string[] | null;
}

export interface EntryResult {
  kind: ConsumedKind;
  outcome: Outcome;
}

export interface BatchResult {
  results: EntryResult[];
  /** Outbox rows written by this batch, to publish after XACK. */
  outbox: OutboxRow[];
  effects: Effect[];
  /**
   * Next-tick bets waiting for their print (fill.ts): nothing of them was written; they must not be
   * acknowledged, and are applied again with a later batch.
   */
  held: StreamEntry[];
  /** The held bets' stakes per user: reserved in the cache, not yet in SQLite (a drift resync counts them). */
  heldStakeMicros: Map<string, number>;
}

const RAW_CHARS_MAX = 16_384;

/** Thrown inside an entry's savepoint to roll it back when its verdict is `refused`. */
class Refusal extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

export function createBatchApplier(
  db: Database.Database,
  parts: {
    ledger: LedgerWriter;
    bets: BetStore;
    outbox: Outbox;
    betRules: BetRules;
    operators: OperatorLog;
    operatorKeyHex: string;
  },
) {
  const { ledger, outbox } = parts;
  // A held bet is fed again with later batches until its print comes: decoded once, not per batch.
  const heldValues = new WeakMap<StreamEntry, unknown>();
  let heldCheckedAtMs = Number.NEGATIVE_INFINITY;
  const fillQuotes = createPrintQuoteMemo<BetTermsQuote>();
  const decodeOnce = (entry: StreamEntry) => {
    const known = heldValues.get(entry);
    if (known !== undefined) return { ok: true as const, value: known };
    return entry.fields === null ? undefined : decodeEntry(entry.kind, entry.fields);
  };
  const context = (nowMs: number, pricesReadAtMs: number | null = null): ApplyContext => ({
    ledger,
    bets: parts.bets,
    operators: parts.operators,
    operatorKeyHex: parts.operatorKeyHex,
    nowMs,
    pricesReadAtMs,
    betRules: parts.betRules,
    fillQuotes,
  });
  const inSavepoint = db.transaction((ctx: ApplyContext, entry: StreamEntry, value: unknown): Verdict => {
    const verdict = dispatch(ctx, entry, value);
    if (verdict.kind === 'refused') throw new Refusal(verdict.code);
    return verdict;
  });

  /**
   * How one decoded entry is applied. `direct` (the fast path): no savepoint, two statements per
   * entry saved; an entry that would need its own rollback throws NeedsIsolation, which rolls the
   * whole batch back so it can be re-run `isolated`. `isolated`: a savepoint per entry; a refusal
   * or an apply error rolls back that entry alone and makes it a dead letter.
   */
  const direct: EntryStrategy = (ctx, entry, value) => {
    const verdict = dispatch(ctx, entry, value);
    if (verdict.kind === 'refused') throw new NeedsIsolation();
    return verdict;
  };
  const isolated: EntryStrategy = (ctx, entry, value, unwound) => {
    const head = ledger.head();
    try {
      return inSavepoint(ctx, entry, value);
    } catch (err) {
      ledger.resetHead(head);
      if (storageFailureCode(err)) throw err; // the disk's fault, not the entry's: the batch fails
      if (entry.kind === 'bets') unwindBet(ctx, value as EntryOf<'bets'>, unwound);
      return {
        kind: 'failed',
        reason: err instanceof Refusal ? err.code : `apply_failed: ${(err as Error).message}`,
      };
    }
  };

  /** The batch loop, the same for both strategies. */
  const applyWith = (strategy: EntryStrategy) =>
    db.transaction(
      (
        entries: readonly StreamEntry[],
        nowMs: number,
        pricesReadAtMs: number | null,
        recheckHeld: boolean,
      ): BatchResult => {
        outbox.deletePublished();
        const ctx = context(nowMs, pricesReadAtMs);
        const batch: BatchResult = {
          results: [],
          outbox: [],
          effects: [],
          held: [],
          heldStakeMicros: new Map(),
        };
        const events: string[] = [];
        const deadLetters: string[] = [];
        const toDeadLetter = (entry: StreamEntry, reason: string) => {
          deadLetters.push(JSON.stringify(deadLetter(entry, reason, nowMs)));
          batch.results.push({ kind: entry.kind, outcome: 'dead_letter' });
        };
        const emit = (output: VerdictOutput) => {
          for (const event of output.events) events.push(JSON.stringify(event));
          for (const effect of output.effects) batch.effects.push(effect);
        };
        const applyOne = (entry: StreamEntry, value: unknown, retryIfHeld: Held[]) => {
          const unwound: { events: EventEntry[]; effects: Effect[] } = { events: [], effects: [] };
          const verdict = strategy(ctx, entry, value, unwound);
          if (verdict.kind === 'failed') {
            toDeadLetter(entry, verdict.reason);
            emit(unwound);
            return;
          }
          if (verdict.kind === 'held' && retryIfHeld !== NO_RETRY)
            return void retryIfHeld.push({ entry, value });
          if (verdict.kind === 'held') return hold(entry, value);
          if (verdict.kind === 'out_of_bounds') toDeadLetter(entry, verdict.code);
          else batch.results.push({ kind: entry.kind, outcome: outcomeOf(verdict) });
          if (verdict.kind === 'applied' || verdict.kind === 'rejected' || verdict.kind === 'out_of_bounds') {
            emit(verdict);
          }
        };
        const hold = (entry: StreamEntry, value: unknown) => {
          holdBet(batch, entry, value as EntryOf<'bets'>);
          heldValues.set(entry, value);
          batch.results.push({ kind: entry.kind, outcome: 'held' });
        };
        // Next-tick bets held in the first pass are tried once more at the end: a print later in this
        // batch may be the one that fills them (fill.ts), which saves them a batch of waiting. Bets
        // held by earlier batches are re-checked only there, after this batch's prints are stored:
        // checked in both passes, each cost two lookups for one verdict.
        const heldOnce: Held[] = [];
        for (const entry of entries) {
          const waiting = heldValues.get(entry);
          if (waiting !== undefined) {
            if (recheckHeld) heldOnce.push({ entry, value: waiting });
            else hold(entry, waiting);
            continue;
          }
          const decoded = decodeOnce(entry);
          if (decoded === undefined || !decoded.ok) {
            toDeadLetter(
              entry,
              decoded === undefined ? 'entry_deleted' : `${decoded.code}: ${decoded.reason}`,
            );
            continue;
          }
          applyOne(entry, decoded.value, heldOnce);
        }
        for (const { entry, value } of heldOnce) applyOne(entry, value, NO_RETRY);
        batch.outbox.push(...outbox.addAll('events', events));
        batch.outbox.push(...outbox.addAll('deadLetter', deadLetters));
        return batch;
      },
    );
  const applyDirect = applyWith(direct);
  const applyIsolated = applyWith(isolated);

  // The dead-man sweep (dead-man-sweep.ts) as a batch of its own, with no stream entries to ack.
  const sweepTx = db.transaction((nowMs: number, graceMs: number): BatchResult => {
    outbox.deletePublished();
    const verdicts = sweepOverdue(context(nowMs), graceMs);
    const batch: BatchResult = { results: [], outbox: [], effects: [], held: [], heldStakeMicros: new Map() };
    const events: string[] = [];
    for (const verdict of verdicts) {
      if (verdict.kind !== 'applied') continue;
      batch.results.push({ kind: 'settlements', outcome: 'applied' });
      for (const event of verdict.events) events.push(JSON.stringify(event));
      batch.effects.push(...verdict.effects);
    }
    batch.outbox.push(...outbox.addAll('events', events));
    return batch;
  });

  return {
    /** Voids the bets past their settlement deadline plus `graceMs`; `results` has one per bet voided. */
    sweep(nowMs: number, graceMs: number): BatchResult {
      return sweepTx.immediate(nowMs, graceMs);
    },
    /**
     * `pricesReadAtMs`: when the read of these entries started, if it drained `tap:prices` (every
     * print published by then is among them or applied); a next-tick bet with no print after it is
     * refused `price_stale` only once that is past its deadline (fill.ts). Null: held instead.
     */
    apply(entries: readonly StreamEntry[], nowMs: number, pricesReadAtMs: number | null = null): BatchResult {
      const head = ledger.head();
      // A held bet's verdict changes only with a stored print, or with the clock (a stalled feed:
      // fill.ts): without a print in the batch it is re-checked at most every HELD_RECHECK_MS — at
      // 3,000 bets/s ~650 bets are held, and checking each in every batch was two SQLite lookups
      // per held bet per batch.
      const recheckHeld =
        entries.some((e) => e.kind === 'prices') || nowMs - heldCheckedAtMs >= HELD_RECHECK_MS;
      if (recheckHeld) heldCheckedAtMs = nowMs;
      try {
        return applyDirect.immediate(entries, nowMs, pricesReadAtMs, recheckHeld);
      } catch (err) {
        // Rolled back as a whole (a refusal or an apply error): redo it with one savepoint per
        // entry. Refusals and apply errors are rare, so nearly every batch commits directly. An
        // error that is not the entry's fault fails on the isolated path too and stops the batcher;
        // a storage failure (full disk) fails the batch at once, for the consumer to retry.
        ledger.resetHead(head);
        if (storageFailureCode(err)) throw err;
        return applyIsolated.immediate(entries, nowMs, pricesReadAtMs, recheckHeld);
      }
    },
  };
}

/** How long a held bet waits at most for a re-check when no print comes (a stalled feed's refusal). */
const HELD_RECHECK_MS = 100;

/** A next-tick bet held in a batch's first pass. */
interface Held {
  entry: StreamEntry;
  value: unknown;
}

/** The second pass: a bet held again is held for a later batch. */
const NO_RETRY: Held[] = [];

function holdBet(batch: BatchResult, entry: StreamEntry, bet: EntryOf<'bets'>): void {
  batch.held.push(entry);
  batch.heldStakeMicros.set(bet.userId, (batch.heldStakeMicros.get(bet.userId) ?? 0) + bet.stakeMicros);
}

/** Thrown on the direct path to roll the whole batch back and redo it with savepoints. */
class NeedsIsolation extends Error {}

/** What a verdict sends out: events to publish and Redis effects to run after the commit. */
interface VerdictOutput {
  events: readonly EventEntry[];
  effects: readonly Effect[];
}

/** Applies one decoded entry; `failed` makes it a dead letter, with `unwound` published instead. */
type EntryStrategy = (
  ctx: ApplyContext,
  entry: StreamEntry,
  value: unknown,
  unwound: { events: EventEntry[]; effects: Effect[] },
) => Verdict | { kind: 'failed'; reason: string };

function outcomeOf(verdict: Verdict): Outcome {
  return verdict.kind === 'out_of_bounds' || verdict.kind === 'refused' ? 'dead_letter' : verdict.kind;
}

function dispatch(ctx: ApplyContext, entry: StreamEntry, value: unknown): Verdict {
  switch (entry.kind) {
    case 'bets':
      return applyBet(ctx, value as EntryOf<'bets'>, streamIdTimeMs(entry.id));
    case 'adjustments':
      return applyAdjustment(ctx, value as EntryOf<'adjustments'>);
    case 'settlements':
      return applySettlement(ctx, value as EntryOf<'settlements'>);
    case 'prices':
      return applyPrint(ctx, value as EntryOf<'prices'>);
    case 'operator':
      return applyOperatorAction(ctx, value as EntryOf<'operator'>);
  }
}

/**
 * A bet that decoded but could not be stored (a broken invariant, dead-lettered for an operator):
 * its reservation and exposure are released and its owner is told it was rejected, so neither the
 * money nor the client is left waiting on it.
 */
function unwindBet(
  ctx: ApplyContext,
  bet: EntryOf<'bets'>,
  unwound: { events: EventEntry[]; effects: Effect[] },
): void {
  unwound.effects.push(...releaseReservation(bet));
  unwound.events.push({
    type: 'bet',
    userId: bet.userId,
    betId: bet.betId,
    status: 'rejected',
    reason: 'internal',
    balanceMicros: ctx.ledger.balanceOf(bet.userId),
  });
}

function deadLetter(entry: StreamEntry, reason: string, nowMs: number): DeadLetterEntry {
  const fields = entry.fields ?? [];
  const raw = entryJson(fields) ?? JSON.stringify(fields);
  return {
    stream: entry.stream,
    entryId: entry.id,
    reason: reason.slice(0, 1_000),
    raw: raw.slice(0, RAW_CHARS_MAX),
    failedAt: nowMs,
  };
}
