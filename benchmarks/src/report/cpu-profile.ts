/**
 * A V8 CPU profile as `node --cpu-prof` writes it (the DevTools `.cpuprofile` format) and the pure
 * steps on it that the flame graph needs: the samples inside a time window and a slice of the
 * profile to that window. Times are V8's monotonic microseconds; on Linux that is CLOCK_MONOTONIC,
 * the clock of `process.hrtime`, which is how the harness names a window in it.
 */

export interface CallFrame {
  functionName: string;
  scriptId: string;
  url: string;
  /** 0-based, the start of the function (not of the sampled statement). */
  lineNumber: number;
  columnNumber: number;
}

export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
  /** Self samples by 1-based line of the script, over the whole profile. */
  positionTicks?: { line: number; ticks: number }[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  /** The leaf node id of each sample. */
  samples: number[];
  /** Microseconds since the previous sample (the first: since startTime). */
  timeDeltas: number[];
}

/** Where a frame comes from, when a source map tells more than the url (see profile-files.ts). */
export interface FrameSource {
  /** Repository-relative original file; the url when there is no source map ('' for native code). */
  file: string;
  /** 1-based line of the function in `file`. */
  line: number;
  /** Module specifiers `file` imports. */
  imports: readonly string[];
  /** The code of the (generated) lines V8 counted this frame's self ticks on. */
  lines: readonly { code: string; ticks: number }[];
}

export interface WindowUs {
  startUs: number;
  endUs: number;
}

/** The leaf node id of every sample taken inside the window (every sample without one). */
export function samplesIn(profile: CpuProfile, window?: WindowUs): number[] {
  if (!window) return profile.samples;
  const kept: number[] = [];
  let atUs = profile.startTime;
  for (let i = 0; i < profile.samples.length; i += 1) {
    atUs += profile.timeDeltas[i] ?? 0;
    if (atUs >= window.startUs && atUs < window.endUs) kept.push(profile.samples[i]!);
  }
  return kept;
}

/** The window clamped to the profile's own span; null when they do not overlap. */
export function clampWindow(profile: CpuProfile, window: WindowUs): WindowUs | null {
  const startUs = Math.max(window.startUs, profile.startTime);
  const endUs = Math.min(window.endUs, profile.endTime);
  return endUs > startUs ? { startUs, endUs } : null;
}

/**
 * The profile cut to the window, loadable in DevTools or speedscope: samples outside are dropped,
 * hit counts recounted, and each node's line ticks scaled to its new hit count (V8 records them
 * for the whole run only, so within the window they are an estimate).
 */
export function sliceProfile(profile: CpuProfile, window: WindowUs): CpuProfile {
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  let atUs = profile.startTime;
  let lastUs = window.startUs;
  for (let i = 0; i < profile.samples.length; i += 1) {
    atUs += profile.timeDeltas[i] ?? 0;
    if (atUs < window.startUs || atUs >= window.endUs) continue;
    samples.push(profile.samples[i]!);
    timeDeltas.push(atUs - lastUs);
    lastUs = atUs;
  }
  const hits = countBy(samples);
  const nodes = profile.nodes.map((node) => {
    const hitCount = hits.get(node.id) ?? 0;
    return { ...node, hitCount, positionTicks: scaleTicks(node, hitCount) };
  });
  return { nodes, startTime: window.startUs, endTime: window.endUs, samples, timeDeltas };
}

export function countBy(ids: readonly number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

function scaleTicks(node: ProfileNode, hitCount: number): ProfileNode['positionTicks'] {
  const ticks = node.positionTicks;
  if (!ticks?.length) return ticks;
  const total = ticks.reduce((sum, t) => sum + t.ticks, 0);
  if (total === 0 || hitCount === 0) return [];
  return ticks
    .map((t) => ({ line: t.line, ticks: Math.round((t.ticks * hitCount) / total) }))
    .filter((t) => t.ticks > 0);
}
