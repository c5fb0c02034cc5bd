/**
 * The manifest's shape (manifest.ts reads and writes it in S3), its local copy beside the data, and
 * which archived segments cover a time range — without the S3 client, so a reader of the data
 * directory (ingest-api's historical queries) imports it through `@tap/archive/manifest-schema`
 * without bundling the AWS SDK.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const digest = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().min(0) });

export const manifestEntrySchema = z.object({
  segment: z.string(),
  key: z.string(),
  plain: digest,
  compressed: digest,
  /** The last ledger row of the segment: its id and hash (GENESIS id 0 for an empty ledger). */
  ledgerHead: z.object({ id: z.number().int().min(0), hash: z.string().regex(/^[0-9a-f]{64}$/) }),
  users: z.number().int().min(0),
  bets: z.number().int().min(0),
  /** When the segment was opened (meta `opened_at`), ms. */
  openedAtMs: z.number().int().nullable(),
  /** End of the segment's period (meta `period_end_ms`, else its ISO week's end): restore --at takes the archive from then on. */
  periodEndMs: z.number().int(),
  archivedAtMs: z.number().int(),
});
export type ManifestEntry = z.infer<typeof manifestEntrySchema>;

/** A ledger anchor (`LedgerAnchor` of @tap/domain) copied from the batcher's anchors file. */
export const anchorSchema = z
  .object({
    segment: z.string(),
    rows: z.number().int().min(1),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    at: z.number().int(),
  })
  .strict();

export const manifestSchema = z.object({
  version: z.literal(1),
  segments: z.record(z.string(), manifestEntrySchema),
  /**
   * Ledger heads anchored out of the batcher's reach (issue 18): the newest anchor of each segment
   * at every archiver run (hourly with the backups), appended, never changed. Absent in manifests
   * written before anchors were uploaded (read as none).
   */
  anchors: z.array(anchorSchema).default([]),
});
export type Manifest = z.infer<typeof manifestSchema>;

export const emptyManifest = (): Manifest => ({ version: 1, segments: {}, anchors: [] });

/**
 * The archiver's own directory in the data dir (issue 16): its manifest copy and lock. The archiver
 * runs as its own user and may write here and in `staging/`, `restored/` — never in `segments/`,
 * which only the batcher's user can write. Created by systemd/tap.tmpfiles.conf in production.
 */
export const archiverDir = (dataDir: string) => join(dataDir, 'archive');

/**
 * The archiver's local copy of the manifest (written after S3's by atomic rename). The batcher reads
 * it to learn which closed segments are archived and verified, and deletes those past the kept ones.
 */
export const localManifestPath = (dataDir: string) => join(archiverDir(dataDir), 'manifest.json');

/** The local copy, or null when none was written yet; a malformed one throws. */
export function readLocalManifest(dataDir: string): Manifest | null {
  let text: string;
  try {
    text = readFileSync(localManifestPath(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return manifestSchema.parse(JSON.parse(text));
}

/**
 * The archived segments whose period overlaps `[fromMs, toMs]`, oldest first. Periods are
 * contiguous, so a segment starts where the one before it ends (the first at its `openedAtMs`).
 */
export function archivedOverlapping(manifest: Manifest, fromMs: number, toMs: number): ManifestEntry[] {
  const entries = Object.values(manifest.segments).sort((a, b) => a.periodEndMs - b.periodEndMs);
  return entries.filter((entry, i) => {
    const startMs = i === 0 ? (entry.openedAtMs ?? 0) : entries[i - 1]!.periodEndMs;
    return entry.periodEndMs > fromMs && startMs <= toMs;
  });
}
