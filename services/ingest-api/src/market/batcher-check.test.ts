import { describe, expect, it } from 'vitest';
import { checkBatcher, parseBatcherHeartbeat } from './batcher-check.js';

const rules = { batcherHeartbeatAgeMsMax: 5_000, batcherLagMsMax: 20_000 };

describe('checkBatcher', () => {
  it('admits while the heartbeat is fresh and the lag within its bound', () => {
    expect(checkBatcher({ atMs: 10_000, lagMs: 20_000 }, 15_000, rules)).toEqual({ ok: true });
  });

  it('refuses batcher_behind without a heartbeat (fail closed)', () => {
    expect(checkBatcher(null, 15_000, rules)).toMatchObject({ ok: false, code: 'batcher_behind' });
  });

  it('refuses batcher_behind once the heartbeat is older than its bound', () => {
    expect(checkBatcher({ atMs: 10_000, lagMs: 0 }, 15_001, rules)).toEqual({
      ok: false,
      code: 'batcher_behind',
      reason: 'batcher heartbeat is 5001 ms old',
    });
  });

  it('refuses batcher_behind once the oldest unapplied bet is older than the lag bound', () => {
    expect(checkBatcher({ atMs: 10_000, lagMs: 20_001 }, 10_000, rules)).toMatchObject({
      ok: false,
      reason: 'oldest unapplied bet is 20001 ms old',
    });
  });
});

describe('parseBatcherHeartbeat', () => {
  it('reads the hash the batcher writes and rejects a missing or garbled one', () => {
    expect(parseBatcherHeartbeat({ at: '1700000000000', lagMs: '12' })).toEqual({
      atMs: 1_700_000_000_000,
      lagMs: 12,
    });
    expect(parseBatcherHeartbeat({})).toBeNull();
    expect(parseBatcherHeartbeat({ at: 'x', lagMs: '0' })).toBeNull();
  });
});
