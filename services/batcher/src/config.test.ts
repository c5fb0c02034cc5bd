import { TEST_OPERATOR_KEY } from '@tap/testkit';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('batcher loadConfig', () => {
  const KEY = { OPERATOR_MAC_KEY: TEST_OPERATOR_KEY };

  it('has defaults for everything but the operator key', () => {
    expect(loadConfig(KEY)).toMatchObject({
      ok: true,
      config: {
        BATCH_MAX: 1_000,
        BATCH_WAIT_MS: 5,
        BLOCK_MS: 100,
        CONSUMER_NAME: 'batcher-1',
        EVENTS_MAXLEN: 400_000,
        BENCH_SYNCHRONOUS_NORMAL: false,
        BATCHER_FAIL_POINT: undefined,
        BATCHER_FAIL_AFTER_BATCHES: 1,
        DEAD_MAN_GRACE_MS: 60_000,
        ANCHOR_INTERVAL_MS: 60_000,
        HEARTBEAT_INTERVAL_MS: 500,
      },
    });
  });

  it('requires the operator key and never echoes a bad one', () => {
    const missing = loadConfig({});
    expect(!missing.ok && missing.problems.join('\n')).toContain('OPERATOR_MAC_KEY');
    const bad = loadConfig({ OPERATOR_MAC_KEY: 'short-secret' });
    const problems = bad.ok ? '' : bad.problems.join('\n');
    expect(problems).toContain('OPERATOR_MAC_KEY');
    expect(problems).not.toContain('short-secret');
  });

  it('reads the chaos hook', () => {
    const result = loadConfig({
      ...KEY,
      BATCHER_FAIL_POINT: 'after_ack_before_events',
      BATCHER_FAIL_AFTER_BATCHES: '3',
    });
    expect(result).toMatchObject({ ok: true, config: { BATCHER_FAIL_POINT: 'after_ack_before_events' } });
  });

  it('names every bad variable', () => {
    const result = loadConfig({
      BATCH_MAX: '0',
      BATCH_WAIT_MS: 'soon',
      BLOCK_MS: '5000',
      CONSUMER_NAME: 'two words',
      EVENTS_MAXLEN: '10',
      BENCH_SYNCHRONOUS_NORMAL: 'yes',
      BATCHER_FAIL_POINT: 'before_lunch',
      BATCHER_FAIL_AFTER_BATCHES: '-1',
    });
    expect(result.ok).toBe(false);
    const problems = result.ok ? '' : result.problems.join('\n');
    for (const variable of [
      'BATCH_MAX',
      'BATCH_WAIT_MS',
      'BLOCK_MS',
      'CONSUMER_NAME',
      'EVENTS_MAXLEN',
      'BENCH_SYNCHRONOUS_NORMAL',
      'BATCHER_FAIL_POINT',
      'BATCHER_FAIL_AFTER_BATCHES',
    ]) {
      expect(problems).toContain(variable);
    }
  });
});
