/**
 * What a restore fetches (pure): for each segment, the archived copy when the segment had ended by
 * the restore time, else its newest backup taken at or before that time. A segment that began
 * after the restore time is left out; one that existed then but has no usable copy is an error
 * (restore never silently hands back less than was asked). Only the newest `segmentsMax` segments
 * are restored — the data directory holds the 4 closed weeks the archiver keeps plus the hot one;
 * older weeks stay in S3 for historical queries.
 */
import type { BackupRef } from './keys.js';
import type { Manifest, ManifestEntry } from './manifest-schema.js';
import { segmentStartMs } from './segment-period.js';

export type RestoreSource =
  | { segment: string; from: 'archive'; entry: ManifestEntry }
  | { segment: string; from: 'backup'; backup: BackupRef };

export type RestorePlan =
  | { ok: true; sources: RestoreSource[] }
  | { ok: false; code: 'restore_copy_missing'; segments: string[] };

export function planRestore(
  manifest: Manifest,
  backups: readonly BackupRef[],
  atMs: number,
  segmentsMax: number,
): RestorePlan {
  const names = new Set([...Object.keys(manifest.segments), ...backups.map((b) => b.segment)]);
  const sources: RestoreSource[] = [];
  const missing: string[] = [];
  for (const segment of [...names].sort()) {
    const startMs = segmentStartMs(segment);
    if (startMs === null || startMs > atMs) continue;
    const entry = manifest.segments[segment];
    if (entry && entry.periodEndMs <= atMs) {
      sources.push({ segment, from: 'archive', entry });
      continue;
    }
    const newest = backups
      .filter((b) => b.segment === segment && b.atMs <= atMs)
      .sort((a, b) => b.atMs - a.atMs)[0];
    if (newest) sources.push({ segment, from: 'backup', backup: newest });
    else missing.push(segment);
  }
  const kept = sources.slice(-segmentsMax);
  const missingKept = missing.filter((m) => m >= (kept[0]?.segment ?? ''));
  if (missingKept.length > 0) return { ok: false, code: 'restore_copy_missing', segments: missingKept };
  return { ok: true, sources: kept };
}
