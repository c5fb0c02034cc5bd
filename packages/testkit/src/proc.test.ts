import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import {
  findThreadByName,
  liveChildPids,
  parseMachineTicks,
  parseProcMemory,
  parseProcStat,
  parseSchedStat,
  parseScheduling,
  readProcStat,
  readScheduling,
  readTaskSchedStat,
  readThreadSchedStat,
  SCHED_IDLE,
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

  it('reads nice (field 19) and the scheduling policy (field 41) from a stat line', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 1));
    fields[18] = '-5';
    fields[40] = String(SCHED_IDLE);
    const stat = `4242 (a (b) c) ${fields.slice(2).join(' ')}`;
    expect(parseScheduling(stat)).toEqual({ nice: -5, policy: SCHED_IDLE });
  });

  it('finds a thread by the name it gave itself and reads its times; a child started under chrt --idle reads SCHED_IDLE', async () => {
    // A worker thread names itself (as ingest-api's reader does) and stays alive until told.
    const worker = new Worker(
      `const { writeFileSync } = require('node:fs'); const { parentPort } = require('node:worker_threads');
       writeFileSync('/proc/thread-self/comm', 'tap-test-thread'); parentPort.postMessage('named');
       parentPort.on('message', () => process.exit(0));`,
      { eval: true },
    );
    await new Promise((resolve) => worker.once('message', resolve));
    const tid = findThreadByName(process.pid, 'tap-test-thread');
    expect(tid).not.toBeNull();
    expect(tid).not.toBe(process.pid);
    expect(readTaskSchedStat(process.pid, tid!)?.cpuNs).toBeGreaterThan(0);
    expect(findThreadByName(process.pid, 'no-such-thread')).toBeNull();
    worker.postMessage('exit');
    await new Promise((resolve) => worker.once('exit', resolve));

    expect(readScheduling(process.pid)?.policy).not.toBe(SCHED_IDLE);
    const idle = startProcess('chrt', ['--idle', '0', 'sleep', '30']);
    try {
      // chrt sets the policy, then execs sleep: wait for the exec (the comm changes).
      while (readOrNull(`/proc/${idle.pid}/comm`) !== 'sleep\n') await new Promise((r) => setTimeout(r, 10));
      expect(readScheduling(idle.pid)?.policy).toBe(SCHED_IDLE);
    } finally {
      await idle.stop();
    }
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

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
