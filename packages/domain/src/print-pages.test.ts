import { describe, expect, it } from 'vitest';
import { PRINT_PAGE_MS, printPageQuery, printPageStarts } from './print-pages.js';

describe('index history grid pages', () => {
  it('covers a range with the pages it touches, the first one starting at or before it', () => {
    expect(printPageStarts(1_764_000_012_345, 1_764_000_030_000)).toEqual([
      1_764_000_010_000, 1_764_000_020_000,
    ]);
    expect(printPageStarts(1_764_000_010_000, 1_764_000_010_001)).toEqual([1_764_000_010_000]);
    expect(printPageStarts(1_764_000_010_000, 1_764_000_010_000)).toEqual([]);
  });

  it('writes one text per page (what a cache keys on), a cursor only when given', () => {
    expect(printPageQuery(1_764_000_010_000)).toBe(
      `from=1764000010000&to=${1_764_000_010_000 + PRINT_PAGE_MS}`,
    );
    expect(printPageQuery(1_764_000_010_000, '1764000019990-42')).toBe(
      'from=1764000010000&to=1764000020000&cursor=1764000019990-42',
    );
  });
});
