import { describe, expect, it } from 'vitest';
import { mergeTimelines, TimelineRecorder } from './timeline.js';

describe('timeline', () => {
  it('merges workers second by second: counts add up, percentiles span both', () => {
    const a = new TimelineRecorder();
    const b = new TimelineRecorder();
    for (let i = 0; i < 10; i += 1) {
      a.countPlanned(0);
      a.countAnswer(0, true);
      a.recordLatency(0, 1);
      b.countPlanned(1);
      b.countAnswer(1, i > 0);
      b.recordLatency(1, 50);
    }
    a.recordAccepted(0, 7);
    const points = mergeTimelines([a.serialize(), b.serialize()]);
    expect(points).toHaveLength(2);
    expect(points[0]).toMatchObject({ second: 0, offeredPerS: 10, okPerS: 10, errorsPerS: 0 });
    expect(points[0]!.p99Ms).toBeCloseTo(1, 2);
    expect(points[0]!.acceptedP99Ms).toBeCloseTo(7, 2);
    expect(points[1]).toMatchObject({
      second: 1,
      offeredPerS: 10,
      okPerS: 9,
      errorsPerS: 1,
      acceptedP99Ms: null,
    });
    expect(points[1]!.p50Ms).toBeCloseTo(50, 1);
  });

  it('adds its seconds into the run’s histogram, each value once, and gives one second’s p99', () => {
    const recorder = new TimelineRecorder();
    for (let ms = 1; ms <= 100; ms += 1) recorder.recordLatency(ms <= 50 ? 0 : 2, ms);
    recorder.recordSendLag(1, 3);
    const total = recorder.total('latency');
    expect(total.totalCount).toBe(100);
    expect(total.maxValue).toBeGreaterThanOrEqual(99_900);
    expect(recorder.total('sendLag').totalCount).toBe(1);
    expect(recorder.total('accepted').totalCount).toBe(0);
    expect(recorder.latencyP99Us(2)).toBeGreaterThanOrEqual(98_900);
    expect(recorder.latencyP99Us(1)).toBe(0);
    expect(recorder.latencyP99Us(-1)).toBe(0);
  });

  it('fills seconds without data with zeros', () => {
    const a = new TimelineRecorder();
    a.countPlanned(2);
    const points = mergeTimelines([a.serialize()]);
    expect(points.map((p) => p.offeredPerS)).toEqual([0, 0, 1]);
    expect(points[0]!.p99Ms).toBe(0);
  });
});
