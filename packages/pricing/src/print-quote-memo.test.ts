import { describe, expect, it } from 'vitest';
import { createPrintQuoteMemo } from './print-quote-memo.js';

describe('createPrintQuoteMemo', () => {
  it('computes a (print, cell) once and tells prints and cells apart', () => {
    const memo = createPrintQuoteMemo<string>();
    let computed = 0;
    const quote = (print: object | number, cell: string) =>
      memo.get(print, cell, () => {
        computed += 1;
        return `${String(typeof print === 'number' ? print : 'object')}:${cell}:${computed}`;
      });
    const printA = { id: 1 };
    const printB = { id: 1 }; // the same id in another object: another print to the memo
    expect(quote(printA, 'c1')).toBe('object:c1:1');
    expect(quote(printA, 'c1')).toBe('object:c1:1');
    expect(quote(printA, 'c2')).toBe('object:c2:2');
    expect(quote(printB, 'c1')).toBe('object:c1:3');
    expect(quote(7, 'c1')).toBe('7:c1:4');
    expect(quote(7, 'c1')).toBe('7:c1:4');
    expect(computed).toBe(4);
  });

  it('keeps only the newest prints', () => {
    const memo = createPrintQuoteMemo<number>(2);
    let computed = 0;
    const quote = (print: number) =>
      memo.get(print, 'c', () => {
        computed += 1;
        return computed;
      });
    quote(1);
    quote(2);
    quote(3); // forgets print 1
    expect(quote(2)).toBe(2);
    expect(quote(1)).toBe(4);
    expect(computed).toBe(4);
  });

  it('stops keeping a print’s cells past cellsMax, and still answers every one', () => {
    const memo = createPrintQuoteMemo<string>(4, 3);
    let computed = 0;
    const compute = (cell: string) => () => {
      computed += 1;
      return cell;
    };
    for (const cell of ['a', 'b', 'c', 'd', 'd', 'a']) expect(memo.get(1, cell, compute(cell))).toBe(cell);
    // a, b, c kept; d computed both times; a remembered.
    expect(computed).toBe(5);
  });
});
