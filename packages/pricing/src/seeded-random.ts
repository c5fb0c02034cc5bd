/**
 * Seeded random numbers (the Monte-Carlo tests, price-ingest's simulator): the same seed gives the
 * same sequence on every run and machine, so a simulation can be replayed.
 * mulberry32 for uniforms (32-bit state, period 2^32, plenty for ~1e8 draws) and the Box–Muller
 * transform for standard normals, using both outputs of each pair.
 */

export interface SeededRandom {
  /** Uniform in (0, 1), never exactly 0 so log(u) is finite. */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
}

export function createSeededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  let spare: number | null = null;

  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };

  const normal = (): number => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(uniform()));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };

  return { uniform, normal };
}
