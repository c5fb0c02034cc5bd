/**
 * createNoisyTouch: the price's function over any window-maximum table of the shipped layout (the
 * calibration tools measure candidate tables with it). With the shipped table it is the price;
 * with another table it prices from that table, not the shipped one.
 */
import { describe, expect, it } from 'vitest';
import { createNoisyTouch, noiseShapeAt, noisyTouchProbability, type WindowMaxTable } from './noisy-touch.js';
import { WINDOW_MAX_TABLE } from './window-max-table.js';

const CELLS = [-3e-4, -5e-5, 0, 2e-4].flatMap((lowerLog) =>
  [2_000, 7_000, 55_000].map((tau1Ms) => ({
    lowerLog,
    upperLog: lowerLog + 1.05e-4,
    tau1Ms,
    sigma: 1.07e-4,
    noise: 6.6e-5,
    printIntervalMs: 100,
  })),
);

describe('createNoisyTouch', () => {
  it('prices exactly as noisyTouchProbability with the shipped table', () => {
    const touch = createNoisyTouch(WINDOW_MAX_TABLE);
    for (const cell of CELLS) expect(touch(cell)).toBe(noisyTouchProbability(cell));
  });

  it('prices from the table it is given', () => {
    // Every window maximum one print step higher: the window reaches bands above more often.
    const shift = Math.round(1 / Math.sqrt(WINDOW_MAX_TABLE.steps + 4) / WINDOW_MAX_TABLE.xStep);
    const higher: WindowMaxTable = {
      ...WINDOW_MAX_TABLE,
      cdf: WINDOW_MAX_TABLE.cdf.map((row) => row.map((_, j) => row[Math.max(0, j - shift)]!)),
    };
    const touch = createNoisyTouch(higher);
    const above = { ...CELLS[9]!, tau1Ms: 2_000 };
    expect(touch(above)).toBeGreaterThan(noisyTouchProbability(above) + 0.005);
  });
});

describe('noiseShapeAt', () => {
  it("reads the shipped table's noise shape at a noise ratio, linear between its rows (pricing-v2.7)", () => {
    // Persistence 0.45 up to r = 1, 0.3 from r = 1.5, linear between; V 2.5 up to r = 2.5, 3.25 from 3.5.
    expect(noiseShapeAt(0.5)).toEqual({ lag1: 0.45, varianceRatio: 2.5 });
    expect(noiseShapeAt(1.25).lag1).toBe(0.375);
    expect(noiseShapeAt(1.125).lag1).toBeCloseTo(0.4125, 12);
    expect(noiseShapeAt(2).lag1).toBe(0.3);
    expect(noiseShapeAt(3)).toEqual({ lag1: 0.3, varianceRatio: 2.875 });
    expect(noiseShapeAt(40)).toEqual({ lag1: 0.3, varianceRatio: 3.25 });
    expect(noiseShapeAt(Number.NaN)).toEqual({ lag1: 0.45, varianceRatio: 2.5 });
  });
});
