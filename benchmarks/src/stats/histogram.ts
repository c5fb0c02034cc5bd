/**
 * Latency histograms (HdrHistogram, 3 significant digits) recorded in microseconds, and the summary
 * every report prints: count, mean, p50/p90/p99/p99.9 and max in milliseconds. Values above the
 * trackable range (60 s) are clamped to it, so one pathological request cannot break a run.
 * Histograms cross thread boundaries as compressed base64 strings.
 */
import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

const HIGHEST_US = 60_000_000;

export function createHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 32,
    useWebAssembly: false,
  });
}

/** Records a latency given in (fractional) milliseconds. */
export function recordMs(histogram: Histogram, ms: number): void {
  const us = Math.round(ms * 1000);
  histogram.recordValue(Math.min(Math.max(us, 1), HIGHEST_US));
}

export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;

export function summarize(histogram: Histogram): LatencySummary {
  const count = histogram.totalCount;
  if (count === 0) return { count: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 };
  const at = (percentile: number) => round3(histogram.getValueAtPercentile(percentile) / 1000);
  return {
    count,
    meanMs: round3(histogram.mean / 1000),
    p50Ms: at(50),
    p90Ms: at(90),
    p99Ms: at(99),
    p999Ms: at(99.9),
    maxMs: round3(histogram.maxValue / 1000),
  };
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): Histogram {
  const decoded = hdr.decodeFromCompressedBase64(encoded, 32, false);
  const histogram = createHistogram();
  histogram.add(decoded);
  return histogram;
}

/** Adds every encoded histogram into `into` (or a new one) and returns it. */
export function mergeEncoded(encoded: readonly string[], into: Histogram = createHistogram()): Histogram {
  for (const item of encoded) into.add(decodeHistogram(item));
  return into;
}
