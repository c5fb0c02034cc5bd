import { describe, expect, it } from 'vitest';
import {
  canonicalLedgerRow,
  GENESIS_HASH,
  type LedgerRow,
  ledgerHash,
  verifyLedgerChain,
} from './ledger-hash.js';

function chain(rows: LedgerRow[]) {
  let prev = GENESIS_HASH;
  return rows.map((row) => {
    const hash = ledgerHash(prev, row);
    const linked = { ...row, prevHash: prev, hash };
    prev = hash;
    return linked;
  });
}

const rows: LedgerRow[] = [
  {
    id: 1,
    userId: '0xa',
    amount: 10_000_000,
    balanceAfter: 10_000_000,
    refType: 'deposit',
    refId: 'd1',
    createdAt: 1,
  },
  {
    id: 2,
    userId: '0xa',
    amount: -1_000_000,
    balanceAfter: 9_000_000,
    refType: 'bet_stake',
    refId: 'b1',
    createdAt: 2,
  },
  {
    id: 3,
    userId: '0xa',
    amount: 2_350_000,
    balanceAfter: 11_350_000,
    refType: 'bet_payout',
    refId: 'b1',
    createdAt: 3,
  },
];

describe('ledger hash chain', () => {
  it('verifies an untouched chain', () => {
    expect(verifyLedgerChain(chain(rows))).toEqual({ ok: true, rows: 3 });
  });

  it('detects an edited amount at the edited row', () => {
    const linked = chain(rows);
    linked[1] = { ...linked[1]!, amount: -1 };
    expect(verifyLedgerChain(linked)).toEqual({ ok: false, code: 'hash_mismatch', id: 2 });
  });

  it('detects a deleted row', () => {
    const linked = chain(rows);
    linked.splice(1, 1);
    expect(verifyLedgerChain(linked)).toEqual({ ok: false, code: 'hash_mismatch', id: 3 });
  });

  it('encodes rows unambiguously', () => {
    const a = canonicalLedgerRow({ ...rows[0]!, userId: '0xa', refId: 'b|1' });
    const b = canonicalLedgerRow({ ...rows[0]!, userId: '0xa|b', refId: '1' });
    expect(a).not.toBe(b);
  });
});
