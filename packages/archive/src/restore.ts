/**
 * Rebuilds a data directory from the bucket (SPEC §8): the manifest, the archived segments and the
 * newest backup at or before `atMs` (restore-plan.ts). Every file is checked on the way — the
 * compressed and plain sha256 against the manifest (archives) or the object's metadata (backups),
 * then the segment's own proof (integrity_check, ledger chain, balance == SUM(ledger)), then its
 * ledger head against the manifest's closing head or the backup's recorded head, and every ledger
 * anchor the manifest holds for it up to that head (manifest-anchors.ts) — and only when
 * every segment passed are they renamed into `segments/`. A failed restore leaves no segment behind.
 * Redis' RDB/AOF files of the newest backup run at or before `atMs` go to `restored-redis/<stamp>/`
 * for the operator to put in Redis' dir (a running Redis cannot load them in place).
 *
 * Refuses a data directory that already holds segments: restore never overwrites data.
 */
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { anchorMismatches, type LedgerAnchor, proveSegment, segmentPath, segmentsDir } from '@tap/domain';
import Database from 'better-sqlite3';
import { listKeys } from './bucket-listing.js';
import {
  BACKUPS_PREFIX,
  parseBackupKey,
  parseRedisBackupKey,
  REDIS_BACKUPS_PREFIX,
  stampOf,
} from './keys.js';
import { readManifest } from './manifest.js';
import { planRestore, type RestoreSource } from './restore-plan.js';
import { fetchFile } from './ship.js';
import { IntegrityError, type TransferContext } from './transfer.js';

export interface RestoredSegment {
  segment: string;
  from: 'archive' | 'backup';
  key: string;
  /** The backup's snapshot time, or the archive time of an archived segment. */
  atMs: number;
  users: number;
  bets: number;
  ledgerRows: number;
  ledgerHead: { id: number; hash: string };
  /** The manifest's anchors of this segment checked against it (those up to its head). */
  anchorsChecked: number;
  bytes: number;
}

export interface RestoreReport {
  atMs: number;
  segments: RestoredSegment[];
  redis: { dir: string; atMs: number; files: string[] } | null;
}

export class RestoreRefused extends Error {
  constructor(
    readonly code: 'data_dir_not_empty' | 'restore_copy_missing' | 'nothing_to_restore',
    message: string,
  ) {
    super(message);
  }
}

export async function restoreDataDir(
  ctx: TransferContext,
  options: { dataDir: string; atMs: number; segmentsMax: number; onSegment?: (s: RestoredSegment) => void },
): Promise<RestoreReport> {
  const dir = segmentsDir(options.dataDir);
  const present = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.db'));
  if (present.length > 0) {
    throw new RestoreRefused(
      'data_dir_not_empty',
      `${dir} already holds ${present.join(', ')}; restore never overwrites`,
    );
  }
  const manifest = await readManifest(ctx);
  const keys = await listKeys(ctx, BACKUPS_PREFIX);
  const backups = keys.map(parseBackupKey).filter((b) => b !== undefined);
  const plan = planRestore(manifest, backups, options.atMs, options.segmentsMax);
  if (!plan.ok) {
    throw new RestoreRefused(
      plan.code,
      `no copy at or before ${new Date(options.atMs).toISOString()} of ${plan.segments.join(', ')}`,
    );
  }
  if (plan.sources.length === 0)
    throw new RestoreRefused('nothing_to_restore', 'the bucket holds no segment from before that time');

  const staging = join(options.dataDir, 'staging', `restore-${process.pid}`);
  await mkdir(staging, { recursive: true });
  try {
    const restored: RestoredSegment[] = [];
    for (const source of plan.sources) {
      const segment = await fetchVerifiedSegment(ctx, source, staging, manifest.anchors);
      options.onSegment?.(segment);
      restored.push(segment);
    }
    await mkdir(dir, { recursive: true });
    for (const s of restored)
      await rename(stagedSegmentPath(staging, s.segment), segmentPath(options.dataDir, s.segment));
    const redis = await restoreRedis(ctx, keys, options);
    return { atMs: options.atMs, segments: restored, redis };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * Downloads one segment into `staging` (as `stagedSegmentPath`) and checks it: hashes (the
 * manifest's for an archive, the object's metadata for a backup), the segment's own proof, and its
 * ledger head against the recorded one and the manifest's anchors of it up to that head. Throws
 * `IntegrityError` on any mismatch. Shared with the archiver's restore worker (historical queries).
 */
export async function fetchVerifiedSegment(
  ctx: TransferContext,
  source: RestoreSource,
  staging: string,
  anchors: readonly LedgerAnchor[],
): Promise<RestoredSegment> {
  const key = source.from === 'archive' ? source.entry.key : source.backup.key;
  const target = stagedSegmentPath(staging, source.segment);
  const fetched = await fetchFile(ctx, {
    key,
    target,
    stagingDir: staging,
    ...(source.from === 'archive'
      ? { expected: { plain: source.entry.plain, compressed: source.entry.compressed } }
      : {}),
  });
  const db = new Database(target, { readonly: true, fileMustExist: true });
  const { proof, anchored } = (() => {
    try {
      const proof = proveSegment(db, 'integrity_check');
      // The anchors S3 holds up to this copy's head (a backup predates the later ones).
      return { proof, anchored: anchorMismatches(db, source.segment, anchors, proof.head.id) };
    } finally {
      db.close();
    }
  })();
  if (!proof.ok)
    throw new IntegrityError(`${key}: restored segment fails its proof: ${proof.problems.join('; ')}`);
  const expectedHead =
    source.from === 'archive'
      ? source.entry.ledgerHead
      : { id: Number(fetched.metadata['ledger-head-id']), hash: fetched.metadata['ledger-head-hash'] };
  if (proof.head.id !== expectedHead.id || proof.head.hash !== expectedHead.hash) {
    throw new IntegrityError(
      `${key}: ledger head ${proof.head.id}/${proof.head.hash} is not the recorded ${expectedHead.id}/${expectedHead.hash}`,
    );
  }
  if (anchored.problems.length > 0) {
    throw new IntegrityError(
      `${key}: disagrees with the manifest's anchors: ${anchored.problems.join('; ')}`,
    );
  }
  return {
    segment: source.segment,
    from: source.from,
    key,
    atMs: source.from === 'archive' ? source.entry.archivedAtMs : source.backup.atMs,
    users: proof.users,
    bets: proof.bets,
    ledgerRows: proof.ledgerRows,
    ledgerHead: proof.head,
    anchorsChecked: anchored.checked,
    bytes: fetched.plain.bytes,
  };
}

async function restoreRedis(
  ctx: TransferContext,
  keys: string[],
  options: { dataDir: string; atMs: number },
) {
  const files = keys
    .filter((k) => k.startsWith(REDIS_BACKUPS_PREFIX))
    .map(parseRedisBackupKey)
    .filter((f) => f !== undefined && f.atMs <= options.atMs);
  const newest = Math.max(...files.map((f) => f!.atMs));
  if (!Number.isFinite(newest)) return null;
  const dir = join(options.dataDir, 'restored-redis', stampOf(newest));
  const chosen = files.filter((f) => f!.atMs === newest).map((f) => f!);
  for (const file of chosen) {
    const target = join(dir, file.file);
    await mkdir(dirname(target), { recursive: true });
    await fetchFile(ctx, { key: file.key, target, stagingDir: dir });
  }
  return { dir, atMs: newest, files: chosen.map((f) => f.file) };
}

/** A segment downloaded and decompressed but not yet verified: outside `segments/`, never listed. */
export const stagedSegmentPath = (staging: string, segment: string) => join(staging, `${segment}.restoring`);
