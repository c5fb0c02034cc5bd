/**
 * Per-second statistics of a load run, for the progress line and the latency-over-time plot.
 * Latency is bucketed by the second its request was *planned* in (open loop); throughput by the
 * second the answer *arrived* in. Each load worker keeps one recorder; the main thread merges them.
 */
import {
  createHistogram,
  encodeHistogram,
  type Histogram,
  mergeEncoded,
  recordMs,
  summarize,
} from './histogram.js';

export interface SerializedTimeline {
  planned: number[];
  ok: number[];
  errors: number[];
  latency: string[];
  accepted: string[];
  /** How late the generator sent each second's requests (scenarios that pool seconds read it). */
  sendLag: string[];
}

export interface TimelinePoint {
  /** Seconds since the schedule's start. */
  second: number;
  offeredPerS: number;
  okPerS: number;
  errorsPerS: number;
  p50Ms: number;
  p99Ms: number;
  /** p99 of planned time → WebSocket accepted, null when no event was matched in that second. */
  acceptedP99Ms: number | null;
}

export class TimelineRecorder {
  readonly planned: number[] = [];
  readonly ok: number[] = [];
  readonly errors: number[] = [];
  readonly latency: (Histogram | undefined)[] = [];
  readonly accepted: (Histogram | undefined)[] = [];
  readonly sendLag: (Histogram | undefined)[] = [];

  countPlanned(second: number): void {
    this.planned[second] = (this.planned[second] ?? 0) + 1;
  }

  countAnswer(second: number, ok: boolean): void {
    const into = ok ? this.ok : this.errors;
    into[second] = (into[second] ?? 0) + 1;
  }

  recordLatency(plannedSecond: number, ms: number): void {
    this.latency[plannedSecond] ??= createHistogram();
    recordMs(this.latency[plannedSecond], ms);
  }

  recordSendLag(plannedSecond: number, ms: number): void {
    this.sendLag[plannedSecond] ??= createHistogram();
    recordMs(this.sendLag[plannedSecond], ms);
  }

  recordAccepted(plannedSecond: number, ms: number): void {
    this.accepted[plannedSecond] ??= createHistogram();
    recordMs(this.accepted[plannedSecond], ms);
  }

  /** Every second's histogram of one kind added up: the run's whole histogram, recorded once per value. */
  total(kind: 'latency' | 'accepted' | 'sendLag'): Histogram {
    const sum = createHistogram();
    for (const histogram of this[kind]) if (histogram) sum.add(histogram);
    return sum;
  }

  /** p99 of one planned second's latencies so far, µs (0 when none). */
  latencyP99Us(plannedSecond: number): number {
    const histogram = this.latency[plannedSecond];
    return histogram && histogram.totalCount > 0 ? histogram.getValueAtPercentile(99) : 0;
  }

  serialize(): SerializedTimeline {
    const encode = (list: (Histogram | undefined)[]) =>
      Array.from(list, (histogram) => (histogram ? encodeHistogram(histogram) : ''));
    return {
      planned: Array.from(this.planned, (n) => n ?? 0),
      ok: Array.from(this.ok, (n) => n ?? 0),
      errors: Array.from(this.errors, (n) => n ?? 0),
      latency: encode(this.latency),
      accepted: encode(this.accepted),
      sendLag: encode(this.sendLag),
    };
  }
}

/** The workers' encoded histograms of each second merged into one ('' for a second without any). */
export function mergeSeconds(parts: readonly string[][]): string[] {
  const seconds = Math.max(0, ...parts.map((p) => p.length));
  return Array.from({ length: seconds }, (_, second) => {
    const present = parts.map((p) => p[second] ?? '').filter(Boolean);
    if (present.length <= 1) return present[0] ?? '';
    return encodeHistogram(mergeEncoded(present));
  });
}

/** Sums the workers' timelines second by second into plot points. */
export function mergeTimelines(parts: readonly SerializedTimeline[]): TimelinePoint[] {
  const seconds = Math.max(
    0,
    ...parts.flatMap((p) => [p.planned.length, p.ok.length, p.errors.length, p.latency.length]),
  );
  const points: TimelinePoint[] = [];
  for (let second = 0; second < seconds; second += 1) {
    const sum = (pick: (p: SerializedTimeline) => number[]) =>
      parts.reduce((total, p) => total + (pick(p)[second] ?? 0), 0);
    const latency = mergeEncoded(parts.map((p) => p.latency[second] ?? '').filter(Boolean));
    const acceptedParts = parts.map((p) => p.accepted[second] ?? '').filter(Boolean);
    const latencySummary = summarize(latency);
    points.push({
      second,
      offeredPerS: sum((p) => p.planned),
      okPerS: sum((p) => p.ok),
      errorsPerS: sum((p) => p.errors),
      p50Ms: latencySummary.p50Ms,
      p99Ms: latencySummary.p99Ms,
      acceptedP99Ms: acceptedParts.length > 0 ? summarize(mergeEncoded(acceptedParts)).p99Ms : null,
    });
  }
  return points;
}
