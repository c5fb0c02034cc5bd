import { describe, expect, it } from 'vitest';
import { trend } from './trend.js';

describe('trend', () => {
  it('fits the least-squares line', () => {
    const points = [0, 1, 2, 3, 4].map((x) => ({ x, y: 10 + 2 * x + (x % 2 === 0 ? 0.5 : -0.5) }));
    const fit = trend(points)!;
    expect(fit.slope).toBeCloseTo(2, 0);
    expect(fit.mean).toBeCloseTo(14.1, 5);
  });

  it('has no line through fewer than two points or one x', () => {
    expect(trend([{ x: 1, y: 1 }])).toBeUndefined();
    expect(
      trend([
        { x: 1, y: 1 },
        { x: 1, y: 2 },
      ]),
    ).toBeUndefined();
  });
});
