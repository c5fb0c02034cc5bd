import { describe, expect, it } from 'vitest';
import type { TimelinePoint } from '../stats/timeline.js';
import { escapeXml, formatMs, logRange, niceCeil, renderLatencySvg } from './svg.js';

const point = (second: number, overrides: Partial<TimelinePoint> = {}): TimelinePoint => ({
  second,
  offeredPerS: 3_000,
  okPerS: 2_990,
  errorsPerS: 10,
  p50Ms: 1.5,
  p99Ms: 4,
  acceptedP99Ms: 20,
  ...overrides,
});

describe('latency SVG', () => {
  it('draws one polyline per series with a point per second', () => {
    const svg = renderLatencySvg([point(0), point(1), point(2)], { title: 'ingest <3k> & co', warmupS: 1 });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    const polylines = svg.match(/<polyline [^>]*points="([^"]*)"/g) ?? [];
    expect(polylines).toHaveLength(6);
    for (const line of polylines) expect(line.match(/\d+(\.\d+)?,\d+(\.\d+)?/g)).toHaveLength(3);
    expect(svg).toContain('ingest &#60;3k&#62; &#38; co');
    expect(svg).toContain('p99 WS accepted');
  });

  it('leaves out seconds without data and series without any', () => {
    const svg = renderLatencySvg(
      [point(0, { acceptedP99Ms: null, errorsPerS: 0 }), point(1, { acceptedP99Ms: null, errorsPerS: 0 })],
      {
        title: 't',
        warmupS: 0,
      },
    );
    expect(svg.match(/<polyline /g)).toHaveLength(4);
  });

  it('renders an empty run without NaN', () => {
    expect(renderLatencySvg([], { title: 'empty', warmupS: 0 })).not.toContain('NaN');
  });

  it('scales axes to whole decades and round numbers', () => {
    expect(logRange([0.5, 40])).toEqual({ min: -1, max: 2 });
    expect(logRange([])).toEqual({ min: -1, max: 1 });
    expect(niceCeil(3_100)).toBe(5_000);
    expect(niceCeil(20_000)).toBe(20_000);
    expect(formatMs(0.1)).toBe('0.1ms');
    expect(formatMs(1_000)).toBe('1s');
    expect(escapeXml(`"a'`)).toBe('&#34;a&#39;');
  });
});
