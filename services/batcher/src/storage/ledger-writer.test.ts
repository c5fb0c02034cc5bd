import { GENESIS_HASH } from '@tap/domain';
import { TEST_USER } from '@tap/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLedgerWriter } from './ledger-writer.js';
import { ledgerProblems, ledgerRows, NOW_MS, openTestSegment, type TestSegment } from './test-segment.js';

describe('createLedgerWriter', () => {
  let s: TestSegment;
  beforeEach(() => {
    s = openTestSegment();
  });
  afterEach(() => s.close());

  it('starts a new segment at the genesis hash and continues an existing chain where it ends', () => {
    expect(s.ledger.head()).toEqual({ id: 0, hash: GENESIS_HASH });
    s.tx(() => s.ledger.credit(TEST_USER, 5_000_000, 'deposit', 'd1', NOW_MS));
    const restarted = createLedgerWriter(s.db);
    expect(restarted.head()).toEqual({ id: 1, hash: ledgerRows(s.db)[0]!.hash });
    s.tx(() => restarted.debit(TEST_USER, 1_000_000, 'withdrawal', 'w1', NOW_MS));
    expect(ledgerRows(s.db)[1]!.prevHash).toBe(ledgerRows(s.db)[0]!.hash);
    expect(ledgerProblems(s.db)).toEqual([]);
  });

  it('refuses a debit the balance cannot cover without writing anything', () => {
    s.tx(() => s.ledger.credit(TEST_USER, 1_000_000, 'deposit', 'd1', NOW_MS));
    const head = s.ledger.head();
    expect(s.tx(() => s.ledger.debit(TEST_USER, 1_000_001, 'withdrawal', 'w1', NOW_MS))).toEqual({
      ok: false,
      code: 'insufficient_funds',
      balance: 1_000_000,
    });
    expect(s.ledger.head()).toEqual(head);
    expect(ledgerRows(s.db)).toHaveLength(1);
  });

  it('refuses a non-integer or non-positive amount (a broken invariant)', () => {
    expect(() => s.tx(() => s.ledger.credit(TEST_USER, 1.5, 'deposit', 'd1', NOW_MS))).toThrow();
    expect(() => s.tx(() => s.ledger.debit(TEST_USER, 0, 'withdrawal', 'w1', NOW_MS))).toThrow();
  });
});
