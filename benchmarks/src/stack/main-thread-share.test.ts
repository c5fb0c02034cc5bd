import { describe, expect, it } from 'vitest';
import { shareOf, threadLabel } from './main-thread-share.js';

describe('shareOf', () => {
  it('gives time on a CPU and time waiting for one as % of the window', () => {
    const before = { cpuNs: 1_000_000_000, waitNs: 50_000_000 };
    const after = { cpuNs: 1_250_000_000, waitNs: 80_000_000 };
    expect(shareOf(before, after, 1_000_000_000)).toEqual({ cpuPct: 25, waitPct: 3 });
  });
});

describe('threadLabel', () => {
  it("names a process's main thread after the process, and keeps a named thread's own name", () => {
    expect(threadLabel('redis')).toBe('redis main thread');
    expect(threadLabel('ingest-api reader thread')).toBe('ingest-api reader thread');
  });
});
