/**
 * CPU and memory of every measured process, sampled once a second while a load runs: CPU from the
 * utime+stime deltas in /proc/<pid>/stat (100 % = one core busy), RSS from VmRSS in
 * /proc/<pid>/status (both read by the test kit's /proc readers), and Redis `used_memory` from INFO memory (plus `used_memory_peak` at the end),
 * against the 512 MB budget of infra/redis.conf, and Redis' own accounting of the commands it ran
 * meanwhile (the INFO commandstats difference between start and stop).
 */
import { availableParallelism } from 'node:os';
import { CLOCK_TICKS_PER_S, readMachineTicks, readProcMemory, readProcStat } from '@tap/testkit/standalone';
import type { Redis } from 'ioredis';

export const REDIS_BUDGET_MB = 512;

export interface ProcessUsage {
  name: string;
  pid: number;
  cpuAvgPct: number;
  cpuMaxPct: number;
  rssMaxMb: number;
}

/** One kind of Redis stall above latency-monitor-threshold (LATENCY LATEST), since redis-server started. */
export interface RedisStall {
  event: string;
  latestMs: number;
  maxMs: number;
}

export interface RedisMemory {
  usedMemoryMaxMb: number;
  /** used_memory at the sampler's start and stop: what the run left behind (e.g. idempotency records). */
  usedMemoryStartMb: number;
  usedMemoryEndMb: number;
  /** used_memory at the first sample a minute in, and the most after it (null for shorter runs):
   * whether a sustained run's memory levels off once records expire (issue 19's 10-minute run). */
  afterFirstMinute: { atMinuteMb: number; maxAfterMb: number } | null;
  /** used_memory at the first sample of each whole minute (1:00, 2:00, …): where it levels off. */
  byMinuteMb: number[];
  /** INFO used_memory_peak: since redis-server started (setup included). */
  usedMemoryPeakMb: number;
  budgetMb: number;
  /** LATENCY LATEST at the end: the worst stall of each kind since start (setup included). */
  stalls: RedisStall[];
  /** INFO persistence aof_delayed_fsync during the sampling: AOF writes that had to wait for an fsync. */
  aofDelayedFsyncs: number;
}

/** One command's share of Redis' time while the sampler ran (INFO commandstats, whole sampling). */
export interface RedisCommandUsage {
  command: string;
  calls: number;
  usec: number;
}

export interface ResourceReport {
  processes: ProcessUsage[];
  /** Every process on the machine (ours, the kernel's network work, anyone else's), same units. */
  machine: { cpuAvgPct: number; cpuMaxPct: number; cores: number };
  redis: RedisMemory | null;
  /** Commands Redis ran between start and stop, most time first; empty without a Redis client. */
  redisCommands: RedisCommandUsage[];
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

const MINUTE_MS = 60_000;

export function startResourceSampler(pids: Record<string, number>, redis?: Redis, everyMs = 1_000) {
  const state = Object.entries(pids).map(([name, pid]) => ({
    name,
    pid,
    samples: [] as Sample[],
    rssMaxMb: 0,
  }));
  let usedMemoryMax = 0;
  let usedMemoryStart: number | undefined;
  let maxAfterMinute = 0;
  const byMinute: number[] = [];
  const startedAtMs = Date.now();
  const machine: Sample[] = [];
  const sample = () => {
    const atMs = performance.timeOrigin + performance.now();
    machine.push({ atMs, ticks: readMachineTicks().busy });
    for (const p of state) {
      // A process that exited (a scenario may stop a daemon) reads null; its samples so far still count.
      const stat = readProcStat(p.pid);
      const memory = readProcMemory(p.pid);
      if (!stat || !memory) continue;
      p.samples.push({ atMs, ticks: stat.cpuTicks });
      p.rssMaxMb = Math.max(p.rssMaxMb, toMb(memory.rssBytes));
    }
    redis
      ?.info('memory')
      .then((info) => {
        const used = infoField(info, 'used_memory');
        usedMemoryStart ??= used;
        usedMemoryMax = Math.max(usedMemoryMax, used);
        const minute = Math.floor((Date.now() - startedAtMs) / MINUTE_MS);
        while (byMinute.length < minute) byMinute.push(used);
        if (minute < 1) return;
        maxAfterMinute = Math.max(maxAfterMinute, used);
      })
      .catch(() => undefined);
  };
  // Redis counters at start, awaited by stop(); the catches only keep a failed read from being
  // reported as unhandled in the meantime (stop() reports it).
  const commandsAtStart = redis ? readCommandStats(redis) : undefined;
  const delayedAtStart = redis?.info('persistence').then((info) => infoField(info, 'aof_delayed_fsync'));
  commandsAtStart?.catch(() => undefined);
  delayedAtStart?.catch(() => undefined);
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
      if (!redis || !commandsAtStart || !delayedAtStart)
        return { processes, machine: whole, redis: null, redisCommands: [] };
      const redisCommands = commandStatsDelta(await commandsAtStart, await readCommandStats(redis));
      const info = await redis.info('memory');
      const delayed =
        infoField(await redis.info('persistence'), 'aof_delayed_fsync') - (await delayedAtStart);
      const stalls = parseLatencyLatest((await redis.call('LATENCY', 'LATEST')) as unknown[]);
      const usedMemoryEnd = infoField(info, 'used_memory');
      usedMemoryMax = Math.max(usedMemoryMax, usedMemoryEnd);
      return {
        processes,
        machine: whole,
        redis: {
          usedMemoryMaxMb: toMb(usedMemoryMax),
          usedMemoryStartMb: toMb(usedMemoryStart ?? usedMemoryEnd),
          usedMemoryEndMb: toMb(usedMemoryEnd),
          afterFirstMinute:
            byMinute[0] === undefined
              ? null
              : { atMinuteMb: toMb(byMinute[0]), maxAfterMb: toMb(Math.max(maxAfterMinute, usedMemoryEnd)) },
          byMinuteMb: byMinute.map(toMb),
          usedMemoryPeakMb: toMb(infoField(info, 'used_memory_peak')),
          budgetMb: REDIS_BUDGET_MB,
          stalls,
          aofDelayedFsyncs: delayed,
        },
        redisCommands,
      };
    },
  };
}

/** Average and busiest-interval CPU % over the samples inside the window (all samples without one). */
export function cpuOver(samples: readonly Sample[], window?: SampleWindow, clockTicks = CLOCK_TICKS_PER_S) {
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

/** `cmdstat_<name>:calls=N,usec=N,…` lines of INFO commandstats, by command name. */
export function parseCommandStats(info: string): Map<string, { calls: number; usec: number }> {
  const stats = new Map<string, { calls: number; usec: number }>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    stats.set(match[1]!, { calls: Number(match[2]), usec: Number(match[3]) });
  }
  return stats;
}

/** What ran between two INFO commandstats snapshots, most time first (the readers' own INFO included). */
export function commandStatsDelta(
  before: Map<string, { calls: number; usec: number }>,
  after: Map<string, { calls: number; usec: number }>,
): RedisCommandUsage[] {
  const usage: RedisCommandUsage[] = [];
  for (const [command, now] of after) {
    const then = before.get(command) ?? { calls: 0, usec: 0 };
    if (now.calls > then.calls)
      usage.push({ command, calls: now.calls - then.calls, usec: now.usec - then.usec });
  }
  return usage.sort((a, b) => b.usec - a.usec);
}

/** LATENCY LATEST rows: [event, unix time of the latest, latest ms, all-time max ms]. */
export function parseLatencyLatest(reply: readonly unknown[]): RedisStall[] {
  return reply
    .filter((row): row is unknown[] => Array.isArray(row) && row.length >= 4)
    .map((row) => ({ event: String(row[0]), latestMs: Number(row[2]), maxMs: Number(row[3]) }))
    .sort((a, b) => b.maxMs - a.maxMs);
}

async function readCommandStats(redis: Redis) {
  return parseCommandStats(await redis.info('commandstats'));
}

const toMb = (bytes: number) => Math.round(bytes / 104_857.6) / 10;
const round1 = (value: number) => Math.round(value * 10) / 10;
