import { describe, expect, it } from 'vitest';
import { createSpareBuffers } from './reader-worker.js';

describe('the reader’s given-back buffers', () => {
  it('builds a body in the smallest spare that fits, as a view of its exact length, each spare once', () => {
    const spares = createSpareBuffers(4);
    const big = new ArrayBuffer(400_000);
    const medium = new ArrayBuffer(100_000);
    spares.keep(big);
    spares.keep(medium);
    const first = spares.allocate(90_000);
    expect(first.buffer).toBe(medium);
    expect([first.byteOffset, first.byteLength]).toEqual([0, 90_000]);
    const second = spares.allocate(90_000);
    expect(second.buffer).toBe(big);
    expect(spares.size()).toBe(0);
    // None left: a fresh buffer of its own, exactly the size asked.
    const third = spares.allocate(10);
    expect(third.buffer.byteLength).toBe(10);
  });

  it('takes a fresh buffer when no spare is big enough, and keeps at most its bound', () => {
    const spares = createSpareBuffers(2);
    spares.keep(new ArrayBuffer(1_000));
    expect(spares.allocate(2_000).buffer.byteLength).toBe(2_000);
    expect(spares.size()).toBe(1);
    spares.keep(new ArrayBuffer(1_000));
    spares.keep(new ArrayBuffer(1_000));
    expect(spares.size()).toBe(2);
  });
});
