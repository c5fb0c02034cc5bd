/**
 * The test kit's stack cleans up after itself when it cannot start: a daemon that exits before it is
 * healthy fails startStack with the daemon's own words, and every process it had started is
 * stopped (the caller gets no stack to stop, so nothing else would stop them).
 */
import { liveChildPids, startStack } from '@tap/testkit';
import { describe, expect, it } from 'vitest';

describe('startStack', () => {
  it('stops what it started and says why when a daemon exits before it is healthy', async () => {
    const before = liveChildPids(process.pid);
    const started = startStack({
      daemons: ['batcher', 'ingest-api'],
      env: { 'ingest-api': { BODY_BYTES_MAX: '1' } },
    });
    await expect(started).rejects.toThrow(/ingest-api exited[\s\S]*BODY_BYTES_MAX/);
    expect(liveChildPids(process.pid)).toEqual(before);
  }, 60_000);
});
