/**
 * A seeded PRNG for the simulator: mulberry32 uniforms (32-bit state; plenty for a price
 * simulation) and Box–Muller normals. Same seed, same sequence, on every run and machine.
 */
export interface Prng {
  /** Uniform in (0, 1): never exactly 0, so log(u) is finite. */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
}

export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  let spare: number | null = null;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4_294_967_296;
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
