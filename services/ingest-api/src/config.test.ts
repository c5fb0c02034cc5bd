import { ADAPTIVE_FILL_DELAY_DEFAULTS } from '@tap/pricing';
import { TEST_OPERATOR_KEY } from '@tap/testkit';
import { describe, expect, it } from 'vitest';
import { exposureLimitsOf, fillDelayOf, loadConfig } from './config.js';

describe('ingest-api loadConfig', () => {
  it('has the SPEC defaults for everything, demo mode off', () => {
    expect(loadConfig({})).toMatchObject({
      ok: true,
      config: {
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: 8080,
        BODY_BYTES_MAX: 4_096,
        LOGIN_SKEW_MS: 30_000,
        NONCE_TTL_S: 90,
        SESSION_TTL_S: 86_400,
        SESSIONS_PER_WALLET_MAX: 10,
        RATE_LIMIT_PER_S: 5,
        RATE_LIMIT_BURST: 10,
        STAKE_MICROS_MIN: 100_000,
        STAKE_MICROS_MAX: 100_000_000,
        USER_OPEN_BETS_MAX: 20,
        DEMO_MODE: false,
        REDIS_COMMAND_TIMEOUT_MS: 1_000,
        BATCHER_HEARTBEAT_AGE_MS_MAX: 5_000,
        BATCHER_LAG_MS_MAX: 20_000,
        READER_QUEUE_MAX: 32,
        ADMIT_BATCH_BETS_MAX: 16,
        ADMIT_CALLS_IN_FLIGHT_MAX: 4,
        READER_QUERY_TIMEOUT_MS: 5_000,
        LIST_RANGE_DAYS_MAX: 35,
        HISTORY_RANGES_PER_S: 10,
        HISTORY_RANGES_BURST: 40,
      },
    });
  });

  it('reads overrides, and the chain id list as numbers', () => {
    const result = loadConfig({ HTTP_PORT: '18080', LOGIN_CHAIN_IDS: '1,8453', RATE_LIMIT_PER_S: '50' });
    expect(result).toMatchObject({
      ok: true,
      config: { HTTP_PORT: 18_080, LOGIN_CHAIN_IDS: [1, 8_453], RATE_LIMIT_PER_S: 50 },
    });
  });

  it('names every bad variable', () => {
    const result = loadConfig({
      HTTP_PORT: 'eighty',
      BODY_BYTES_MAX: '10',
      LOGIN_URI: 'not a url',
      LOGIN_CHAIN_IDS: '1,,2',
      NONCE_TTL_S: '60',
      DEMO_MODE: 'maybe',
      REDIS_URL: 'http://example',
    });
    expect(result.ok).toBe(false);
    const problems = result.ok ? '' : result.problems.join('\n');
    for (const variable of [
      'HTTP_PORT',
      'BODY_BYTES_MAX',
      'LOGIN_URI',
      'LOGIN_CHAIN_IDS',
      'NONCE_TTL_S',
      'DEMO_MODE',
      'REDIS_URL',
    ]) {
      expect(problems).toContain(variable);
    }
  });

  it('refuses a smallest stake above the largest', () => {
    const result = loadConfig({ STAKE_MICROS_MIN: '2000000', STAKE_MICROS_MAX: '1000000' });
    expect(result).toEqual({ ok: false, problems: [expect.stringContaining('STAKE_MICROS_MIN')] });
  });

  it('needs the operator key in demo mode (the faucet signs its deposits), and a well-formed one', () => {
    expect(loadConfig({ DEMO_MODE: '1' })).toEqual({
      ok: false,
      problems: [expect.stringContaining('OPERATOR_MAC_KEY')],
    });
    expect(loadConfig({ DEMO_MODE: '1', OPERATOR_MAC_KEY: TEST_OPERATOR_KEY })).toMatchObject({
      ok: true,
      config: { DEMO_MODE: true },
    });
    expect(loadConfig({ DEMO_MODE: '1', OPERATOR_MAC_KEY: 'abc' }).ok).toBe(false);
  });

  it('defaults to the measured defense: next-tick entry with the adaptive delay; receipt is the opt-out', () => {
    const defaults = loadConfig({});
    if (!defaults.ok) throw new Error(defaults.problems.join('\n'));
    expect(defaults.config).toMatchObject({ BET_ENTRY: 'next_print', BET_ENTRY_DELAY: 'adaptive' });
    expect(fillDelayOf(defaults.config)).toEqual({ kind: 'adaptive', rule: ADAPTIVE_FILL_DELAY_DEFAULTS });
    // Receipt entry alone: the default adaptive delay is unused, not a contradiction.
    expect(loadConfig({ BET_ENTRY: 'receipt' })).toMatchObject({
      ok: true,
      config: { BET_ENTRY: 'receipt' },
    });
  });

  it('takes a fixed fill delay only with BET_ENTRY_DELAY=fixed, above one print only with next-tick entry', () => {
    expect(loadConfig({ BET_ENTRY: 'receipt', BET_ENTRY_DELAY_PRINTS: '3' })).toEqual({
      ok: false,
      problems: [expect.stringContaining('BET_ENTRY_DELAY_PRINTS: above 1 needs BET_ENTRY=next_print')],
    });
    // The defense before the adaptive default: refused by name rather than silently ignored.
    expect(loadConfig({ BET_ENTRY_DELAY_PRINTS: '7' })).toEqual({
      ok: false,
      problems: [expect.stringContaining('set BET_ENTRY_DELAY=fixed with it')],
    });
    expect(loadConfig({ BET_ENTRY_DELAY: 'fixed', BET_ENTRY_DELAY_PRINTS: '3' })).toMatchObject({
      ok: true,
      config: { BET_ENTRY: 'next_print', BET_ENTRY_DELAY_PRINTS: 3 },
    });
    expect(loadConfig({ BET_ENTRY_DELAY: 'fixed', BET_ENTRY_DELAY_PRINTS: '51' }).ok).toBe(false);
    expect(loadConfig({})).toMatchObject({ ok: true, config: { BET_ENTRY_DELAY_PRINTS: 1 } });
  });

  it('takes the adaptive fill delay only with next-tick entry and bounds in order, naming each problem', () => {
    const adaptive = loadConfig({ BET_ENTRY_DELAY: 'adaptive', BET_ENTRY_DELAY_ERROR_FACTOR: '1.75' });
    if (!adaptive.ok) throw new Error(adaptive.problems.join('\n'));
    expect(fillDelayOf(adaptive.config)).toEqual({
      kind: 'adaptive',
      rule: { ...ADAPTIVE_FILL_DELAY_DEFAULTS, errorFactor: 1.75 },
    });
    expect(
      loadConfig({
        BET_ENTRY: 'receipt',
        BET_ENTRY_DELAY: 'adaptive',
        BET_ENTRY_DELAY_PRINTS_MIN: '9',
        BET_ENTRY_DELAY_PRINTS_MAX: '4',
      }),
    ).toEqual({
      ok: false,
      problems: [
        expect.stringContaining('BET_ENTRY_DELAY: adaptive needs BET_ENTRY=next_print'),
        expect.stringContaining('BET_ENTRY_DELAY_PRINTS_MIN'),
      ],
    });
    expect(loadConfig({ BET_ENTRY_DELAY: 'sometimes' }).ok).toBe(false);
    expect(loadConfig({ BET_ENTRY_DELAY_ERROR_FACTOR: '-1' }).ok).toBe(false);
    const fixed = loadConfig({ BET_ENTRY_DELAY: 'fixed', BET_ENTRY_DELAY_PRINTS: '7' });
    if (!fixed.ok) throw new Error(fixed.problems.join('\n'));
    expect(fillDelayOf(fixed.config)).toEqual({ kind: 'fixed', prints: 7 });
  });

  it('derives the SPEC §3 exposure limits from the bankroll', () => {
    const result = loadConfig({ BANKROLL_MICROS: '1000000000000' });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(exposureLimitsOf(result.config)).toEqual({
      cellMicros: 2_500_000_000,
      columnMicros: 15_000_000_000,
      totalMicros: 100_000_000_000,
      userPayoutMicros: 2_000_000_000,
      userOpenBets: 20,
    });
  });
});
