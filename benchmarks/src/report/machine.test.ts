import { describe, expect, it } from 'vitest';
import { cpuModel } from './machine.js';

describe('machine', () => {
  it('reads the CPU model from /proc/cpuinfo', () => {
    expect(cpuModel('processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t: fpu\n')).toBe('AMD EPYC 7B13');
    expect(cpuModel('')).toBe('unknown');
  });
});
