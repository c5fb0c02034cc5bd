/**
 * CPU and memory of every measured process, sampled once a second while a load runs: CPU from the
 * utime+stime deltas in /proc/<pid>/stat (100 % = one core busy), RSS from VmRSS in
 * /proc/<pid>/status, and Redis `used_memory` from INFO memory (plus `used_memory_peak` at the end),
 * against the 512 MB budget of infra/redis.conf.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Redis } from 'ioredis';

export const REDIS_BUDGET_MB = 512;
const CLK_TCK = readClockTicks();

export interface ProcessUsage {
  name: string;
  pid: number;
  cpuAvgPct: number;
  cpuMaxPct: number;
  rssMaxMb: number;
}

export interface RedisMemory {
  usedMemoryMaxMb: number;
  /** INFO used_memory_peak: since redis-server started (setup included). */
  usedMemoryPeakMb: number;
  budgetMb: number;
}

export interface ResourceReport {
  processes: ProcessUsage[];
  /** Every process on the machine (ours, the kernel's network work, anyone else's), same units. */
  machine: { cpuAvgPct: number; cpuMaxPct: number; cores: number };
  redis: RedisMemory | null;
}

interface Sample {
  atMs: number;
  ticks: number;
}

/** Measured window in epoch ms; CPU figures cover only samples inside it. */
export interface SampleWindow {
  fromMs: number;
  toMs: number;
}

/** utime + stime of a process, in clock ticks; null once it is gone. */
export function cpuTicks(statLine: string): number {
  const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Busy clock ticks of all cores (everything in the `cpu` line except idle and iowait). */
export function machineBusyTicks(procStat: string): number {
  const fields = (procStat.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  return fields.reduce((a, b) => a + b, 0) - (fields[3] ?? 0) - (fields[4] ?? 0);
}

export function rssMb(statusText: string): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(statusText);
  return match ? Math.round(Number(match[1]) / 102.4) / 10 : 0;
}

export function startResourceSampler(pids: Record<string, number>, redis?: Redis, everyMs = 1_000) {
  const state = Object.entries(pids).map(([name, pid]) => ({
    name,
    pid,
    samples: [] as Sample[],
    rssMaxMb: 0,
  }));
  let usedMemoryMax = 0;
  const machine: Sample[] = [];
  const sample = () => {
    const atMs = performance.timeOrigin + performance.now();
    machine.push({ atMs, ticks: machineBusyTicks(readFileSync('/proc/stat', 'utf8')) });
    for (const p of state) {
      try {
        p.samples.push({ atMs, ticks: cpuTicks(readFileSync(`/proc/${p.pid}/stat`, 'utf8')) });
        p.rssMaxMb = Math.max(p.rssMaxMb, rssMb(readFileSync(`/proc/${p.pid}/status`, 'utf8')));
      } catch {
        // The process exited (a scenario may stop a daemon); its samples so far still count.
      }
    }
    redis
      ?.info('memory')
      .then((info) => {
        usedMemoryMax = Math.max(usedMemoryMax, infoField(info, 'used_memory'));
      })
      .catch(() => undefined);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    /** Stops sampling; CPU is averaged over `window` when given (e.g. the run without its warm-up). */
    async stop(window?: SampleWindow): Promise<ResourceReport> {
      clearInterval(timer);
      sample();
      const processes = state.map((p) => ({
        name: p.name,
        pid: p.pid,
        ...cpuOver(p.samples, window),
        rssMaxMb: p.rssMaxMb,
      }));
      const whole = { ...cpuOver(machine, window), cores: availableParallelism() };
      if (!redis) return { processes, machine: whole, redis: null };
      const info = await redis.info('memory');
      usedMemoryMax = Math.max(usedMemoryMax, infoField(info, 'used_memory'));
      return {
        processes,
        machine: whole,
        redis: {
          usedMemoryMaxMb: toMb(usedMemoryMax),
          usedMemoryPeakMb: toMb(infoField(info, 'used_memory_peak')),
          budgetMb: REDIS_BUDGET_MB,
        },
      };
    },
  };
}

/** Average and busiest-interval CPU % over the samples inside the window (all samples without one). */
export function cpuOver(samples: readonly Sample[], window?: SampleWindow, clockTicks = CLK_TCK) {
  const inside = window
    ? samples.filter((s) => s.atMs >= window.fromMs - 500 && s.atMs <= window.toMs + 500)
    : samples;
  const pct = (a: Sample, b: Sample) => ((b.ticks - a.ticks) / clockTicks / ((b.atMs - a.atMs) / 1000)) * 100;
  let cpuMaxPct = 0;
  for (let i = 1; i < inside.length; i += 1) cpuMaxPct = Math.max(cpuMaxPct, pct(inside[i - 1]!, inside[i]!));
  const first = inside[0];
  const last = inside[inside.length - 1];
  const cpuAvgPct = first && last && last.atMs > first.atMs ? pct(first, last) : 0;
  return { cpuAvgPct: round1(cpuAvgPct), cpuMaxPct: round1(cpuMaxPct) };
}

export function infoField(info: string, field: string): number {
  const match = new RegExp(`^${field}:(\\d+)`, 'm').exec(info);
  return match ? Number(match[1]) : 0;
}

const toMb = (bytes: number) => Math.round(bytes / 104_857.6) / 10;
const round1 = (value: number) => Math.round(value * 10) / 10;

function readClockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    // getconf is missing on some minimal images; 100 Hz is the Linux default USER_HZ.
    return 100;
  }
}
