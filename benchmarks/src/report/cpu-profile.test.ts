import { describe, expect, it } from 'vitest';
import { aCpuProfile } from '../testing/fixtures.js';
import { clampWindow, samplesIn, sliceProfile } from './cpu-profile.js';

describe('cpu profile windows', () => {
  const profile = aCpuProfile([
    { frames: ['startup'], samples: 3 },
    { frames: [{ name: 'main', positionTicks: [{ line: 4, ticks: 10 }] }], samples: 4 },
  ]);
  const main = profile.nodes.find((n) => n.callFrame.functionName === 'main')!;
  // Sample i is taken at startTime + (i + 1) ms.
  const window = { startUs: profile.startTime + 3_500, endUs: profile.startTime + 6_500 };

  it('keeps the samples taken inside the window', () => {
    expect(samplesIn(profile, window)).toEqual([main.id, main.id, main.id]);
    expect(samplesIn(profile)).toHaveLength(7);
  });

  it('slices a profile to the window with recounted hits and scaled line ticks', () => {
    const slice = sliceProfile(profile, window);
    expect(slice.samples).toHaveLength(3);
    expect(slice.timeDeltas).toEqual([500, 1_000, 1_000]);
    expect(slice.startTime).toBe(window.startUs);
    const sliced = slice.nodes.find((n) => n.id === main.id)!;
    expect(sliced.hitCount).toBe(3);
    expect(sliced.positionTicks).toEqual([{ line: 4, ticks: 3 }]);
  });

  it('clamps a window to the profile and refuses one that misses it', () => {
    expect(clampWindow(profile, { startUs: 0, endUs: profile.startTime + 2_000 })).toEqual({
      startUs: profile.startTime,
      endUs: profile.startTime + 2_000,
    });
    expect(clampWindow(profile, { startUs: profile.endTime + 1, endUs: profile.endTime + 9 })).toBeNull();
  });
});
