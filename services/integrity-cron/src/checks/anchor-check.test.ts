import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GENESIS_HASH,
  type LedgerRow,
  ledgerHash,
  migrate,
  SEGMENT_MIGRATIONS,
  segmentPath,
  segmentsDir,
} from '@tap/domain';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkAnchors } from './anchor-check.js';

const USER = '0x00000000000000000000000000000000000000aa';
const SEGMENT = '2026-W48';
const AMOUNTS = [10_000_000, -1_000_000, 2_000_000];

/** Writes the ledger rows with their chain hashes (the triggers are dropped first when rewriting). */
function writeChain(db: Database.Database, amounts: number[]): string[] {
  let prev = GENESIS_HASH;
  let balance = 0;
  const hashes: string[] = [];
  db.exec('DELETE FROM transaction_ledger');
  amounts.forEach((amount, i) => {
    balance += amount;
    const row: LedgerRow = {
      id: i + 1,
      userId: USER,
      amount,
      balanceAfter: balance,
      refType: 'adjustment',
      refId: `r${i}`,
      createdAt: i,
    };
    const hash = ledgerHash(prev, row);
    db.prepare(
      `INSERT INTO transaction_ledger (id, user_id, amount, balance_after, ref_type, ref_id, created_at, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(row.id, USER, amount, balance, row.refType, row.refId, row.createdAt, prev, hash);
    hashes.push(hash);
    prev = hash;
  });
  return hashes;
}

describe('checkAnchors', () => {
  let dataDir: string;
  let anchorsPath: string;
  let db: Database.Database;
  let hashes: string[];
  const anchorLine = (rows: number, hash: string, segment = SEGMENT) =>
    `${JSON.stringify({ segment, rows, hash, at: 1_764_000_000_000 + rows })}\n`;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'tap-anchors-'));
    mkdirSync(segmentsDir(dataDir), { recursive: true });
    db = new Database(segmentPath(dataDir, SEGMENT));
    migrate(db, SEGMENT_MIGRATIONS);
    db.exec('DROP TRIGGER ledger_no_update; DROP TRIGGER ledger_no_delete;'); // so tests can tamper
    hashes = writeChain(db, AMOUNTS);
    anchorsPath = join(dataDir, 'ledger-anchors.jsonl');
    writeFileSync(anchorsPath, anchorLine(1, hashes[0]!) + anchorLine(3, hashes[2]!));
  });
  afterEach(() => {
    db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('passes when every anchored head is still in its chain', () => {
    expect(checkAnchors(dataDir, anchorsPath, 3)).toEqual({
      anchors: 2,
      checked: 2,
      skippedNotLocal: 0,
      problems: [],
    });
  });

  it('names a history rewritten consistently (every hash recomputed), which the chain alone cannot see', () => {
    writeChain(db, [10_000_000, -1_000_000, 9_000_000]);
    const { problems } = checkAnchors(dataDir, anchorsPath, 3);
    expect(problems).toEqual([
      expect.stringMatching(/^2026-W48: ledger row 3 hash \w+ != anchored \w+ .*rewritten$/),
    ]);
  });

  it('names anchored rows that are gone (a truncated history)', () => {
    db.exec('DELETE FROM transaction_ledger WHERE id = 3');
    expect(checkAnchors(dataDir, anchorsPath, 2).problems).toEqual([
      expect.stringContaining('2026-W48: anchored row 3'),
    ]);
  });

  it('skips anchors of segments no longer local, and names malformed lines', () => {
    writeFileSync(
      anchorsPath,
      `${anchorLine(5, 'ab'.repeat(32), '2026-W40')}not json\n${anchorLine(1, hashes[0]!)}`,
    );
    expect(checkAnchors(dataDir, anchorsPath, 3)).toEqual({
      anchors: 2,
      checked: 1,
      skippedNotLocal: 1,
      problems: ['anchors line 2 is not an anchor: not json'],
    });
  });

  it('requires the anchors file once the ledger has rows', () => {
    rmSync(anchorsPath);
    expect(checkAnchors(dataDir, anchorsPath, 3).problems).toEqual([
      `anchors file ${anchorsPath} is missing`,
    ]);
    expect(checkAnchors(dataDir, anchorsPath, 0).problems).toEqual([]);
  });
});
