/**
 * A full disk under the batcher as a chaos phase (issue 20). The stack's data directory is a small
 * tmpfs mounted in a user + mount namespace of its own (`unshare`: no root needed, and nothing is
 * mounted where the rest of the machine sees it — as services/batcher/src/disk-full.int.test.ts).
 * One holder process keeps the namespace: `cat` reading a pipe from the harness, so it exits, and
 * the tmpfs goes, when the harness does, whatever way it ends; stopped by its PID.
 *
 * Every daemon runs inside it (`nsenter`, which execs node: the PID is the daemon's, so the stack
 * and the supervisor stop, kill and restart it as any other). The harness reaches the files
 * through `/proc/<holder>/root/…`, which the kernel resolves in the namespace: the filler and the
 * audit's copy. SQLite cannot open through that path — it resolves the link to the host's `/` — so
 * the audit reads a copy of the segments taken while the batcher is stopped (SIGSTOP: the files are
 * then what a crash at that instant leaves, which SQLite recovers).
 *
 * An injection: the filler is written until the tmpfs answers ENOSPC (~0 bytes left), the batcher's
 * next commits (or checkpoints) fail, it is held full for a while, then deleted. The batcher must
 * notice (tap_batcher_storage_failures_total), keep running, and resume by itself.
 */
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  statfsSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Stack } from '@tap/benchmarks/stack/stack';
import { ANCHORS_FILE_NAME } from '@tap/domain';
import { type Started, startProcess } from '@tap/testkit/standalone';
import Database from 'better-sqlite3';
import { ALL_DAEMONS, type Injected, jitter } from './chaos-run.js';
import { waitAllHealthy } from './supervisor.js';

const MOUNT_SCRIPT = 'mount -t tmpfs -o size="$2"m tmpfs "$1" && echo mounted && exec cat >/dev/null';
const DETECT_TIMEOUT_MS = 30_000;
const RECOVERY_TIMEOUT_MS = 60_000;
const MB = 1024 * 1024;

export interface SmallDisk {
  /** The daemons' DATA_DIR (a path inside the namespace). */
  dataDir: string;
  /** Runs a daemon inside the namespace. */
  daemonPrefix: string[];
  sizeMb: number;
  /** Writes the filler until the tmpfs is full; the bytes it took. */
  fill(): number;
  free(): void;
  usedMb(): number;
  /**
   * Copies the segments (db and WAL) and the ledger anchors out, the batcher stopped meanwhile (the
   * audit's integrity-cron checks both); the copy's data dir.
   */
  copyForAudit(stack: Stack): Promise<string>;
  close(): Promise<void>;
}

export async function openSmallDisk(sizeMb: number): Promise<SmallDisk> {
  const work = await mkdtemp(join(tmpdir(), 'tap-chaos-disk-'));
  const dataDir = join(work, 'data');
  const copyDir = join(work, 'audit-copy');
  mkdirSync(dataDir);
  let holder: Started | undefined;
  const close = async () => {
    await holder?.stop('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  };
  try {
    holder = startProcess(
      'unshare',
      ['--user', '--map-root-user', '--mount', 'sh', '-c', MOUNT_SCRIPT, 'sh', dataDir, String(sizeMb)],
      { name: 'disk-namespace', stdin: 'pipe' },
    );
    await holder.waitForLine((line) => line === 'mounted', 10_000);
  } catch (err) {
    await close();
    throw err;
  }
  const view = `/proc/${holder.pid}/root${dataDir}`;
  const filler = join(view, 'filler');
  return {
    dataDir,
    daemonPrefix: ['nsenter', `--target=${holder.pid}`, '--user', '--mount', '--preserve-credentials'],
    sizeMb,
    fill: () => fillUntilFull(filler),
    free: () => unlinkSync(filler),
    usedMb() {
      const s = statfsSync(view);
      return Math.round(((s.blocks - s.bfree) * s.bsize) / MB);
    },
    async copyForAudit(stack) {
      rmSync(copyDir, { recursive: true, force: true });
      mkdirSync(join(copyDir, 'segments'), { recursive: true });
      stack.signal('batcher', 'SIGSTOP');
      try {
        for (const file of readdirSync(join(view, 'segments'))) {
          if (file.endsWith('.db') || file.endsWith('.db-wal'))
            copyFileSync(join(view, 'segments', file), join(copyDir, 'segments', file));
        }
        const anchors = join(view, ANCHORS_FILE_NAME);
        if (existsSync(anchors)) copyFileSync(anchors, join(copyDir, ANCHORS_FILE_NAME));
      } finally {
        stack.signal('batcher', 'SIGCONT');
      }
      // Opening and closing folds the WAL into the copy, so the audit's read-only opens need no -shm.
      for (const file of readdirSync(join(copyDir, 'segments')).filter((f) => f.endsWith('.db')))
        new Database(join(copyDir, 'segments', file)).close();
      return copyDir;
    },
    close,
  };
}

/** Writes zeros in 1 MiB, then 64 KiB, then 4 KiB pieces until ENOSPC: nothing (< 4 KiB) is left. */
function fillUntilFull(path: string): number {
  const fd = openSync(path, 'w');
  let written = 0;
  try {
    for (const size of [MB, 64 * 1024, 4 * 1024]) {
      const chunk = Buffer.alloc(size);
      try {
        for (;;) written += writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

export interface DiskInjections extends Injected {
  /** Per injection: fill → the batcher's first failed attempt (null: it never failed). */
  detectMs: (number | null)[];
  /** The batcher's failed attempts by error code over the phase. */
  failures: Record<string, number>;
  /** tap_batcher_storage_failing after the last recovery (its alert must clear: 0). */
  failingAtEnd: number | null;
}

/**
 * Up to `count` times, 2–4 s after the last recovery: fill the disk, wait until the batcher fails
 * on it, hold it full for `holdMs` (longer than ingest-api's BATCHER_HEARTBEAT_AGE_MS_MAX, so
 * admission refuses meanwhile), free it. Recovery: free → every daemon healthy and the batcher's
 * heartbeat written again (it stops while batches fail; admission reopens with it).
 */
export async function fillDiskRepeatedly(
  stack: Stack,
  disk: SmallDisk,
  shape: { count: number; holdMs: number },
  untilMs: number,
): Promise<DiskInjections> {
  const result: DiskInjections = {
    ...{ injections: 0, recoveriesMs: [], detectMs: [], failures: {} },
    failingAtEnd: null,
  };
  const failuresBefore = await batcherFailures(stack);
  while (result.injections < shape.count) {
    await sleep(jitter(2_000, 4_000));
    if (performance.now() + shape.holdMs > untilMs) break;
    const before = total(await batcherFailures(stack));
    const filledAt = performance.now();
    disk.fill();
    result.injections += 1;
    try {
      result.detectMs.push(await waitFor(async () => total(await batcherFailures(stack)) > before, filledAt));
      await sleep(Math.max(0, filledAt + shape.holdMs - performance.now()));
    } finally {
      disk.free();
    }
    const freedAt = performance.now();
    const freedAtMs = Date.now();
    const beat = await waitFor(async () => (await heartbeatAt(stack)) > freedAtMs, freedAt);
    const healthy = await waitAllHealthy(stack, ALL_DAEMONS, freedAt, RECOVERY_TIMEOUT_MS);
    result.recoveriesMs.push(beat === null || healthy === null ? null : Math.max(beat, healthy));
  }
  const failuresAfter = await batcherFailures(stack);
  result.failingAtEnd = (await batcherMetrics(stack)).failing;
  for (const [code, n] of Object.entries(failuresAfter)) {
    const delta = n - (failuresBefore[code] ?? 0);
    if (delta > 0) result.failures[code] = delta;
  }
  return result;
}

/** Polls `check` until true: ms since `sinceMs`, or null after the bound. */
async function waitFor(check: () => Promise<boolean>, sinceMs: number): Promise<number | null> {
  const deadline = sinceMs + DETECT_TIMEOUT_MS;
  while (performance.now() < deadline) {
    if (await check().catch(() => false)) return Math.round(performance.now() - sinceMs);
    await sleep(100);
  }
  return null;
}

async function heartbeatAt(stack: Stack): Promise<number> {
  return Number((await stack.redis.hget(stack.channels.keys.batcherHeartbeat, 'at')) ?? 0);
}

const batcherFailures = async (stack: Stack) => (await batcherMetrics(stack)).failures;

/**
 * tap_batcher_storage_failures_total by code and tap_batcher_storage_failing, from the batcher's
 * /metrics (empty and null while it does not answer).
 */
async function batcherMetrics(
  stack: Stack,
): Promise<{ failures: Record<string, number>; failing: number | null }> {
  const failures: Record<string, number> = {};
  let failing: number | null = null;
  const url = stack.metricsUrl('batcher');
  let text = '';
  try {
    if (url) text = await (await fetch(url, { signal: AbortSignal.timeout(2_000) })).text();
  } catch {
    // not answering (restarting): no figures this time
  }
  for (const line of text.split('\n')) {
    const counted = /^tap_batcher_storage_failures_total\{[^}]*code="([^"]+)"[^}]*\} (\S+)/.exec(line);
    if (counted) failures[counted[1]!] = Number(counted[2]);
    const gauge = /^tap_batcher_storage_failing(?:\{[^}]*\})? (\S+)/.exec(line);
    if (gauge) failing = Number(gauge[1]);
  }
  return { failures, failing };
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
