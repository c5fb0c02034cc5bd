/**
 * The synchronous=FULL vs NORMAL micro-benchmark (the batcher has no switch for NORMAL, and SPEC §6
 * forbids it in production): the same per-bet work as the batcher — conditional debit, bet row,
 * hash-chained ledger row — applied by better-sqlite3 directly in transactions of `batch` bets,
 * in a WAL database on the same disk. Labelled as a micro-benchmark wherever it is reported.
 *
 * `work: 'statements'` is those three statements alone, with SQLite's default settings (WAL), as
 * recorded since the first runs. `work: 'batcher'` is every SQLite write the batcher makes for a
 * bet (issue 19: the statements alone left out half the bytes a batch writes): the redelivery
 * check, the terms as admitted (~250 bytes of JSON), the batch's accepted events in one
 * `event_outbox` row and the previous batch's row deleted, the writer's own pragmas (no automatic
 * checkpoint, 64 MiB cache) and a passive checkpoint every CHECKPOINT_EVERY batches as the
 * batcher's default — still no Redis, no decoding, no publication.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { testUlid } from '@tap/testkit/standalone';
import { benchTerms } from '../load/prefilled-bets.js';
import { openBetWriter, type SyncMode } from './bet-writer.js';

export type SyncBenchWork = 'statements' | 'batcher';

/** The batcher's CHECKPOINT_EVERY_BATCHES default: a passive WAL checkpoint between batches. */
const CHECKPOINT_EVERY = 200;

export interface SyncBenchResult {
  work: SyncBenchWork;
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
  work: SyncBenchWork = 'statements',
): SyncBenchResult {
  const path = join(dir, `sync-${work}-${sync.toLowerCase()}.db`);
  const full = work === 'batcher';
  const writer = openBetWriter(path, sync, { pragmas: full ? 'writer' : 'default' });
  const exists = writer.db.prepare('SELECT 1 FROM bets WHERE id = ?').pluck();
  const addOutbox = writer.db.prepare("INSERT INTO event_outbox (stream, payload) VALUES ('events', ?)");
  const deleteOutbox = writer.db.prepare('DELETE FROM event_outbox');
  const terms = full ? JSON.stringify(benchTerms()) : undefined;
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
        if (full) deleteOutbox.run();
        const events: string[] = [];
        for (let i = start; i < Math.min(bets, start + batch); i += 1) {
          const betId = testUlid(now, i);
          const userId = userIds[i % users]!;
          if (full && exists.get(betId) !== undefined) throw new Error(`bet ${betId} applied twice`);
          writer.applyBet({
            ...{ betId, userId, clientBetId: randomUUID(), t0: now + 10_000, p0: 9_500_000 },
            ...{ stakeMicros: 1_000_000, multiplierBp: 20_000, placedAt: now, terms },
          });
          // The accepted event's shape and size (its balance only approximate: bytes, not money).
          if (full) events.push(acceptedEvent(userId, betId, 1_000_000_000_000 - i * 1_000, now));
        }
        if (full) addOutbox.run(`[${events.join(',')}]`);
      });
      commits.push(performance.now() - t);
      if (full && (start / batch + 1) % CHECKPOINT_EVERY === 0) writer.db.pragma('wal_checkpoint(PASSIVE)');
    }
    const elapsedMs = performance.now() - began;
    commits.sort((a, b) => a - b);
    return {
      work,
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

/** An `accepted` bet event as the batcher writes it to the outbox (EventEntry). */
function acceptedEvent(userId: string, betId: string, balanceMicros: number, t0: number): string {
  return JSON.stringify({
    ...{ type: 'bet', userId, betId, status: 'accepted', balanceMicros },
    bet: {
      t0,
      p0: 9_500_000,
      windowMs: 5_000,
      bandCents: 1_000,
      stakeMicros: 1_000_000,
      multiplierBp: 20_000,
    },
  });
}
