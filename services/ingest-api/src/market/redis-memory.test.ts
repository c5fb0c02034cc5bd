import { describe, expect, it } from 'vitest';
import { memoryRefusal, parseMemoryInfo } from './redis-memory.js';

const rules = { loginsMaxPct: 80, betsMaxPct: 90, readingAgeMsMax: 2_000 };
const reading = (usedBytes: number, maxBytes = 1_000) => ({ usedBytes, maxBytes, atMs: 10_000 });

describe('memoryRefusal', () => {
  it('refuses logins from 80 % and bets from 90 % of maxmemory', () => {
    expect(memoryRefusal(reading(799), 'login', 10_000, rules)).toBeNull();
    expect(memoryRefusal(reading(800), 'login', 10_000, rules)).toBe('service_busy');
    expect(memoryRefusal(reading(800), 'bet', 10_000, rules)).toBeNull();
    expect(memoryRefusal(reading(899), 'bet', 10_000, rules)).toBeNull();
    expect(memoryRefusal(reading(900), 'bet', 10_000, rules)).toBe('service_busy');
    expect(memoryRefusal(reading(1_200), 'bet', 10_000, rules)).toBe('service_busy');
  });

  it('fails closed without a fresh reading', () => {
    expect(memoryRefusal(null, 'bet', 10_000, rules)).toBe('service_unavailable');
    expect(memoryRefusal(reading(1), 'login', 12_001, rules)).toBe('service_unavailable');
    expect(memoryRefusal(reading(1), 'login', 12_000, rules)).toBeNull();
  });

  it('refuses nothing when Redis has no maxmemory', () => {
    expect(memoryRefusal(reading(10_000_000, 0), 'bet', 10_000, rules)).toBeNull();
  });
});

describe('parseMemoryInfo', () => {
  it('reads used_memory and maxmemory from INFO memory, not their look-alikes', () => {
    const info =
      '# Memory\r\nused_memory:1234\r\nused_memory_human:1.21K\r\nmaxmemory:5000\r\nmaxmemory_human:4.88K\r\n';
    expect(parseMemoryInfo(info, 7)).toEqual({ usedBytes: 1234, maxBytes: 5000, atMs: 7 });
    expect(parseMemoryInfo('# Memory\r\nused_memory_rss:1\r\n', 7)).toBeNull();
  });
});
