/**
 * What Linux says about a process and the machine in /proc, for the test kit's callers that account
 * for their child processes: CPU time (utime + stime from /proc/<pid>/stat), memory (VmRSS and the
 * peak VmHWM from /proc/<pid>/status), parentage (a test that checks nothing was left running), and
 * the machine's busy and total ticks (/proc/stat). Parsers are pure; the readers return null once
 * the process is gone, which callers expect (a daemon may exit between two samples).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of the tick counts below (USER_HZ). */
export const CLOCK_TICKS_PER_S = readClockTicks();

export interface ProcStat {
  /** R, S, D, Z, T, … */
  state: string;
  ppid: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
}

export interface ProcMemory {
  rssBytes: number;
  /** VmHWM: the largest RSS since the process started. */
  peakRssBytes: number;
}

/** `pid (comm) state ppid …`: comm may hold spaces and parentheses, so fields count from its last `)`. */
export function parseProcStat(statLine: string): ProcStat {
  const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
  return {
    state: fields[0] ?? '',
    ppid: Number(fields[1]),
    cpuTicks: Number(fields[11]) + Number(fields[12]),
  };
}

export function parseProcMemory(statusText: string): ProcMemory {
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(statusText)?.[1] ?? 0);
  return { rssBytes: kb('VmRSS') * 1024, peakRssBytes: kb('VmHWM') * 1024 };
}

/** Busy ticks (everything but idle and iowait) and all ticks of all cores, from the `cpu` line. */
export function parseMachineTicks(procStat: string): { busy: number; total: number } {
  const fields = (procStat.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
}

export function readProcStat(pid: number): ProcStat | null {
  const text = readOrNull(`/proc/${pid}/stat`);
  return text === null ? null : parseProcStat(text);
}

/** A thread's scheduler times (/proc/<…>/schedstat), in nanoseconds. */
export interface SchedStat {
  /** Time on a CPU. */
  cpuNs: number;
  /** Time runnable but waiting for a CPU (the machine was busy). */
  waitNs: number;
}

/** `<on-cpu ns> <run-queue wait ns> <timeslices>`. */
export function parseSchedStat(text: string): SchedStat {
  const [cpuNs, waitNs] = text.trim().split(' ').map(Number);
  return { cpuNs: cpuNs ?? 0, waitNs: waitNs ?? 0 };
}

/**
 * The calling thread's own scheduler times (/proc/thread-self/schedstat): a worker thread's share
 * of its process, e.g. a load generator's sending thread measuring what it costs per request.
 * Nanoseconds, where utime/stime count 10 ms ticks charged to whoever runs when the tick fires —
 * too coarse for a thread that wakes for a few µs hundreds of times a second.
 */
export function readThreadSchedStat(): SchedStat | null {
  const text = readOrNull('/proc/thread-self/schedstat');
  return text === null ? null : parseSchedStat(text);
}

/**
 * Another process's main thread's scheduler times (/proc/<pid>/task/<pid>/schedstat: the main
 * thread's id is the pid): e.g. the event loop that admits bets — how long it ran, and how long it
 * was runnable but waited for a CPU while something else held the cores. Null once it exited.
 */
export function readMainThreadSchedStat(pid: number): SchedStat | null {
  return readTaskSchedStat(pid, pid);
}

/** One thread's scheduler times (/proc/<pid>/task/<tid>/schedstat); null once it exited. */
export function readTaskSchedStat(pid: number, tid: number): SchedStat | null {
  const text = readOrNull(`/proc/${pid}/task/${tid}/schedstat`);
  return text === null ? null : parseSchedStat(text);
}

/**
 * The id of a process's first thread named `name` (/proc/<pid>/task/<tid>/comm, which a thread can
 * set for itself: e.g. ingest-api's reader worker, `tap-reader`), or null.
 */
export function findThreadByName(pid: number, name: string): number | null {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null; // the process exited
  }
  const found = tids.find((tid) => readOrNull(`/proc/${pid}/task/${tid}/comm`)?.trim() === name);
  return found === undefined ? null : Number(found);
}

/** The scheduling policy of /proc/<pid>/stat's `policy` field for idle-priority threads (sched(7)). */
export const SCHED_IDLE = 5;

/** A thread's scheduling: its nice value and policy (0 SCHED_OTHER, 3 SCHED_BATCH, 5 SCHED_IDLE, …). */
export interface Scheduling {
  nice: number;
  policy: number;
}

/** Fields 19 (nice) and 41 (policy) of a stat line, counted like parseProcStat's from after the comm. */
export function parseScheduling(statLine: string): Scheduling {
  const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
  return { nice: Number(fields[16]), policy: Number(fields[38]) };
}

/** A process's main thread's (or thread `tid`'s) scheduling; null once it exited. */
export function readScheduling(pid: number, tid = pid): Scheduling | null {
  const text = readOrNull(`/proc/${pid}/task/${tid}/stat`);
  return text === null ? null : parseScheduling(text);
}

export function readProcMemory(pid: number): ProcMemory | null {
  const text = readOrNull(`/proc/${pid}/status`);
  return text === null ? null : parseProcMemory(text);
}

export function readMachineTicks(): { busy: number; total: number } {
  return parseMachineTicks(readOrNull('/proc/stat') ?? 'cpu 0 0 0 0');
}

/** Live (not zombie) children of `parentPid`. */
export function liveChildPids(parentPid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (stat && stat.ppid === parentPid && stat.state !== 'Z') children.push(Number(entry));
  }
  return children;
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // the process exited (or this is not Linux): the caller's "no reading"
  }
}

function readClockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    // getconf is missing on some minimal images; 100 Hz is the Linux default USER_HZ.
    return 100;
  }
}
