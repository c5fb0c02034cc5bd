/**
 * A V8 CPU profile → the numbers RESULTS.md quotes about where a daemon's main thread goes: the top
 * functions by self time and self time grouped into categories (`profile-categories.ts` says how).
 * No flame graph of our own: the profile scenario writes each window's `.cpuprofile`, which
 * speedscope (https://www.speedscope.app) and Chrome DevTools open as flame graphs. What earns its
 * keep here is what those tools do not give: a table in text, per bet, that a recorded run keeps.
 *
 * Pure: the caller passes the profile, optionally a window and the source of each frame (the
 * source-mapped file, its imports and the code of its sampled lines: `profile-files.ts`). `(idle)`
 * samples are left out of everything, so percentages are of busy samples — time the thread was
 * running JavaScript, native code or GC, or blocked in a synchronous call (an fsync counts).
 */
import { type CpuProfile, countBy, type FrameSource, samplesIn, type WindowUs } from './cpu-profile.js';
import {
  type CategoryShare,
  categoryShares,
  describeFrames,
  type TopFunction,
  topFunctions,
} from './self-time.js';

export interface ProfileAnalysis {
  /** Every sample in the window, idle included: the denominator of a share of the wall clock. */
  samples: number;
  busySamples: number;
  categories: CategoryShare[];
  top: TopFunction[];
}

export interface AnalyzeOptions {
  sources?: ReadonlyMap<number, FrameSource>;
  window?: WindowUs;
  topN?: number;
}

export function analyzeProfile(profile: CpuProfile, options: AnalyzeOptions = {}): ProfileAnalysis {
  const frames = describeFrames(profile.nodes, options.sources);
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const windowed = samplesIn(profile, options.window);
  const busy = windowed.filter((id) => !idle.has(id));
  const self = countBy(busy);
  const pct = (samples: number) => (busy.length > 0 ? Math.round((samples / busy.length) * 10_000) / 100 : 0);
  return {
    samples: windowed.length,
    busySamples: busy.length,
    categories: categoryShares(self, frames).map((c) => ({ ...c, pct: pct(c.samples) })),
    top: topFunctions(self, frames, options.topN ?? 15).map((f) => ({ ...f, pct: pct(f.samples) })),
  };
}
