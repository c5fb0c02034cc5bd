import { describe, expect, it } from 'vitest';
import { loadConfig, venueNames } from './config.js';

describe('loadConfig', () => {
  it('refuses to start without VENUES (the simulator is never a silent default)', () => {
    const result = loadConfig({});
    expect(result.ok).toBe(false);
    const text = result.ok ? '' : result.problems.join('\n');
    expect(text).toContain('VENUES: must be set');
  });

  it('runs the simulator only when named, with the SPEC values', () => {
    const result = loadConfig({ VENUES: 'simulator' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({
      VENUES: ['simulator'],
      PRINT_INTERVAL_MS: 100,
      VENUE_STALE_MS: 2_000,
      INDEX_OUTLIER_BP: 100,
      MIN_VENUES: 2,
      SIM_START_PRICE_CENTS: 9_500_000,
      INDEX_FILTER: 'on',
    });
    expect(venueNames(result.config)).toEqual(['sim-a', 'sim-b', 'sim-c']);
  });

  it('accepts a list of real venues', () => {
    const result = loadConfig({ VENUES: 'Coinbase, kraken', MIN_VENUES: '2' });
    expect(result.ok && result.config.VENUES).toEqual(['coinbase', 'kraken']);
  });

  it('names every bad variable', () => {
    const result = loadConfig({
      VENUES: 'coinbase,ftx',
      INDEX_FILTER: 'yes',
      COINBASE_WS_URL: 'https://example.com',
      SIM_VOL_ANNUAL: '-1',
      PRINT_INTERVAL_MS: '0',
    });
    expect(result.ok).toBe(false);
    const text = result.ok ? '' : result.problems.join('\n');
    for (const name of ['VENUES', 'INDEX_FILTER', 'COINBASE_WS_URL', 'SIM_VOL_ANNUAL', 'PRINT_INTERVAL_MS'])
      expect(text).toContain(name);
  });

  it('refuses more minimum venues than configured venues, and a backoff max below its base', () => {
    const result = loadConfig({
      VENUES: 'kraken',
      MIN_VENUES: '2',
      VENUE_BACKOFF_BASE_MS: '1000',
      VENUE_BACKOFF_MAX_MS: '10',
    });
    expect(result.ok).toBe(false);
    const text = result.ok ? '' : result.problems.join('\n');
    expect(text).toContain('MIN_VENUES');
    expect(text).toContain('VENUE_BACKOFF_MAX_MS');
  });
});
