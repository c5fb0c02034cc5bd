import { describe, expect, it } from 'vitest';
import { CliError } from '../cli-error.js';
import { cursorText, parseLedgerFilter } from './ledger-filter.js';

const ADDRESS = '0x52908400098527886E0F7030069857D2E4169EE7';
const NOW_MS = Date.UTC(2026, 11, 6, 12);

function refusal(address: string | undefined, options: Record<string, string>): [string | undefined, number] {
  try {
    parseLedgerFilter(address, options, NOW_MS);
  } catch (err) {
    if (err instanceof CliError) return [err.code, err.exitCode];
    throw err;
  }
  throw new Error('accepted');
}

describe('parseLedgerFilter', () => {
  it('reads a wallet filter with its reference, range and cursor', () => {
    expect(
      parseLedgerFilter(ADDRESS, { ref: 'bet_stake:01J:x', from: '1000', to: '2000', after: '7' }, NOW_MS),
    ).toEqual({
      mode: 'user',
      userId: ADDRESS.toLowerCase(),
      ref: { refType: 'bet_stake', refId: '01J:x' },
      afterId: 7,
      fromMs: 1000,
      toMs: 2000,
      limit: 100,
    });
  });

  it('reads a reference across wallets and a time range across wallets ending now by default', () => {
    expect(parseLedgerFilter(undefined, { ref: 'bet_payout:B', limit: '5' }, NOW_MS)).toEqual({
      mode: 'ref',
      refType: 'bet_payout',
      refId: 'B',
      afterId: undefined,
      limit: 5,
    });
    expect(parseLedgerFilter(undefined, { from: '2026-12-06', after: '1765000000000:12' }, NOW_MS)).toEqual({
      mode: 'time',
      fromMs: Date.UTC(2026, 11, 6),
      toMs: NOW_MS,
      after: { createdAt: 1_765_000_000_000, id: 12 },
      limit: 100,
    });
  });

  it.each([
    [undefined, {}, 'ledger_filter_missing'],
    [undefined, { to: '2026-12-06' }, 'ledger_filter_missing'],
    [undefined, { ref: 'deposit:d', from: '1' }, 'ledger_filter_conflict'],
    [undefined, { from: 'yesterday' }, 'bad_time'],
    [undefined, { from: '3000', to: '2000' }, 'bad_range'],
    [undefined, { from: '2027-01-01' }, 'bad_range'],
    [undefined, { ref: 'bonus:1' }, 'bad_ref'],
    [undefined, { ref: 'deposit:' }, 'bad_ref'],
    [undefined, { ref: 'deposit:d', limit: '0' }, 'bad_limit'],
    [undefined, { ref: 'deposit:d', limit: '10001' }, 'bad_limit'],
    [undefined, { ref: 'deposit:d', limit: '1e3' }, 'bad_limit'],
    [undefined, { ref: 'deposit:d', after: '12:3' }, 'bad_cursor'],
    [undefined, { from: '1', after: '12' }, 'bad_cursor'],
    [ADDRESS, { after: '-1' }, 'bad_cursor'],
    ['0x1234', {}, 'bad_address'],
  ])('refuses %s %j with the code %s (exit 2)', (address, options, code) => {
    expect(refusal(address, options)).toEqual([code, 2]);
  });

  it('prints cursors the way --after reads them', () => {
    expect(cursorText(null)).toBeNull();
    expect(cursorText(42)).toBe('42');
    expect(cursorText({ createdAt: 5, id: 6 })).toBe('5:6');
  });
});
