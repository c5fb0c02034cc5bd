/**
 * The hourly backup (SPEC §8). Every local segment not yet archived — the hot one, and a closed one
 * still waiting for the weekly archive — is copied online with `VACUUM INTO` (one read transaction:
 * a consistent snapshot while the batcher keeps writing; the backup API would restart on every
 * batch the writer commits), proved (quick_check, ledger chain, balance == SUM(ledger)), shipped to
 * `backups/<segment>/<stamp>.db.zst` and read back; then Redis' RDB/AOF files of the same run go to
 * `backups/redis/<stamp>/`. Only after all of that verified does retention delete old backups.
 * Compressing and hashing are paced (BACKUP_RATE_MB_S): the batcher shares the cores, and the
 * backup's cost to it depends on its work per second; `VACUUM INTO` and the proof cannot be paced.
 * No segment to back up is a failure: a running service always has a hot segment.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BACKUPS_PREFIX,
  backupKey,
  backupsToPrune,
  deleteKeys,
  listKeys,
  parseBackupKey,
  parseRedisBackupKey,
  REDIS_BACKUPS_PREFIX,
  type RetentionPolicy,
  readManifest,
  redisBackupKey,
  shipFile,
  stampOf,
  type TransferContext,
  ZSTD_LEVELS,
} from '@tap/archive';
import { proveSegment, segmentsDir } from '@tap/domain';
import type { Logger } from '@tap/runtime';
import { stagingDir } from './archive-job.js';
import type { RunTotals } from './metrics.js';
import { redisFiles } from './redis-files.js';
import { type LocalSegment, localSegments, withReadOnly } from './segments.js';

export interface BackupOptions {
  ctx: TransferContext;
  dataDir: string;
  redisDir: string;
  retention: RetentionPolicy;
  /** Pace of compressing and hashing (BACKUP_RATE_MB_S); 0 = unpaced. */
  bytesPerSecond: number;
  log: Logger;
  totals: RunTotals;
}

export async function runBackup(options: BackupOptions): Promise<void> {
  const { ctx, dataDir, log } = options;
  await mkdir(stagingDir(dataDir), { recursive: true });
  const manifest = await readManifest(ctx);
  // Everything not yet archived, except a roll-over's half-built segment.
  const targets = localSegments(dataDir).filter(
    (s) => !manifest.segments[s.name] && s.state !== 'opening' && s.state !== 'archived',
  );
  if (targets.length === 0) throw new Error(`no segment to back up in ${segmentsDir(dataDir)}`);
  const atMs = Date.now();
  for (const segment of targets) await backupSegment(options, segment, atMs);
  for (const file of await redisFiles(options.redisDir)) {
    const key = redisBackupKey(atMs, file.name);
    const digests = await shipFile(ctx, {
      source: file.path,
      key,
      stagingDir: stagingDir(dataDir),
      level: ZSTD_LEVELS.backup,
    });
    options.totals.add(digests);
    log.info(
      { key, plainBytes: digests.plain.bytes, compressedBytes: digests.compressed.bytes },
      'backup.redis_file',
    );
  }
  options.totals.removed = await prune(options, atMs);
}

async function backupSegment(options: BackupOptions, segment: LocalSegment, atMs: number): Promise<void> {
  const snapshot = join(stagingDir(options.dataDir), `${segment.name}-${stampOf(atMs)}.db`);
  const startedAt = Date.now();
  try {
    await rm(snapshot, { force: true });
    withReadOnly(segment.path, (db) => {
      // VACUUM INTO writes with the source connection's pager flags: at synchronous=OFF it never
      // fsyncs the snapshot. It is scratch (proved, shipped, read back, deleted; a crash fails the
      // run), and fsyncing hundreds of MB would queue the batcher's own commit fsyncs behind it.
      db.pragma('synchronous = OFF');
      db.prepare('VACUUM INTO ?').run(snapshot);
    });
    const proof = withReadOnly(snapshot, (db) => proveSegment(db, 'quick_check'));
    if (!proof.ok)
      throw new Error(`${segment.name}: backup snapshot fails its proof: ${proof.problems.join('; ')}`);
    const key = backupKey(segment.name, atMs);
    const digests = await shipFile(options.ctx, {
      source: snapshot,
      key,
      stagingDir: stagingDir(options.dataDir),
      level: ZSTD_LEVELS.backup,
      bytesPerSecond: options.bytesPerSecond,
      metadata: {
        segment: segment.name,
        'ledger-head-id': String(proof.head.id),
        'ledger-head-hash': proof.head.hash,
      },
    });
    options.totals.add(digests);
    options.log.info(
      {
        segment: segment.name,
        key,
        plainBytes: digests.plain.bytes,
        compressedBytes: digests.compressed.bytes,
        ledgerHead: proof.head,
        durationMs: Date.now() - startedAt,
      },
      'backup.segment_backed_up',
    );
  } finally {
    await rm(snapshot, { force: true });
  }
}

/** Retention per segment and for Redis; never touches the run's own backups (the newest). */
async function prune(options: BackupOptions, nowMs: number): Promise<number> {
  const keys = await listKeys(options.ctx, BACKUPS_PREFIX);
  const series = new Map<string, Map<number, string[]>>();
  const add = (name: string, atMs: number, key: string) => {
    const byTime = series.get(name) ?? new Map<number, string[]>();
    byTime.set(atMs, [...(byTime.get(atMs) ?? []), key]);
    series.set(name, byTime);
  };
  for (const key of keys) {
    const segment = parseBackupKey(key);
    if (segment) add(segment.segment, segment.atMs, key);
    const redis = key.startsWith(REDIS_BACKUPS_PREFIX) ? parseRedisBackupKey(key) : undefined;
    if (redis) add('redis', redis.atMs, key);
  }
  const doomed: string[] = [];
  for (const byTime of series.values()) {
    for (const t of backupsToPrune([...byTime.keys()], nowMs, options.retention))
      doomed.push(...byTime.get(t)!);
  }
  await deleteKeys(options.ctx, doomed);
  if (doomed.length > 0) options.log.info({ deleted: doomed.length }, 'backup.pruned');
  return doomed.length;
}
