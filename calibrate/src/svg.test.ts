import { describe, expect, it } from 'vitest';
import { errorBar, escapeXml, svgHead, ticks } from './svg.js';

describe('svg pieces', () => {
  it('ticks from the first multiple of the step at or above lo up to hi', () => {
    expect(ticks(-0.13, 0.12, 0.05).map((t) => Math.round(t * 100))).toEqual([-10, -5, 0, 5, 10]);
    expect(ticks(0, 0.2, 0.1).map((t) => Math.round(t * 10))).toEqual([0, 1, 2]);
  });

  it('draws a point with its bar, the label escaped, and a bare point without one', () => {
    const y = (v: number) => 100 - v;
    expect(errorBar(5, y, { value: 10, half: 2, color: 'red', label: 'a<b' })).toEqual([
      '<line x1="5" y1="92" x2="5" y2="88" stroke="red"/>',
      '<circle cx="5" cy="90" r="3" fill="red"><title>a&#60;b</title></circle>',
    ]);
    expect(errorBar(5, y, { value: 10, half: 2, color: 'red', r: 4 })[1]).toBe(
      '<circle cx="5" cy="90" r="4" fill="red"/>',
    );
  });

  it('escapes title and subtitle in the head', () => {
    const head = svgHead({ width: 10, height: 20 }, 3, 'A & B', '"x"', 40).join('\n');
    expect(head).toContain('viewBox="0 0 10 20"');
    expect(head).toContain(`>${escapeXml('A & B')}</text>`);
    expect(head).toContain('y="40" fill="#555">&#34;x&#34;</text>');
  });
});
