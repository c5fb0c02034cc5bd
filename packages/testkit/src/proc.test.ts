import { describe, expect, it } from 'vitest';
import {
  liveChildPids,
  parseMachineTicks,
  parseProcMemory,
  parseProcStat,
  parseSchedStat,
  readProcStat,
  readThreadSchedStat,
} from './proc.js';
import { startProcess } from './process.js';

describe('/proc readings', () => {
  it('reads state, parent and utime + stime from /proc/<pid>/stat, even with spaces in the command name', () => {
    const stat = '4242 (node (tap) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 100';
    expect(parseProcStat(stat)).toEqual({ state: 'S', ppid: 1, cpuTicks: 300 });
  });

  it('reads VmRSS and VmHWM in bytes, 0 when a zombie has none', () => {
    expect(parseProcMemory('Name:\tnode\nVmHWM:\t  409600 kB\nVmRSS:\t  204800 kB\n')).toEqual({
      rssBytes: 204_800 * 1024,
      peakRssBytes: 409_600 * 1024,
    });
    expect(parseProcMemory('Name:\tzombie\n')).toEqual({ rssBytes: 0, peakRssBytes: 0 });
  });

  it('counts busy machine ticks from /proc/stat without idle and iowait', () => {
    expect(parseMachineTicks('cpu  100 5 50 1000 20 1 2 0 0 0\ncpu0 1 1 1 1 1 1 1 0 0 0\n')).toEqual({
      busy: 158,
      total: 1_178,
    });
  });

  it('reads on-CPU and run-queue nanoseconds from a schedstat line', () => {
    expect(parseSchedStat('95191328 205811624 1018\n')).toEqual({ cpuNs: 95_191_328, waitNs: 205_811_624 });
  });

  it("reads the calling thread's on-CPU time, which grows with its work and never beyond the wall time", () => {
    const before = readThreadSchedStat()!;
    const until = performance.now() + 20;
    while (performance.now() < until); // 20 ms of wall time, on a CPU for part of it at least
    const after = readThreadSchedStat()!;
    expect(after.cpuNs).toBeGreaterThan(before.cpuNs);
    expect(after.cpuNs - before.cpuNs).toBeLessThanOrEqual(25_000_000);
  });

  it('finds a started child under this process and reads nothing once it is gone', async () => {
    const child = startProcess('sleep', ['30']);
    expect(liveChildPids(process.pid)).toContain(child.pid);
    expect(readProcStat(child.pid)?.ppid).toBe(process.pid);
    await child.stop();
    expect(liveChildPids(process.pid)).not.toContain(child.pid);
    expect(readProcStat(child.pid)).toBeNull();
  });
});
