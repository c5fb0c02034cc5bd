import { describe, expect, it } from 'vitest';
import { Fifo } from './fifo.js';

describe('Fifo', () => {
  it('gives items back in the order they were pushed, across compactions', () => {
    const fifo = new Fifo<number>();
    const taken: number[] = [];
    for (let i = 0; i < 5_000; i += 1) {
      fifo.push(i);
      if (i % 3 === 2) taken.push(fifo.shift()!);
    }
    expect(fifo.length).toBe(5_000 - taken.length);
    expect(fifo.peek()).toBe(taken.length);
    for (let next = fifo.shift(); next !== undefined; next = fifo.shift()) taken.push(next);
    expect(taken).toEqual(Array.from({ length: 5_000 }, (_, i) => i));
    expect(fifo.length).toBe(0);
    expect(fifo.shift()).toBeUndefined();
  });
});
