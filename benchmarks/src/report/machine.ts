/** The machine a result was measured on, as RESULTS.md prints it. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism, release, totalmem } from 'node:os';
import { readMachineTicks } from '@tap/testkit/standalone';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGb: number;
  kernel: string;
  node: string;
  redis: string;
}

/**
 * How fast one core is right now: SHA-256 of 1 KB blocks per second, hashed on this thread for
 * `ms`. The host of this VM runs other work, and in a slow period every process is slower
 * together (same code, same load); this number taken before and after each scenario tells a
 * slow host from a slow change when results are compared.
 */
export function cpuSpeedCheck(ms = 1_000): number {
  const block = Buffer.alloc(1_024, 0x5a);
  const end = performance.now() + ms;
  let hashes = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i += 1) createHash('sha256').update(block).digest();
    hashes += 100;
  }
  return Math.round((hashes / ms) * 1_000);
}

export function describeMachine(): MachineInfo {
  return {
    cores: availableParallelism(),
    cpuModel: cpuModel(readOr('/proc/cpuinfo', '')),
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    kernel: release(),
    node: process.version,
    redis: redisVersion(),
  };
}

export function cpuModel(cpuinfo: string): string {
  return /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
}

function redisVersion(): string {
  try {
    const out = execFileSync('redis-server', ['--version'], { encoding: 'utf8' });
    return /v=(\S+)/.exec(out)?.[1] ?? out.trim();
  } catch {
    return 'not installed';
  }
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

/** Share of all cores busy (user+system+…, not idle/iowait) over `sampleMs`, from /proc/stat. */
export async function machineBusyPct(sampleMs = 2_000): Promise<number> {
  const a = readMachineTicks();
  await new Promise((resolve) => setTimeout(resolve, sampleMs));
  const b = readMachineTicks();
  const total = b.total - a.total;
  return total > 0 ? Math.round(((b.busy - a.busy) / total) * 1000) / 10 : 0;
}

/**
 * Waits (up to `maxWaitMs`) until other work on the machine stays under `quietPct` busy, so a
 * benchmark does not measure someone else's build. Returns the last reading.
 */
export async function waitForQuietMachine(quietPct = 15, maxWaitMs = 60_000): Promise<number> {
  const deadline = Date.now() + maxWaitMs;
  let busy = await machineBusyPct();
  while (busy > quietPct && Date.now() < deadline) busy = await machineBusyPct();
  return busy;
}
