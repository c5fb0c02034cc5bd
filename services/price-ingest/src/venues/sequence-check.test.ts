import { describe, expect, it } from 'vitest';
import { checkSequence } from './sequence-check.js';

describe('checkSequence', () => {
  it('accepts the first number of a connection', () => {
    expect(checkSequence('contiguous', null, 41)).toEqual({ verdict: 'in_order', last: 41 });
  });

  it('counts a jump of a contiguous sequence as a gap and moves on', () => {
    expect(checkSequence('contiguous', 4, 5)).toEqual({ verdict: 'in_order', last: 5 });
    expect(checkSequence('contiguous', 4, 7)).toEqual({ verdict: 'gap', last: 7 });
  });

  it('accepts jumps of a monotonic sequence', () => {
    expect(checkSequence('monotonic', 100, 180)).toEqual({ verdict: 'in_order', last: 180 });
  });

  it('drops a duplicate or older number', () => {
    expect(checkSequence('contiguous', 7, 7)).toEqual({ verdict: 'out_of_order', last: 7 });
    expect(checkSequence('monotonic', 180, 150)).toEqual({ verdict: 'out_of_order', last: 180 });
  });

  it('ignores numbers when the venue has none, and frames without one', () => {
    expect(checkSequence('none', 7, 3)).toEqual({ verdict: 'in_order', last: 3 });
    expect(checkSequence('contiguous', 7, undefined)).toEqual({ verdict: 'in_order', last: 7 });
  });
});
