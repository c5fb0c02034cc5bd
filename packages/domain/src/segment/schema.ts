/**
 * The weekly SQLite segment (SPEC §7, §8): one file per ISO week holding that week's users with
 * balances, bets, the append-only hash-chained ledger and the index prints.
 *
 * Decisions: tables are STRICT; balances carry CHECK (balance >= 0); bets are keyed by their ULID
 * (time-sortable, so inserts append to the B-tree) and the client's random `client_bet_id` is stored
 * but deliberately not indexed (idempotency lives in Redis; a random-key index costs ~10× here).
 * `bets` keeps its rowid: its rows (terms JSON) are too large for a WITHOUT ROWID table, whose
 * B-tree would then hold a few rows per page; the ULID key is a unique index that still appends.
 * Ledger rows are never updated or deleted: triggers abort any attempt.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const LEDGER_REF_TYPES = [
  'deposit',
  'withdrawal',
  'bet_stake',
  'bet_payout',
  'bet_refund',
  'adjustment',
  'opening',
] as const;
export type LedgerRefType = (typeof LEDGER_REF_TYPES)[number];

const refTypeList = LEDGER_REF_TYPES.map((t) => `'${t}'`).join(', ');

const V1_INITIAL = `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE users (
  id         TEXT PRIMARY KEY,                       -- lower-cased 0x address
  balance    INTEGER NOT NULL CHECK (balance >= 0),  -- micro-dollars
  created_at INTEGER NOT NULL,                       -- ms since epoch
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE bets (
  id             TEXT PRIMARY KEY,                   -- ULID assigned at admission
  user_id        TEXT NOT NULL,
  client_bet_id  TEXT NOT NULL,                      -- not indexed on purpose (random key)
  t0             INTEGER NOT NULL,                   -- window start, ms
  p0             INTEGER NOT NULL,                   -- band floor, cents
  window_ms      INTEGER NOT NULL,
  band_cents     INTEGER NOT NULL,
  stake          INTEGER NOT NULL CHECK (stake > 0), -- micro-dollars
  multiplier_bp  INTEGER NOT NULL CHECK (multiplier_bp > 0),
  status         TEXT NOT NULL CHECK (status IN ('accepted', 'rejected', 'won', 'lost', 'void')),
  reason         TEXT,                               -- rejection or void reason
  payout         INTEGER NOT NULL DEFAULT 0 CHECK (payout >= 0),
  terms          TEXT NOT NULL,                      -- JSON terms snapshot (SPEC §3)
  evidence       TEXT,                               -- JSON settlement evidence (SPEC §4)
  placed_at      INTEGER NOT NULL,
  settled_at     INTEGER
) STRICT;
CREATE INDEX bets_by_user ON bets (user_id, id);
CREATE INDEX bets_open_by_window ON bets (t0) WHERE status = 'accepted';

CREATE TABLE transaction_ledger (
  id            INTEGER PRIMARY KEY,                 -- chain order within the segment
  user_id       TEXT NOT NULL,
  amount        INTEGER NOT NULL,                    -- signed micro-dollars
  balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
  ref_type      TEXT NOT NULL CHECK (ref_type IN (${refTypeList})),
  ref_id        TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  prev_hash     TEXT NOT NULL,
  hash          TEXT NOT NULL
) STRICT;
CREATE INDEX ledger_by_user ON transaction_ledger (user_id, id);
CREATE INDEX ledger_by_ref ON transaction_ledger (ref_type, ref_id);
CREATE INDEX ledger_by_time ON transaction_ledger (created_at);
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON transaction_ledger
  BEGIN SELECT RAISE(ABORT, 'transaction_ledger is append-only'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON transaction_ledger
  BEGIN SELECT RAISE(ABORT, 'transaction_ledger is append-only'); END;

CREATE TABLE index_prints (
  id          INTEGER PRIMARY KEY,                   -- print id assigned by price-ingest
  t           INTEGER NOT NULL,                      -- index time, ms
  price_cents INTEGER NOT NULL CHECK (price_cents > 0),
  venues      INTEGER NOT NULL,
  sigma       REAL NOT NULL
) STRICT;
CREATE INDEX index_prints_by_time ON index_prints (t);
`;

/**
 * The batcher's transactional outbox (SPEC §6, docs/bet-path.md): the events (and dead letters) of a
 * batch are written here in the batch's transaction and published to Redis after XACK; published
 * rows are deleted in the next batch's transaction and the table is re-published at start, so a
 * crash between XACK and publishing loses nothing. `stream` is the channels stream kind.
 */
const V2_EVENT_OUTBOX = `
CREATE TABLE event_outbox (
  id      INTEGER PRIMARY KEY,                            -- publication order
  stream  TEXT NOT NULL CHECK (stream IN ('events', 'deadLetter')),
  payload TEXT NOT NULL                                   -- the entry JSON (EventEntry, DeadLetterEntry)
) STRICT;
`;

export const SEGMENT_MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', sql: V1_INITIAL },
  { version: 2, name: 'event_outbox', sql: V2_EVENT_OUTBOX },
];

/**
 * Connection settings for the writer. WAL + synchronous=FULL: with NORMAL a committed batch can
 * vanish on power loss after its entries were acknowledged (SPEC §6). The automatic checkpoint is
 * off because it stalls the writer 50–60 ms; the batcher checkpoints between batches instead.
 */
export const WRITER_PRAGMAS = [
  'journal_mode = WAL',
  'synchronous = FULL',
  'foreign_keys = ON',
  'wal_autocheckpoint = 0',
  'busy_timeout = 5000',
] as const;
