import { describe, expect, it } from 'vitest';
import { BackpressureGuard, type Guarded } from './backpressure-guard.js';

function aSocket(bytes: number) {
  const socket = {
    bytes,
    dropped: false,
    bufferedBytesSeen: 0,
    isOpen: () => !socket.dropped,
    bufferedBytes: () => socket.bytes,
    dropForBackpressure: () => {
      socket.dropped = true;
    },
  };
  return socket satisfies Guarded;
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('BackpressureGuard', () => {
  it('drops the subscribers of a published topic that are over the limit, once per turn', async () => {
    const guard = new BackpressureGuard(1_000);
    const slow = aSocket(1_001);
    const fast = aSocket(1_000);
    guard.track('ticks', slow);
    guard.track('ticks', fast);
    guard.afterPublish('ticks');
    guard.afterPublish('ticks');
    expect(slow.dropped).toBe(false);
    await nextTurn();
    expect(slow.dropped).toBe(true);
    expect(fast.dropped).toBe(false);
    expect(fast.bufferedBytesSeen).toBe(1_000);
  });

  it('checks only the subscribers of the topics published', async () => {
    const guard = new BackpressureGuard(1_000);
    const other = aSocket(5_000);
    guard.track('user:b', other);
    guard.afterPublish('user:a');
    await nextTurn();
    expect(other.dropped).toBe(false);
  });

  it('forgets an untracked socket', async () => {
    const guard = new BackpressureGuard(1_000);
    const gone = aSocket(5_000);
    guard.track('ticks', gone);
    guard.track('breaker', gone);
    guard.untrack(gone);
    guard.afterPublish('ticks');
    await nextTurn();
    expect(gone.dropped).toBe(false);
  });

  it('attributes an abnormal close of a half-full socket to the limit', () => {
    const guard = new BackpressureGuard(1_000);
    const socket = aSocket(0);
    socket.bufferedBytesSeen = 500;
    expect(guard.closedByLimit(socket, 1006)).toBe(true);
    expect(guard.closedByLimit(socket, 1000)).toBe(false);
    socket.bufferedBytesSeen = 100;
    expect(guard.closedByLimit(socket, 1006)).toBe(false);
  });
});
