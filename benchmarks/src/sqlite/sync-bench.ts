/**
 * The synchronous=FULL vs NORMAL micro-benchmark (the batcher has no switch for NORMAL, and SPEC §6
 * forbids it in production): the same per-bet work as the batcher — conditional debit, bet row,
 * hash-chained ledger row — applied by better-sqlite3 directly in transactions of `batch` bets,
 * in a WAL database on the same disk. Labelled as a micro-benchmark wherever it is reported.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { testUlid } from '@tap/testkit/standalone';
import { openBetWriter, type SyncMode } from './bet-writer.js';

export interface SyncBenchResult {
  sync: SyncMode;
  bets: number;
  batch: number;
  elapsedMs: number;
  betsPerS: number;
  commitP99Ms: number;
}

/** `dir` is a scratch directory on the disk under test; the database is deleted afterwards. */
export function runSyncBench(
  dir: string,
  sync: SyncMode,
  bets: number,
  batch: number,
  users = 1_000,
): SyncBenchResult {
  const path = join(dir, `sync-${sync.toLowerCase()}.db`);
  const writer = openBetWriter(path, sync);
  try {
    const userIds = Array.from({ length: users }, (_, i) => `0x${i.toString(16).padStart(40, '0')}`);
    writer.transaction(() => {
      for (const id of userIds) writer.credit(id, 1_000_000_000_000, `fund-${id}`);
    });
    const commits: number[] = [];
    const now = Date.now();
    const began = performance.now();
    for (let start = 0; start < bets; start += batch) {
      const t = performance.now();
      writer.transaction(() => {
        for (let i = start; i < Math.min(bets, start + batch); i += 1) {
          writer.applyBet({
            betId: testUlid(now, i),
            userId: userIds[i % users]!,
            clientBetId: randomUUID(),
            t0: now + 10_000,
            p0: 9_500_000,
            stakeMicros: 1_000_000,
            multiplierBp: 20_000,
            placedAt: now,
          });
        }
      });
      commits.push(performance.now() - t);
    }
    const elapsedMs = performance.now() - began;
    commits.sort((a, b) => a - b);
    return {
      sync,
      bets,
      batch,
      elapsedMs: Math.round(elapsedMs),
      betsPerS: Math.round((bets / elapsedMs) * 1000),
      commitP99Ms: Math.round((commits[Math.floor(commits.length * 0.99)] ?? 0) * 100) / 100,
    };
  } finally {
    writer.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  }
}
