/**
 * A segment's own account of itself, in its `meta` table (SPEC §8). The state machine:
 *
 *   opening ──▶ open ──▶ closing ──▶ closed ──▶ archived
 *
 * - `opening`: written only by batchers before the carry-after-switch roll-over (a segment built
 *   whole and renamed into place, not yet switched to; `rollover_from` names the segment it
 *   continues). Readers skip it; a batcher that finds one switches to it and finishes that roll-over.
 * - `open`: the writer's current segment (exactly one: the newest non-`opening` one). Its
 *   `rollover_from` names the segment it continues; while that one is still `closing`, the users and
 *   open bets not yet carried are read from it (the roll-over's carry is in progress).
 * - `closing`: the roll-over's cut is written (`closing_cut`: the next segment, the cut time and the
 *   ledger head) and no batch is applied to it any more; the next segment is open and carries this
 *   one's users and open bets. When everything is carried, the full closing record (`closing`,
 *   `closing_balances`, `bets.carried_to`) is written.
 * - `closed`: the carry is complete; this file is read-only on disk.
 * - `archived`: uploaded and verified by the archiver (it alone sets this state).
 *
 * A segment written before roll-overs existed has no `state`: it reads as `open` (migration).
 */
export const SEGMENT_STATES = ['opening', 'open', 'closing', 'closed', 'archived'] as const;
export type SegmentState = (typeof SEGMENT_STATES)[number];

export const META_KEYS = {
  state: 'state',
  /** The segment's name (its period). */
  segment: 'segment',
  periodStartMs: 'period_start_ms',
  periodEndMs: 'period_end_ms',
  openedAtMs: 'opened_at',
  /** The marker: the segment this one continues (absent on the first segment). */
  rolloverFrom: 'rollover_from',
  /** JSON OpeningRecord. */
  opening: 'opening',
  /** JSON ClosingCut: written when the segment stops taking batches. */
  closingCut: 'closing_cut',
  /** JSON ClosingRecord: written when everything is carried into the next segment. */
  closing: 'closing',
  closedAtMs: 'closed_at',
  archivedAtMs: 'archived_at',
} as const;

export interface LedgerHead {
  /** Id of the newest ledger row (0 before the first). Ids continue across segments. */
  id: number;
  hash: string;
}

/**
 * Where a segment stopped taking batches (the roll-over's cut): from here on it is frozen, so its
 * users, open bets and totals are what it closes with, whenever they are copied.
 */
export interface ClosingCut {
  /** The segment the roll-over opens next. */
  next: string;
  closingAtMs: number;
  ledgerHead: LedgerHead;
}

/** What a segment held when it closed; the next segment's opening must equal it. */
export interface ClosingRecord {
  /** The segment the roll-over opens next. */
  next: string;
  closingAtMs: number;
  ledgerHead: LedgerHead;
  ledgerRows: number;
  ledgerSumMicros: number;
  /** Rows in `users` and the sum of their balances (per user: `closing_balances`). */
  users: number;
  balanceSumMicros: number;
  bets: number;
  /** Bets still open at closing, carried into `next` (`bets.carried_to`). */
  carriedBets: number;
  prints: number;
}

/** What a segment started from. */
export interface OpeningRecord {
  /** The previous segment, or null for a data directory's first. */
  from: string | null;
  /** The previous segment's ledger head: the `prev_hash` of this segment's first ledger row. */
  prevLedgerHead: LedgerHead;
  /**
   * What was carried in: users, their balance sum and open bets. Absent while a roll-over's carry
   * runs (the roll-over writes them with the previous segment's closing record, when it is done).
   */
  users?: number;
  balanceSumMicros?: number;
  carriedBets?: number;
}

export interface ClosingBalance {
  userId: string;
  balanceMicros: number;
  lastLedgerId: number | null;
  lastBetId: string | null;
}

/** The subset of a better-sqlite3 Database meta access needs. */
export interface MetaDatabase {
  prepare(sql: string): {
    all(...params: unknown[]): unknown[];
    iterate(...params: unknown[]): IterableIterator<unknown>;
    run(...params: unknown[]): unknown;
  };
}

export function readMeta(db: MetaDatabase): Map<string, string> {
  const rows = db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[];
  return new Map(rows.map((row) => [row.key, row.value]));
}

/** Upserts meta keys, in the caller's transaction. */
export function writeMeta(db: MetaDatabase, values: Record<string, string | number>): void {
  const upsert = db.prepare(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  for (const [key, value] of Object.entries(values)) upsert.run(key, String(value));
}

export function readSegmentState(db: MetaDatabase): SegmentState {
  return segmentStateFrom(readMeta(db));
}

/** The state a segment's meta rows name (`open` when none is written yet). */
export function segmentStateFrom(meta: ReadonlyMap<string, string>): SegmentState {
  const state = meta.get(META_KEYS.state);
  if (state === undefined) return 'open';
  if (!(SEGMENT_STATES as readonly string[]).includes(state)) {
    throw new Error(`segment meta has an unknown state "${state}"`);
  }
  return state as SegmentState;
}

export interface SegmentMeta {
  state: SegmentState;
  rolloverFrom: string | null;
  opening: OpeningRecord | null;
  closingCut: ClosingCut | null;
  closing: ClosingRecord | null;
  periodEndMs: number | null;
}

export function readSegmentMeta(db: MetaDatabase): SegmentMeta {
  const meta = readMeta(db);
  const json = <T>(key: string): T | null => {
    const value = meta.get(key);
    return value === undefined ? null : (JSON.parse(value) as T);
  };
  const periodEnd = meta.get(META_KEYS.periodEndMs);
  return {
    state: readSegmentState(db),
    rolloverFrom: meta.get(META_KEYS.rolloverFrom) ?? null,
    opening: json<OpeningRecord>(META_KEYS.opening),
    closingCut: json<ClosingCut>(META_KEYS.closingCut),
    closing: json<ClosingRecord>(META_KEYS.closing),
    periodEndMs: periodEnd === undefined ? null : Number(periodEnd),
  };
}

/** The per-user closing state of a `closing`/`closed` segment, in user order. */
export function* readClosingBalances(db: MetaDatabase): Generator<ClosingBalance> {
  const rows = db
    .prepare(
      `SELECT user_id AS userId, balance AS balanceMicros, last_ledger_id AS lastLedgerId,
              last_bet_id AS lastBetId
       FROM closing_balances ORDER BY user_id`,
    )
    .iterate() as IterableIterator<ClosingBalance>;
  yield* rows;
}
