import { describe, expect, it } from 'vitest';
import { latencyBetween, parseBuckets } from './server-latency.js';

function exposition(route: string, counts: [string, number][]): string {
  return counts
    .map(
      ([le, n]) =>
        `tap_ingest_api_request_duration_seconds_bucket{le="${le}",service="ingest-api",route="${route}"} ${n}`,
    )
    .join('\n');
}

describe('server latency from the Prometheus histogram', () => {
  it('reads only the route’s cumulative buckets, +Inf as Infinity', () => {
    const text = `${exposition('place_bet', [
      ['0.001', 3],
      ['+Inf', 5],
    ])}\n${exposition('me', [
      ['0.001', 9],
      ['+Inf', 9],
    ])}`;
    expect([...parseBuckets(text, 'place_bet')]).toEqual([
      [0.001, 3],
      [Number.POSITIVE_INFINITY, 5],
    ]);
  });

  it('subtracts the window’s start and interpolates quantiles inside a bucket', () => {
    const start = parseBuckets(
      exposition('place_bet', [
        ['0.001', 100],
        ['0.002', 100],
        ['0.005', 100],
        ['+Inf', 100],
      ]),
      'place_bet',
    );
    const end = parseBuckets(
      exposition('place_bet', [
        ['0.001', 150],
        ['0.002', 190],
        ['0.005', 200],
        ['+Inf', 200],
      ]),
      'place_bet',
    );
    const latency = latencyBetween('place_bet', start, end);
    expect(latency.count).toBe(100);
    // 50 answers ≤ 1 ms, 40 in (1, 2], 10 in (2, 5]: the median is the 1 ms bound, p90 the 2 ms one.
    expect(latency.p50Ms).toBe(1);
    expect(latency.p90Ms).toBe(2);
    expect(latency.p99Ms).toBeCloseTo(4.7, 5);
    expect(latency.buckets.map((b) => b.count)).toEqual([50, 90, 100, 100]);
  });

  it('answers the last finite bound for a quantile above it, and null for an empty window', () => {
    const end = parseBuckets(
      exposition('place_bet', [
        ['0.001', 1],
        ['+Inf', 100],
      ]),
      'place_bet',
    );
    expect(latencyBetween('place_bet', new Map(), end).p50Ms).toBe(1);
    expect(latencyBetween('place_bet', end, end).p99Ms).toBeNull();
  });
});
