import { describe, expect, it } from 'vitest';
import { createHistogram, encodeHistogram, recordMs } from './histogram.js';
import { blockHistogram, blockSchedule, pooled, scheduleSeconds } from './interleaved.js';

function second(...ms: number[]): string {
  const histogram = createHistogram();
  for (const value of ms) recordMs(histogram, value);
  return encodeHistogram(histogram);
}

describe('interleaved blocks', () => {
  const blocks = blockSchedule({ sequence: ['a', 'b'], repeats: 2, warmupS: 3, blockS: 4, settleS: 1 });

  it('cycles the sequence after the warm-up, each block measured after its settling second', () => {
    expect(blocks).toEqual([
      { index: 0, condition: 'a', startS: 3, measuredFromS: 4, endS: 7 },
      { index: 1, condition: 'b', startS: 7, measuredFromS: 8, endS: 11 },
      { index: 2, condition: 'a', startS: 11, measuredFromS: 12, endS: 15 },
      { index: 3, condition: 'b', startS: 15, measuredFromS: 16, endS: 19 },
    ]);
    expect(scheduleSeconds(blocks)).toBe(19);
    expect(() => blockSchedule({ sequence: ['a'], repeats: 1, warmupS: 0, blockS: 1, settleS: 1 })).toThrow();
  });

  it('pools only a block’s measured seconds, and a condition’s blocks together', () => {
    const seconds = Array.from({ length: 19 }, (_, s) => second(s / 10)); // second s: one bet of s/10 ms (exact in HDR)
    seconds[9] = '';
    const b = blockHistogram(seconds, blocks[1]!);
    expect(pooled([b])).toMatchObject({ count: 2, maxMs: 1 }); // seconds 8 and 10 (9 had none)
    const both = pooled([b, blockHistogram(seconds, blocks[3]!)]);
    expect(both).toMatchObject({ count: 5, maxMs: 1.8 });
    expect(pooled(['', ''])).toBeNull();
    expect(blockHistogram([], blocks[0]!)).toBe('');
  });
});
