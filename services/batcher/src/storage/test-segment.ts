/** Test helper: a fresh migrated segment in a temp dir with the writer's parts, and ledger checks. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LedgerRow, verifyLedgerChain } from '@tap/domain';
import { createPrintQuoteMemo } from '@tap/pricing';
import { TEST_OPERATOR_KEY } from '@tap/testkit/standalone';
import type Database from 'better-sqlite3';
import { betRulesOf } from '../apply/bet-bounds.js';
import type { ApplyContext } from '../apply/verdict.js';
import { createBetStore } from './bet-store.js';
import { createLedgerWriter } from './ledger-writer.js';
import { createOperatorLog } from './operator-log.js';
import { createOutbox } from './outbox.js';
import { openWriterSegment } from './segment.js';

export const NOW_MS = Date.parse('2026-11-25T12:00:00Z');
/**
 * When the testkit fixture bets (`aBet()`: placed at 1_764_000_000_000 + n, window at +10 s) were
 * appended to `tap:bets`: the stream-id time the batcher checks their lead time against.
 */
export const FIXTURE_APPENDED_MS = 1_764_000_005_000;
/** The SPEC §3 bounds with ingest-api's default stake limits. */
export const TEST_BET_RULES = betRulesOf({ STAKE_MICROS_MIN: 100_000, STAKE_MICROS_MAX: 100_000_000 });

export function openTestSegment() {
  const dir = mkdtempSync(join(tmpdir(), 'tap-batcher-unit-'));
  const segment = openWriterSegment('2026-W48', join(dir, '2026-W48.db'));
  const ledger = createLedgerWriter(segment.db);
  const bets = createBetStore(segment.db);
  const outbox = createOutbox(segment.db);
  const operators = createOperatorLog(segment.db);
  const ctx: ApplyContext = {
    ...{ ledger, bets, operators, operatorKeyHex: TEST_OPERATOR_KEY },
    nowMs: NOW_MS,
    pricesReadAtMs: NOW_MS,
    betRules: TEST_BET_RULES,
    fillQuotes: createPrintQuoteMemo(),
  };
  return {
    db: segment.db,
    ledger,
    bets,
    outbox,
    betRules: TEST_BET_RULES,
    operators,
    operatorKeyHex: TEST_OPERATOR_KEY,
    ctx,
    /** Runs `fn` in a transaction, as the batch does. */
    tx<T>(fn: () => T): T {
      return segment.db.transaction(fn)();
    },
    close() {
      segment.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type TestSegment = ReturnType<typeof openTestSegment>;

interface LedgerDbRow extends LedgerRow {
  prevHash: string;
  hash: string;
}

export function ledgerRows(db: Database.Database, userId?: string): LedgerDbRow[] {
  return db
    .prepare<unknown[], LedgerDbRow>(
      `SELECT id, user_id AS userId, amount, balance_after AS balanceAfter, ref_type AS refType,
         ref_id AS refId, created_at AS createdAt, prev_hash AS prevHash, hash
       FROM transaction_ledger ${userId ? 'WHERE user_id = ?' : ''} ORDER BY id`,
    )
    .all(...(userId ? [userId] : []));
}

/** Every broken rule of SPEC §7/§8 in the segment: chain, balance == SUM(ledger), no negative balance. */
export function ledgerProblems(db: Database.Database): string[] {
  const problems: string[] = [];
  const chain = verifyLedgerChain(ledgerRows(db));
  if (!chain.ok) problems.push(`chain broken at ${chain.id}`);
  const drift = db
    .prepare<[], { id: string; balance: number; total: number | null }>(
      `SELECT u.id, u.balance, l.total FROM users u
       LEFT JOIN (SELECT user_id, SUM(amount) AS total FROM transaction_ledger GROUP BY user_id) l
         ON l.user_id = u.id`,
    )
    .all();
  for (const user of drift) {
    if (user.balance !== (user.total ?? 0)) problems.push(`${user.id}: ${user.balance} != ${user.total}`);
    if (user.balance < 0) problems.push(`${user.id}: negative`);
  }
  return problems;
}
