import { describe, expect, it } from 'vitest';
import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  mergeEncoded,
  recordMs,
  summarize,
} from './histogram.js';

describe('latency histogram', () => {
  it('summarizes percentiles in milliseconds within 3 significant digits', () => {
    const histogram = createHistogram();
    for (let ms = 1; ms <= 1_000; ms += 1) recordMs(histogram, ms);
    const summary = summarize(histogram);
    expect(summary.count).toBe(1_000);
    expect(summary.p50Ms).toBeCloseTo(500, -1);
    expect(summary.p90Ms).toBeCloseTo(900, -1);
    expect(summary.p99Ms).toBeCloseTo(990, -1);
    expect(summary.p999Ms).toBeCloseTo(999, -1);
    expect(summary.maxMs).toBeCloseTo(1_000, -1);
    expect(summary.meanMs).toBeCloseTo(500.5, -1);
  });

  it('keeps sub-millisecond resolution', () => {
    const histogram = createHistogram();
    recordMs(histogram, 0.25);
    expect(summarize(histogram).p50Ms).toBeCloseTo(0.25, 3);
  });

  it('summarizes an empty histogram as zeros', () => {
    expect(summarize(createHistogram())).toEqual({
      count: 0,
      meanMs: 0,
      p50Ms: 0,
      p90Ms: 0,
      p99Ms: 0,
      p999Ms: 0,
      maxMs: 0,
    });
  });

  it('clamps values beyond the trackable range instead of throwing', () => {
    const histogram = createHistogram();
    recordMs(histogram, 10 * 60_000);
    recordMs(histogram, -5);
    expect(summarize(histogram).maxMs).toBeCloseTo(60_000, -2);
    expect(histogram.totalCount).toBe(2);
  });

  it('survives encoding and merges worker histograms exactly', () => {
    const a = createHistogram();
    const b = createHistogram();
    for (let i = 0; i < 100; i += 1) recordMs(a, 1);
    for (let i = 0; i < 100; i += 1) recordMs(b, 100);
    expect(summarize(decodeHistogram(encodeHistogram(a)))).toEqual(summarize(a));
    const merged = summarize(mergeEncoded([encodeHistogram(a), encodeHistogram(b)]));
    expect(merged.count).toBe(200);
    expect(merged.p50Ms).toBeCloseTo(1, 2);
    expect(merged.p99Ms).toBeCloseTo(100, 0);
  });
});
