import { describe, expect, it } from 'vitest';
import { tapctlSuite } from './testing.js';

const ALICE = '0x52908400098527886E0F7030069857D2E4169EE7';
const BOB = '0x8617E340B3D01FA5F11F306F4090FD50E238070D';

/** Rows as `ledger --json` prints them. */
type Rows = { id: number; userId: string; segment: string; refType: string; refId: string }[];

describe('tapctl ledger across wallets and segments (built CLI, real batcher, 2 s segments)', () => {
  const suite = tapctlSuite({ SEGMENT_PERIOD: '2000ms' });
  const { tapctl } = suite;

  it('finds a reference without a wallet and pages a time range of every wallet across a roll-over', async () => {
    const startMs = Date.now() - 1;
    const first = await tapctl('--json', 'credit', ALICE, '3', '--reason', 'ledger test', '--wait');
    expect(first.code, first.stderr).toBe(0);
    // The next credit lands in a later segment (2 s periods): alice's balance is carried as `opening`.
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    const second = await tapctl('--json', 'credit', BOB, '4', '--reason', 'ledger test', '--wait');
    expect(second.code, second.stderr).toBe(0);

    const byRef = await tapctl('--json', 'ledger', '--ref', `adjustment:${second.json()['adjustmentId']}`);
    expect(byRef.code, byRef.stderr).toBe(0);
    expect(byRef.json()).toMatchObject({ mode: 'ref', next: null, rows: [{ userId: BOB.toLowerCase() }] });

    const seen: Rows = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page += 1) {
      const args = ['--json', 'ledger', '--from', String(startMs), '--limit', '1'];
      const run = await tapctl(...args, ...(after === null ? [] : ['--after', after]));
      expect(run.code, run.stderr).toBe(0);
      seen.push(...(run.json()['rows'] as Rows));
      after = run.json()['next'] as string | null;
      if (after === null) break;
    }
    const credits = seen.filter((row) => row.refType === 'adjustment');
    expect(credits.map((row) => row.userId)).toEqual([ALICE.toLowerCase(), BOB.toLowerCase()]);
    expect(new Set(credits.map((row) => row.segment)).size).toBe(2);
    expect(seen.some((row) => row.refType === 'opening' && row.userId === ALICE.toLowerCase())).toBe(true);
    expect(new Set(seen.map((row) => row.id)).size).toBe(seen.length);
  });

  it('answers bad input with a coded JSON error on stderr and exit 2', async () => {
    const run = await tapctl('--json', 'ledger', '--from', 'last tuesday');
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stderr)).toEqual({ error: 'bad_time', message: expect.stringContaining('--from') });
    const missing = await tapctl('ledger');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('ledger_filter_missing');
  });
});
