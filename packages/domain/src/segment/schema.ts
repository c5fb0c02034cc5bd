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
 *
 * Per-user access (a trader's bets, a trader's ledger) walks per-user chains instead of `(user_id,
 * id)` indexes (migration 3): each bet and ledger row points to the same user's previous one, and
 * `users` holds the newest of each, kept by triggers. A batch touches ~1,000 users, so a per-user
 * B-tree index had ~1,000 random leaf pages rewritten into the WAL per commit — measured 7–10 KB of
 * WAL per bet and 3× slower batches than the chains, whose writes land on pages the batch already
 * dirties (the tables' appending tails and the users' rows).
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

/**
 * Per-user chains replace the two random-key indexes (see the header). Existing rows are linked in
 * id order (the ledger's no-update trigger is lifted for that one backfill and put back). A bet of a
 * user without a `users` row (only possible for a bet rejected as `insufficient_funds` by a user who
 * never had money) is stored unchained: no balance, nothing to list.
 */
const V3_USER_CHAINS = `
ALTER TABLE users ADD COLUMN last_bet_id TEXT;                     -- the user's newest bet
ALTER TABLE users ADD COLUMN last_ledger_id INTEGER;               -- the user's newest ledger row
ALTER TABLE bets ADD COLUMN prev_user_bet_id TEXT;                 -- the same user's previous bet
ALTER TABLE transaction_ledger ADD COLUMN prev_user_ledger_id INTEGER; -- the same user's previous row

UPDATE bets SET prev_user_bet_id = chain.prev
  FROM (SELECT id AS bet_id, LAG(id) OVER (PARTITION BY user_id ORDER BY id) AS prev FROM bets) AS chain
  WHERE bets.id = chain.bet_id AND chain.prev IS NOT NULL;
DROP TRIGGER ledger_no_update;
UPDATE transaction_ledger SET prev_user_ledger_id = chain.prev
  FROM (SELECT id AS row_id, LAG(id) OVER (PARTITION BY user_id ORDER BY id) AS prev FROM transaction_ledger) AS chain
  WHERE transaction_ledger.id = chain.row_id AND chain.prev IS NOT NULL;
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON transaction_ledger
  BEGIN SELECT RAISE(ABORT, 'transaction_ledger is append-only'); END;
UPDATE users SET
  last_bet_id = (SELECT MAX(id) FROM bets WHERE bets.user_id = users.id),
  last_ledger_id = (SELECT MAX(id) FROM transaction_ledger l WHERE l.user_id = users.id);

DROP INDEX bets_by_user;
DROP INDEX ledger_by_user;
CREATE TRIGGER bets_user_chain AFTER INSERT ON bets
  BEGIN UPDATE users SET last_bet_id = NEW.id WHERE id = NEW.user_id; END;
CREATE TRIGGER ledger_user_chain AFTER INSERT ON transaction_ledger
  BEGIN UPDATE users SET last_ledger_id = NEW.id WHERE id = NEW.user_id; END;
`;

/**
 * The roll-over (SPEC §8, services/batcher/README.md): a bet still open when its segment closes is
 * carried into the next segment, and the closed segment's copy names where it went (`carried_to`),
 * so a bet is in exactly one segment's open set and readers show the newest copy. The closing
 * balances and per-user chain heads are recorded in `closing_balances` when the segment closes —
 * what the next segment's `opening` ledger rows must equal.
 */
const V4_ROLLOVER = `
ALTER TABLE bets ADD COLUMN carried_to TEXT;                       -- the segment an open bet was carried into
CREATE TABLE closing_balances (
  user_id        TEXT PRIMARY KEY,
  balance        INTEGER NOT NULL CHECK (balance >= 0),  -- micro-dollars at closing
  last_ledger_id INTEGER,                                -- the user's ledger chain head at closing
  last_bet_id    TEXT                                    -- the user's bet chain head at closing
) STRICT, WITHOUT ROWID;
`;

/**
 * Whether each print came from the price simulator (SPEC §9), kept with the settlement evidence so
 * a dispute can tell a demo price from a market price. NULL on prints stored before this version
 * (unknown, never assumed real); the batcher writes 0 or 1.
 */
const V5_PRINT_SIMULATED = `
ALTER TABLE index_prints ADD COLUMN simulated INTEGER CHECK (simulated IN (0, 1));
`;

/**
 * The operator audit trail (SPEC §7, issue 18): every operator action the batcher accepted — who,
 * why, when requested and when applied — in the segment of the week it was applied, append-only
 * like the ledger. A money movement names the ledger row it wrote (`ledger_id`), so the ledger's
 * adjustment, deposit, withdrawal and refund rows carry their operator and reason by a join;
 * the ledger rows themselves (and their hash) keep the columns SPEC §7 fixes.
 * `action` is an adjustment kind (deposit, withdrawal, adjustment) or an OPERATOR_ACTIONS value.
 */
const V6_OPERATOR_ACTIONS = `
CREATE TABLE operator_actions (
  id           INTEGER PRIMARY KEY,
  action       TEXT NOT NULL,
  action_id    TEXT NOT NULL,                        -- adjustmentId or actionId (idempotency key)
  target       TEXT NOT NULL,                        -- wallet, bet id, dead-letter id, or ''
  amount       INTEGER,                              -- signed micro-dollars moved, if any
  ledger_id    INTEGER,                              -- the transaction_ledger row written, if any
  operator     TEXT NOT NULL,
  reason       TEXT NOT NULL,
  requested_at INTEGER NOT NULL,                     -- ms, from the operator's entry
  applied_at   INTEGER NOT NULL,                     -- ms, the batch's clock
  UNIQUE (action, action_id)
) STRICT;
CREATE INDEX operator_actions_by_ledger ON operator_actions (ledger_id) WHERE ledger_id IS NOT NULL;
CREATE TRIGGER operator_actions_no_update BEFORE UPDATE ON operator_actions
  BEGIN SELECT RAISE(ABORT, 'operator_actions is append-only'); END;
CREATE TRIGGER operator_actions_no_delete BEFORE DELETE ON operator_actions
  BEGIN SELECT RAISE(ABORT, 'operator_actions is append-only'); END;
`;

/**
 * What pricing reads from a print besides its price and σ (issue 22, next-tick entry): η and the
 * filtered index with its error. The batcher prices a `next_print` bet from the stored print that
 * fills it, with the same `pricingIndexOf` as admission, so the print table must hold every input.
 * NULL on prints stored before this version or printed without them (priced as η = 0 / unfiltered,
 * as admission prices such a print).
 */
const V7_PRINT_PRICING = `
ALTER TABLE index_prints ADD COLUMN noise REAL;
ALTER TABLE index_prints ADD COLUMN filtered_cents INTEGER;
ALTER TABLE index_prints ADD COLUMN filtered_noise REAL;
`;

export const SEGMENT_MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', sql: V1_INITIAL },
  { version: 2, name: 'event_outbox', sql: V2_EVENT_OUTBOX },
  { version: 3, name: 'user_chains', sql: V3_USER_CHAINS },
  { version: 4, name: 'rollover', sql: V4_ROLLOVER },
  { version: 5, name: 'print_simulated', sql: V5_PRINT_SIMULATED },
  { version: 6, name: 'operator_actions', sql: V6_OPERATOR_ACTIONS },
  { version: 7, name: 'print_pricing', sql: V7_PRINT_PRICING },
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
  // 64 MiB of page cache (the default is 2 MiB): with the default, the bet-id lookups and inserts
  // of a week's segment re-read index pages from the OS on most entries (measured: the redelivery
  // check alone took ~13 % of the batcher's CPU at 200,000 bets).
  'cache_size = -65536',
] as const;
