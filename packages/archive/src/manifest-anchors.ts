/**
 * Ledger anchors into the manifest (issue 18): the batcher's anchors file sits next to the data it
 * protects, so the archiver copies the newest anchor of each segment into the S3 manifest at every
 * run (hourly). A history rewritten later — even with the local anchors file rewritten to match —
 * then disagrees with S3; integrity-cron and restore check the manifest's anchors. One anchor per
 * segment per run keeps the manifest small (~170 a week).
 *
 * The local file must agree with what S3 already holds: an anchor of the same segment and row with
 * a different hash means the local file (or the history) was rewritten — the run fails naming it,
 * rather than anchoring the rewrite.
 */
import type { LedgerAnchor } from '@tap/domain';
import type { Manifest } from './manifest-schema.js';

export interface AnchorMerge {
  added: LedgerAnchor[];
  problems: string[];
}

/** Appends to `manifest.anchors` the newest local anchor of each segment past what it holds. */
export function mergeAnchors(manifest: Manifest, local: readonly LedgerAnchor[]): AnchorMerge {
  const held = new Map(manifest.anchors.map((a) => [`${a.segment}/${a.rows}`, a.hash]));
  const newestHeld = new Map<string, number>();
  for (const a of manifest.anchors)
    newestHeld.set(a.segment, Math.max(newestHeld.get(a.segment) ?? 0, a.rows));
  const problems: string[] = [];
  const newestLocal = new Map<string, LedgerAnchor>();
  for (const anchor of local) {
    const hash = held.get(`${anchor.segment}/${anchor.rows}`);
    if (hash !== undefined && hash !== anchor.hash) {
      problems.push(
        `${anchor.segment}: local anchor of row ${anchor.rows} has hash ${anchor.hash}, the manifest ${hash}: the anchors file or the history was rewritten`,
      );
    }
    const newest = newestLocal.get(anchor.segment);
    if (!newest || anchor.rows > newest.rows) newestLocal.set(anchor.segment, anchor);
  }
  if (problems.length > 0) return { added: [], problems };
  const added = [...newestLocal.values()].filter((a) => a.rows > (newestHeld.get(a.segment) ?? 0));
  manifest.anchors.push(...added.map(({ segment, rows, hash, at }) => ({ segment, rows, hash, at })));
  return { added, problems };
}
