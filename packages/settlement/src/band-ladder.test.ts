import { describe, expect, it } from 'vitest';
import { type Band, BandLadder } from './band-ladder.js';

const band = (p0: number, height = 10): Band => ({ key: `${p0}`, p0, top: p0 + height, bets: new Map() });

describe('BandLadder', () => {
  it('returns the covered bands at the start and pops the others as the range reaches them', () => {
    const ladder = new BandLadder();
    const [b0, b20, b40, bMinus20, bMinus40] = [band(0), band(20), band(40), band(-20), band(-40)];
    expect(ladder.placeAll([b40, b0, bMinus40, b20, bMinus20], 5, 5)).toEqual([b0]);
    expect(ladder.reach(5, 20)).toEqual([b20]);
    expect(ladder.reach(-10, 20)).toEqual([bMinus20]);
    expect(ladder.reach(-10, 39)).toEqual([]);
    expect(ladder.reach(-100, 100)).toEqual([b40, bMinus40]);
  });

  it('places a band added after the start on the right side, in order', () => {
    const ladder = new BandLadder();
    ladder.placeAll([band(100)], 50, 50);
    expect(ladder.place(band(45), 50, 50)).toBe(true);
    const b70 = band(70);
    const b20 = band(20);
    expect(ladder.place(b70, 50, 50)).toBe(false);
    expect(ladder.place(b20, 50, 50)).toBe(false);
    expect(ladder.reach(50, 80)).toEqual([b70]);
    expect(ladder.reach(30, 80)).toEqual([b20]);
  });
});
