import { describe, expect, it } from 'vitest';
import { createChannels } from './channels.js';
import { decodeEntry, encodeEntry } from './codec.js';

describe('createChannels', () => {
  it('names the streams as SPEC §10 does under the default prefix', () => {
    const channels = createChannels();
    expect(channels.streams.bets).toBe('tap:bets');
    expect(channels.streams.prices).toBe('tap:prices');
    expect(channels.keys.priceLast).toBe('tap:price:last');
    expect(channels.keys.nonce('0xab', 'n0nce123')).toBe('tap:nonce:0xab:n0nce123');
  });

  it('puts every name under the prefix', () => {
    const channels = createChannels('t1:');
    const names = [
      ...Object.values(channels.streams),
      ...Object.values(channels.keys).map((k) =>
        typeof k === 'function' ? (k as (a: string, b: string) => string)('a', 'b') : k,
      ),
      ...Object.values(channels.pubsub),
    ] as string[];
    for (const name of names) expect(name.startsWith('t1:')).toBe(true);
  });
});

describe('stream codec', () => {
  const print = {
    id: 7,
    t: 1_764_000_000_100,
    priceCents: 9_512_345,
    venues: 3,
    sigma: 0.0004,
    simulated: false,
  };

  it('round-trips a typed entry', () => {
    const fields = encodeEntry('prices', print);
    expect(decodeEntry('prices', fields)).toEqual({ ok: true, value: print });
  });

  it('finds the payload among other fields', () => {
    const [name, value] = encodeEntry('prices', print);
    expect(decodeEntry('prices', ['x', 'y', name, value])).toEqual({ ok: true, value: print });
  });

  it('rejects an entry without the payload field', () => {
    expect(decodeEntry('prices', ['x', 'y'])).toMatchObject({ ok: false, code: 'entry_malformed' });
  });

  it('rejects an entry that is not JSON', () => {
    expect(decodeEntry('prices', ['d', '{nope'])).toEqual({
      ok: false,
      code: 'entry_malformed',
      reason: 'not JSON',
    });
  });

  it('names the bad field of an entry that breaks the schema', () => {
    const result = decodeEntry('prices', ['d', JSON.stringify({ ...print, priceCents: 95.5 })]);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain('priceCents');
  });

  it('rejects a print that does not say whether it is simulated (it is never assumed real)', () => {
    const { simulated: _, ...unmarked } = print;
    const result = decodeEntry('prices', ['d', JSON.stringify(unmarked)]);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain('simulated');
    expect(decodeEntry('prices', ['d', JSON.stringify({ ...print, simulated: 'no' })]).ok).toBe(false);
  });

  it('rejects an integer a JS number cannot hold exactly (money would drift)', () => {
    const adjustment = {
      adjustmentId: 'dep-1',
      userId: `0x${'a'.repeat(40)}`,
      kind: 'deposit',
      reason: 'wire',
      operator: 'alice',
      requestedAt: 1,
      mac: 'f'.repeat(64),
    };
    // 2^53 + 1 as JSON text: JSON.parse reads it as 2^53, a different amount.
    const text = `{"amountMicros":9007199254740993,${JSON.stringify(adjustment).slice(1)}`;
    const unsafe = decodeEntry('adjustments', ['d', text]);
    expect(unsafe.ok).toBe(false);
    expect(!unsafe.ok && unsafe.reason).toContain('amountMicros');
    const largest = { amountMicros: Number.MAX_SAFE_INTEGER, ...adjustment };
    const safe = decodeEntry('adjustments', ['d', JSON.stringify(largest)]);
    expect(safe.ok).toBe(true);
  });

  it('rejects unknown fields in an entry', () => {
    const result = decodeEntry('prices', ['d', JSON.stringify({ ...print, extra: 1 })]);
    expect(result.ok).toBe(false);
  });
});
