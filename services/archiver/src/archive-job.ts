/**
 * The weekly archive (SPEC §8). For each closed segment not yet in the manifest: refuse one whose
 * WAL still holds frames (not cleanly closed), prove it (integrity_check, ledger chain, balance ==
 * SUM(ledger) per user), ship it (zstd, multipart STANDARD_IA upload with both hashes and sizes in
 * metadata, read back and compared), and record it in the manifest with its ledger head and the
 * sha256 of the file's bytes. Any failure: the run throws (exit 1) and the success timestamp stays
 * where it was.
 *
 * It never writes or deletes a segment (issue 16): it opens them read-only, runs as its own user
 * with `segments/` read-only to it, and writes only S3, `staging/` and `archive/` (the manifest's
 * local copy). Deleting archived segments past the newest SEGMENTS_KEPT_LOCAL is the batcher's
 * (services/batcher/src/storage/segment-retention.ts), the segments' only writer, which does it
 * only for a segment this manifest lists with the local file's own sha256 and ledger head.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  archiveKey,
  type ManifestEntry,
  readManifest,
  shipFile,
  type TransferContext,
  updateManifest,
} from '@tap/archive';
import { isoWeekScheme, proveSegment, segmentsDir } from '@tap/domain';
import type { Logger } from '@tap/runtime';
import type { RunTotals } from './metrics.js';
import { type LocalSegment, localSegments, withReadOnly } from './segments.js';

export interface ArchiveOptions {
  ctx: TransferContext;
  dataDir: string;
  log: Logger;
  totals: RunTotals;
}

export const stagingDir = (dataDir: string) => join(dataDir, 'staging');

export async function runArchive(options: ArchiveOptions): Promise<void> {
  const { ctx, dataDir, log } = options;
  await mkdir(stagingDir(dataDir), { recursive: true });
  const manifest = await readManifest(ctx);
  const segments = localSegments(dataDir);
  // A data directory without any segment is a wrong DATA_DIR, not "nothing to archive".
  if (segments.length === 0) throw new Error(`no segments in ${segmentsDir(dataDir)}`);
  const due = segments.filter((s) => s.state === 'closed' && !manifest.segments[s.name]);
  const strays = segments.filter((s) => s.state === 'archived' && !manifest.segments[s.name]);
  if (strays.length > 0) {
    throw new Error(
      `segment(s) marked archived but missing from this bucket's manifest: ${strays.map((s) => s.name).join(', ')}`,
    );
  }
  log.info({ due: due.map((s) => s.name), local: segments.length }, 'archive.planned');
  const failed: string[] = [];
  for (const segment of due) {
    try {
      const entry = await archiveSegment(options, segment);
      // Re-read and written under the manifest lock: the hourly backup adds anchors meanwhile.
      await updateManifest(ctx, dataDir, (current) => {
        current.segments[segment.name] = entry;
      });
      manifest.segments[segment.name] = entry;
    } catch (err) {
      ctx.signal?.throwIfAborted();
      log.error({ err, segment: segment.name }, 'archive.segment_failed');
      failed.push(`${segment.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (failed.length > 0) {
    throw new Error(`${failed.length} of ${due.length} segment(s) not archived: ${failed.join('; ')}`);
  }
}

async function archiveSegment(options: ArchiveOptions, segment: LocalSegment): Promise<ManifestEntry> {
  const { ctx, log } = options;
  await refuseUncheckpointedWal(segment);
  const proof = withReadOnly(segment.path, (db) => proveSegment(db, 'integrity_check'));
  if (!proof.ok) throw new Error(`proof failed: ${proof.problems.join('; ')}`);
  const key = archiveKey(segment.name);
  const startedAt = Date.now();
  const digests = await shipFile(ctx, {
    source: segment.path,
    key,
    stagingDir: stagingDir(options.dataDir),
    storageClass: 'STANDARD_IA',
    metadata: {
      segment: segment.name,
      'ledger-head-id': String(proof.head.id),
      'ledger-head-hash': proof.head.hash,
    },
  });
  options.totals.add(digests);
  log.info(
    {
      segment: segment.name,
      key,
      plainBytes: digests.plain.bytes,
      compressedBytes: digests.compressed.bytes,
      sha256: digests.plain.sha256,
      ledgerHead: proof.head,
      durationMs: Date.now() - startedAt,
    },
    'archive.segment_archived',
  );
  return {
    segment: segment.name,
    key,
    plain: digests.plain,
    compressed: digests.compressed,
    ledgerHead: proof.head,
    users: proof.users,
    bets: proof.bets,
    openedAtMs: proof.openedAtMs,
    periodEndMs: periodEndOf(segment),
    archivedAtMs: Date.now(),
  };
}

/** A closed segment's WAL must be empty: the file alone would miss committed transactions. */
async function refuseUncheckpointedWal(segment: LocalSegment): Promise<void> {
  const wal = await stat(`${segment.path}-wal`).catch(() => undefined);
  if (wal && wal.size > 0) {
    throw new Error(`${segment.path}-wal holds ${wal.size} bytes: the segment was not checkpointed at close`);
  }
}

function periodEndOf(segment: LocalSegment): number {
  const end = segment.periodEndMs ?? isoWeekScheme.ofName(segment.name)?.endMs;
  if (end === undefined) throw new Error(`${segment.name}: no period_end_ms in meta and not an ISO week`);
  return end;
}
