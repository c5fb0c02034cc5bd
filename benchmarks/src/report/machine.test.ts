import { describe, expect, it } from 'vitest';
import { cpuModel, cpuSpeedCheck } from './machine.js';

describe('machine', () => {
  it('reads the CPU model from /proc/cpuinfo', () => {
    expect(cpuModel('processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t: fpu\n')).toBe('AMD EPYC 7B13');
    expect(cpuModel('')).toBe('unknown');
  });

  it('measures how many 1 KB blocks one core hashes per second', () => {
    const perS = cpuSpeedCheck(50);
    // Any working core hashes thousands of 1 KB blocks a second; a broken loop gives 0 or NaN.
    expect(perS).toBeGreaterThan(1_000);
    expect(Number.isInteger(perS)).toBe(true);
  });
});
